// SPDX-License-Identifier: Apache-2.0
// ConsumerTest: a real EmbeddedStore and ConsumerLeases database in a temp folder, the local
// backends over them, and helpers for the consumer framework suites: data streams filled per
// shard, closing shards (resharding lineage written into the catalog, as a reshard would leave
// it), and a CollectingProcessor that records every delivery in one shared log.
// Header-only because tests/consumers globs only *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "consumers/framework/local_backend.h"
#include "consumers/framework/record_processor.h"
#include "consumers/framework/worker.h"
#include "engine/embedded_store.h"
#include "index/catalog.h"
#include "index/consumer_leases.h"
#include "tests/support/store_helpers.h"
#include "tests/support/temp_dir.h"

namespace sluice::consumers {

using sluice::testing::PutToShardAndWait;
using sluice::testing::ReadAll;
using sluice::testing::Rec;
using sluice::testing::WaitFor;

// One event of the shared log: a record delivered, or a lifecycle call.
struct Delivery {
  std::string worker;
  ShardIndex shard;
  std::string kind;  // "record", "init", "ended", "lost", "shutdown"
  std::string sequence_number;
  std::string data;
};

// Every processor of a test writes here (thread-safe).
class DeliveryLog {
 public:
  void Add(Delivery d) {
    std::lock_guard<std::mutex> l(mu_);
    events_.push_back(std::move(d));
  }
  std::vector<Delivery> Events() const {
    std::lock_guard<std::mutex> l(mu_);
    return events_;
  }
  // Record deliveries of one shard, in delivery order.
  std::vector<Delivery> Records(ShardIndex shard) const {
    std::vector<Delivery> out;
    for (const Delivery& d : Events()) {
      if (d.kind == "record" && d.shard == shard) out.push_back(d);
    }
    return out;
  }
  size_t Count(std::string_view kind) const {
    std::lock_guard<std::mutex> l(mu_);
    return std::count_if(events_.begin(), events_.end(),
                         [&](const Delivery& d) { return d.kind == kind; });
  }
  // Distinct records delivered over all shards.
  size_t DistinctRecords() const {
    std::set<std::string> seen;
    for (const Delivery& d : Events()) {
      if (d.kind == "record")
        seen.insert(std::to_string(d.shard.value()) + "/" + d.sequence_number);
    }
    return seen.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<Delivery> events_;
};

struct CollectingOptions {
  bool checkpoint_each_batch = true;
  int sleep_per_batch_ms = 0;
};

// Logs every record and lifecycle call; checkpoints the last record of each batch.
class CollectingProcessor : public RecordProcessor {
 public:
  CollectingProcessor(DeliveryLog* log, std::string worker, CollectingOptions options = {})
      : log_(log), worker_(std::move(worker)), options_(options) {}

  Status Initialize(const ShardContext& context) override {
    shard_ = context.shard;
    log_->Add({worker_, shard_, "init", context.checkpoint, context.start.ToString()});
    return OkStatus();
  }
  Status ProcessRecords(const RecordBatch& batch, Checkpointer& checkpointer) override {
    for (const Record& r : batch.records) {
      log_->Add({worker_, shard_, "record", r.sequence_number, r.data});
    }
    if (options_.sleep_per_batch_ms > 0 && !batch.records.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.sleep_per_batch_ms));
    }
    if (options_.checkpoint_each_batch && !batch.records.empty()) {
      return checkpointer.Checkpoint(batch.records.back().sequence_number);
    }
    return OkStatus();
  }
  Status ShardEnded(Checkpointer&) override {
    log_->Add({worker_, shard_, "ended", "", ""});
    return OkStatus();
  }
  Status ShutdownRequested(Checkpointer&) override {
    log_->Add({worker_, shard_, "shutdown", "", ""});
    return OkStatus();
  }
  void LeaseLost() override { log_->Add({worker_, shard_, "lost", "", ""}); }

 private:
  DeliveryLog* const log_;
  const std::string worker_;
  const CollectingOptions options_;
  ShardIndex shard_;
};

class ConsumerTest : public ::testing::Test {
 protected:
  ConsumerTest() { Open(); }
  ~ConsumerTest() override {
    backend_.reset();
    source_.reset();
    leases_.reset();
    store_.reset();
  }

  // The store uses `store_clock_` (arrival times); leases use the real clock, because workers
  // wait for real lease expiry.
  void Open() {
    engine::EmbeddedStoreOptions o;
    o.data_dir = dir_.path() + "/data";
    o.clock = store_clock_;
    o.retention_check_interval_ms = 0;
    auto s = engine::EmbeddedStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    auto l = index::ConsumerLeases::Open(dir_.path() + "/consumers.db");
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    leases_ = std::move(*l);
    backend_ = std::make_unique<LocalLeaseBackend>(leases_.get(), store_.get());
    source_ = std::make_unique<LocalRecordSource>(store_.get());
  }
  // Reopens the store on a clock that moves only when told (arrival times under control).
  void UseManualClock() {
    CloseStore();
    store_clock_ = &manual_clock_;
    Open();
  }
  void CloseStore() {
    backend_.reset();
    source_.reset();
    leases_.reset();
    store_.reset();
  }

  engine::StreamInfo CreateStream(const std::string& name, uint32_t shards) {
    engine::StreamConfig c;
    c.name = name;
    c.shard_count = shards;
    auto r = store_->CreateStream(c);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : engine::StreamInfo();
  }

  // Appends `n` records "<tag><i>" to one shard; returns their sequence numbers.
  std::vector<std::string> Fill(const std::string& stream, uint32_t shard, int n,
                                const std::string& tag = "r", int per_put = 50) {
    std::vector<std::string> out;
    for (int i = 0; i < n;) {
      std::vector<engine::RecordInput> batch;
      for (; i < n && static_cast<int>(batch.size()) < per_put; i++) {
        batch.push_back(Rec("k" + std::to_string(i), tag + std::to_string(i)));
      }
      auto r = PutToShardAndWait(store_.get(), stream, ShardIndex(shard), std::move(batch));
      for (auto& a : r) {
        EXPECT_TRUE(a.ok()) << a.status().ToString();
        if (a.ok()) out.push_back(a->sequence_number);
      }
    }
    return out;
  }

  std::vector<std::string> StoredSequenceNumbers(const std::string& stream, uint32_t shard) {
    std::vector<std::string> out;
    for (const auto& r : ReadAll(store_.get(), stream, ShardIndex(shard))) {
      out.push_back(r.sequence_number);
    }
    return out;
  }

  // Rewrites shard rows in the catalog as a reshard leaves them: `closed` shards end at their
  // last entry; `parents` gives each child its parent (and adjacent parent). Reopens the store.
  void Reshard(const std::string& stream, const std::map<uint32_t, uint64_t>& closed_at,
               const std::map<uint32_t, std::vector<uint32_t>>& parents) {
    const StreamId id = store_->DescribeStream(stream)->id;
    CloseStore();
    {
      auto catalog = index::Catalog::Open(dir_.path() + "/data/catalog.db");
      ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
      auto shards = (*catalog)->LoadShards(id);
      ASSERT_TRUE(shards.ok());
      for (index::ShardRow& row : *shards) {
        if (auto c = closed_at.find(row.index.value()); c != closed_at.end()) {
          row.ending_counter = c->second;
        }
        if (auto p = parents.find(row.index.value()); p != parents.end()) {
          row.parent = ShardIndex(p->second.at(0));
          if (p->second.size() > 1) row.adjacent_parent = ShardIndex(p->second.at(1));
        }
      }
      ASSERT_TRUE((*catalog)->UpsertShards(*shards).ok());
    }
    Open();
  }

  WorkerOptions Options(const std::string& stream, const std::string& worker) {
    WorkerOptions o;
    o.application = "app";
    o.stream = stream;
    o.worker_id = worker;
    o.lease_duration_ms = 2000;  // generous: a loaded machine must not lose leases spuriously
    o.lease_interval_ms = 100;
    o.idle_time_ms = 50;
    o.retry_backoff_ms = 50;
    o.max_records = 10;
    return o;
  }

  std::unique_ptr<Worker> MakeWorker(const std::string& stream, const std::string& worker,
                                     CollectingOptions collect = {}) {
    return MakeWorker(Options(stream, worker), collect);
  }
  std::unique_ptr<Worker> MakeWorker(const WorkerOptions& options, CollectingOptions collect = {}) {
    const std::string id = options.worker_id;
    return std::make_unique<Worker>(
        backend_.get(), source_.get(),
        [this, id, collect](ShardIndex) {
          return std::make_unique<CollectingProcessor>(&log_, id, collect);
        },
        options);
  }

  std::vector<index::ConsumerLease> Leases(const std::string& app = "app") {
    auto r = leases_->ListLeases(app);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<index::ConsumerLease>();
  }

  sluice::testing::TempDir dir_;
  ManualClock manual_clock_{TimestampMs(1'700'000'000'000)};
  Clock* store_clock_ = SystemClock();
  std::unique_ptr<engine::EmbeddedStore> store_;
  std::unique_ptr<index::ConsumerLeases> leases_;
  std::unique_ptr<LocalLeaseBackend> backend_;
  std::unique_ptr<LocalRecordSource> source_;
  DeliveryLog log_;
};

}  // namespace sluice::consumers

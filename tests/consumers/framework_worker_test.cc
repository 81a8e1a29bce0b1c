// SPDX-License-Identifier: Apache-2.0
// Worker end to end on a real store and lease database, with real threads and real lease expiry
// (short intervals, generous waits, no timing assertions): delivery in shard order, two workers
// balancing a 4-shard stream 2/2, a killed worker's shards taken over from the last checkpoint
// with duplicates inside the documented bound and no gaps, graceful hand-over without
// duplicates, parents finished before children, a stolen lease stopping its old owner, failed
// processors retried from their checkpoint, and the checkpointer's range checks.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "consumers/framework/worker.h"
#include "tests/consumers/framework_fixture.h"

namespace sluice::consumers {
namespace {

constexpr auto kWait = std::chrono::seconds(60);

class WorkerTest : public ConsumerTest {
 protected:
  // Waits until every stored record of every shard was delivered at least once.
  bool WaitAllDelivered(const std::string& stream, uint32_t shards) {
    return WaitFor(
        [&] {
          size_t total = 0;
          for (uint32_t s = 0; s < shards; s++) total += StoredSequenceNumbers(stream, s).size();
          return log_.DistinctRecords() == total;
        },
        kWait);
  }
  // Waits until each shard's checkpoint is its last stored record.
  bool WaitCheckpointedToTheEnd(const std::string& stream, uint32_t shards) {
    return WaitFor(
        [&] {
          std::vector<index::ConsumerLease> leases = Leases();
          if (leases.size() != shards) return false;
          for (uint32_t s = 0; s < shards; s++) {
            std::vector<std::string> stored = StoredSequenceNumbers(stream, s);
            if (!stored.empty() && leases[s].checkpoint != stored.back()) return false;
          }
          return true;
        },
        kWait);
  }
  // Every stored record delivered, and the first deliveries of each in stored order.
  void ExpectNoGapsInOrder(const std::string& stream, uint32_t shard) {
    std::vector<std::string> stored = StoredSequenceNumbers(stream, shard);
    std::vector<std::string> first;
    std::set<std::string> seen;
    for (const Delivery& d : log_.Records(ShardIndex(shard))) {
      if (seen.insert(d.sequence_number).second) first.push_back(d.sequence_number);
    }
    EXPECT_EQ(first, stored) << "shard " << shard;
  }
  // Deliveries beyond the first of each record.
  size_t Duplicates(uint32_t shard) {
    std::vector<Delivery> records = log_.Records(ShardIndex(shard));
    std::set<std::string> distinct;
    for (const Delivery& d : records) distinct.insert(d.sequence_number);
    return records.size() - distinct.size();
  }
  size_t Count(uint32_t shard, std::string_view kind) {
    size_t n = 0;
    for (const Delivery& d : log_.Events()) n += d.shard == ShardIndex(shard) && d.kind == kind;
    return n;
  }
};

TEST_F(WorkerTest, OneWorkerDeliversEveryShardInOrderAndCheckpoints) {
  CreateStream("s", 3);
  for (uint32_t s = 0; s < 3; s++) Fill("s", s, 35, "s" + std::to_string(s) + "-");
  auto w = MakeWorker("s", "w1");
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitAllDelivered("s", 3));
  ASSERT_TRUE(WaitCheckpointedToTheEnd("s", 3));
  // Records that arrive later are delivered too.
  Fill("s", 1, 5, "late");
  ASSERT_TRUE(WaitAllDelivered("s", 3));
  ASSERT_TRUE(WaitCheckpointedToTheEnd("s", 3));
  w->Stop();
  for (uint32_t s = 0; s < 3; s++) {
    ExpectNoGapsInOrder("s", s);
    EXPECT_EQ(Duplicates(s), 0u);
  }
  // A graceful stop tells the processors and releases every lease.
  EXPECT_EQ(log_.Count("shutdown"), 3u);
  for (const index::ConsumerLease& l : Leases()) EXPECT_FALSE(l.owned());
}

TEST_F(WorkerTest, TwoWorkersBalanceFourShardsTwoAndTwo) {
  CreateStream("s", 4);
  auto w1 = MakeWorker("s", "w1");
  ASSERT_TRUE(w1->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return w1->HeldShards().size() == 4; }, kWait));
  auto w2 = MakeWorker("s", "w2");
  ASSERT_TRUE(w2->Start().ok());
  ASSERT_TRUE(
      WaitFor([&] { return w1->HeldShards().size() == 2 && w2->HeldShards().size() == 2; }, kWait));
  // The stolen shards' processors at w1 were told.
  EXPECT_TRUE(WaitFor([&] { return log_.Count("lost") == 2; }, kWait));
  for (uint32_t s = 0; s < 4; s++) Fill("s", s, 20);
  ASSERT_TRUE(WaitAllDelivered("s", 4));
  // Every shard is processed by exactly one of them, and nothing twice.
  std::set<uint32_t> held;
  for (ShardIndex s : w1->HeldShards()) held.insert(s.value());
  for (ShardIndex s : w2->HeldShards()) EXPECT_TRUE(held.insert(s.value()).second);
  EXPECT_EQ(held.size(), 4u);
  for (uint32_t s = 0; s < 4; s++) EXPECT_EQ(Duplicates(s), 0u);
  w1->Stop();
  w2->Stop();
}

TEST_F(WorkerTest, KilledWorkersShardsAreTakenOverFromTheLastCheckpoint) {
  CreateStream("s", 4);
  std::atomic<bool> produce{true};
  std::thread producer([&] {
    int i = 0;
    while (produce) {
      for (uint32_t s = 0; s < 4; s++) Fill("s", s, 3, "p" + std::to_string(i) + "-");
      i++;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  const CollectingOptions slow{.checkpoint_each_batch = true, .sleep_per_batch_ms = 5};
  auto w1 = MakeWorker("s", "w1", slow);
  auto w2 = MakeWorker("s", "w2", slow);
  ASSERT_TRUE(w1->Start().ok());
  ASSERT_TRUE(w2->Start().ok());
  ASSERT_TRUE(
      WaitFor([&] { return w1->HeldShards().size() == 2 && w2->HeldShards().size() == 2; }, kWait));
  const std::vector<ShardIndex> dead_shards = w1->HeldShards();
  // Let w1 make progress on its shards, then it dies without releasing anything.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (ShardIndex s : dead_shards) {
          size_t n = 0;
          for (const Delivery& d : log_.Records(s)) n += d.worker == "w1";
          if (n < 30) return false;
        }
        return true;
      },
      kWait));
  w1->Kill();
  // Its leases still name w1 until they expire; then w2 takes them.
  ASSERT_TRUE(WaitFor([&] { return w2->HeldShards().size() == 4; }, kWait));
  produce = false;
  producer.join();
  ASSERT_TRUE(WaitAllDelivered("s", 4));
  ASSERT_TRUE(WaitCheckpointedToTheEnd("s", 4));
  w2->Stop();

  const size_t max_records = Options("s", "x").max_records;
  for (uint32_t s = 0; s < 4; s++) {
    ExpectNoGapsInOrder("s", s);
    // Each hand-over (a steal while balancing, or the takeover) may deliver again at most the
    // one batch the previous owner had not checkpointed.
    const size_t handovers = Count(s, "init") - 1;
    EXPECT_LE(Duplicates(s), handovers * max_records) << "shard " << s;
  }
  // The dead worker's shards resumed at w2 after w1's last checkpoint.
  for (ShardIndex s : dead_shards) {
    std::vector<Delivery> records = log_.Records(s);
    std::set<std::string> by_w1;
    for (const Delivery& d : records) {
      if (d.worker == "w1") by_w1.insert(d.sequence_number);
    }
    EXPECT_FALSE(by_w1.empty());
    EXPECT_EQ(log_.Records(s).back().worker, "w2");
  }
}

TEST_F(WorkerTest, GracefulStopHandsOverWithoutDuplicates) {
  CreateStream("s", 2);
  for (uint32_t s = 0; s < 2; s++) Fill("s", s, 40);
  auto w1 = MakeWorker("s", "w1", {.checkpoint_each_batch = true, .sleep_per_batch_ms = 10});
  ASSERT_TRUE(w1->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return log_.DistinctRecords() >= 20; }, kWait));
  w1->Stop();
  for (const index::ConsumerLease& l : Leases()) EXPECT_FALSE(l.owned());
  auto w2 = MakeWorker("s", "w2");
  ASSERT_TRUE(w2->Start().ok());
  ASSERT_TRUE(WaitAllDelivered("s", 2));
  w2->Stop();
  for (uint32_t s = 0; s < 2; s++) {
    ExpectNoGapsInOrder("s", s);
    EXPECT_EQ(Duplicates(s), 0u) << "shard " << s;
  }
}

// Checks, when a shard's processing starts, that every parent's lease is already SHARD_END.
class ParentCheckingProcessor : public CollectingProcessor {
 public:
  ParentCheckingProcessor(DeliveryLog* log, std::string worker, index::ConsumerLeases* leases,
                          std::atomic<int>* violations)
      : CollectingProcessor(log, std::move(worker)), leases_(leases), violations_(violations) {}
  Status Initialize(const ShardContext& context) override {
    auto all = leases_->ListLeases(context.application);
    if (!all.ok()) return all.status();
    for (const index::ConsumerLease& l : *all) {
      if (l.shard != context.shard) continue;
      for (ShardIndex parent : l.parents) {
        for (const index::ConsumerLease& p : *all) {
          if (p.shard == parent && !p.finished()) (*violations_)++;
        }
      }
    }
    return CollectingProcessor::Initialize(context);
  }

 private:
  index::ConsumerLeases* const leases_;
  std::atomic<int>* const violations_;
};

TEST_F(WorkerTest, ParentsAreFinishedBeforeTheirChildren) {
  CreateStream("s", 3);
  for (uint32_t s = 0; s < 3; s++) Fill("s", s, 30, "s" + std::to_string(s) + "-");
  // Shards 0 and 1 were merged into 2: closed at their last record, 2 has both as parents.
  Reshard("s", {{0, 29}, {1, 29}}, {{2, {0, 1}}});
  std::atomic<int> violations{0};
  std::vector<std::unique_ptr<Worker>> workers;
  for (const std::string id : {"w1", "w2"}) {
    workers.push_back(std::make_unique<Worker>(
        backend_.get(), source_.get(),
        [this, id, &violations](ShardIndex) {
          return std::make_unique<ParentCheckingProcessor>(&log_, id, leases_.get(), &violations);
        },
        Options("s", id)));
    ASSERT_TRUE(workers.back()->Start().ok());
  }
  ASSERT_TRUE(WaitAllDelivered("s", 3));
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<index::ConsumerLease> l = Leases();
        return l.size() == 3 && l[0].finished() && l[1].finished();
      },
      kWait));
  for (auto& w : workers) w->Stop();
  EXPECT_EQ(violations.load(), 0);
  // In the shared log too: the child's first event comes after both parents' ends. (A parent
  // may show two ends when it was stolen at its very end: the old owner's SHARD_END
  // checkpoint then failed, and the new owner ended it again.)
  std::set<uint32_t> ended;
  for (const Delivery& d : log_.Events()) {
    if (d.kind == "ended") ended.insert(d.shard.value());
    if (d.shard == ShardIndex(2) && (d.kind == "init" || d.kind == "record")) {
      EXPECT_EQ(ended, (std::set<uint32_t>{0, 1})) << "child shard started before its parents";
    }
  }
  for (uint32_t s = 0; s < 3; s++) ExpectNoGapsInOrder("s", s);
}

TEST_F(WorkerTest, ChildLeaseWaitsForAnUnfinishedParent) {
  CreateStream("s", 2);
  Fill("s", 0, 5);
  Fill("s", 1, 5);
  // The lineage is known before the parent is closed: 1 is a child of 0.
  ASSERT_TRUE(backend_->CreateApplication({.name = "app", .stream = "s"}).ok());
  ASSERT_TRUE(
      backend_->EnsureLeases("app", {{ShardIndex(0), {}}, {ShardIndex(1), {ShardIndex(0)}}}).ok());
  auto w = MakeWorker("s", "w1");
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return log_.Records(ShardIndex(0)).size() == 5; }, kWait));
  // Several lease rounds pass; the child stays untouched while its parent is open.
  for (int round = 0; round < 5; round++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(w->HeldShards(), std::vector<ShardIndex>{ShardIndex(0)});
  }
  EXPECT_TRUE(log_.Records(ShardIndex(1)).empty());
  w->Stop();
  // The parent closes (a reshard); the child then follows it.
  Reshard("s", {{0, 4}}, {});
  auto w2 = MakeWorker("s", "w2");
  ASSERT_TRUE(w2->Start().ok());
  ASSERT_TRUE(WaitAllDelivered("s", 2));
  ASSERT_TRUE(WaitFor([&] { return Leases()[0].finished(); }, kWait));
  w2->Stop();
  ExpectNoGapsInOrder("s", 1);
}

TEST_F(WorkerTest, StolenLeaseStopsItsOldOwner) {
  CreateStream("s", 1);
  auto w = MakeWorker("s", "w1");
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return w->HeldShards().size() == 1; }, kWait));
  // Another worker steals the lease with the counter it saw.
  index::ConsumerLease seen = Leases()[0];
  auto stolen = leases_->TakeLease("app", ShardIndex(0), "intruder", seen.counter,
                                   TimestampMs(SystemClock()->Now().value() + 300));
  if (!stolen.ok()) {  // w1 renewed in between: look again
    seen = Leases()[0];
    stolen = leases_->TakeLease("app", ShardIndex(0), "intruder", seen.counter,
                                TimestampMs(SystemClock()->Now().value() + 300));
  }
  ASSERT_TRUE(stolen.ok()) << stolen.status().ToString();
  ASSERT_TRUE(WaitFor([&] { return log_.Count("lost") == 1; }, kWait));
  // The intruder never renews: after its expiry w1 takes the shard back and goes on.
  ASSERT_TRUE(WaitFor([&] { return Count(0, "init") == 2; }, kWait));
  Fill("s", 0, 3);
  ASSERT_TRUE(WaitAllDelivered("s", 1));
  w->Stop();
}

// Fails its first ProcessRecords call with records (across all instances), delivering nothing.
class FailOnceProcessor : public CollectingProcessor {
 public:
  FailOnceProcessor(DeliveryLog* log, std::atomic<bool>* failed)
      : CollectingProcessor(log, "w1"), failed_(failed) {}
  Status ProcessRecords(const RecordBatch& batch, Checkpointer& checkpointer) override {
    if (!batch.records.empty() && !failed_->exchange(true)) return UnavailableError("injected");
    return CollectingProcessor::ProcessRecords(batch, checkpointer);
  }

 private:
  std::atomic<bool>* const failed_;
};

TEST_F(WorkerTest, FailedProcessorIsRetriedFromItsCheckpoint) {
  CreateStream("s", 1);
  Fill("s", 0, 25);
  std::atomic<bool> failed{false};
  Worker w(
      backend_.get(), source_.get(),
      [&](ShardIndex) { return std::make_unique<FailOnceProcessor>(&log_, &failed); },
      Options("s", "w1"));
  ASSERT_TRUE(w.Start().ok());
  ASSERT_TRUE(WaitAllDelivered("s", 1));
  ASSERT_TRUE(WaitCheckpointedToTheEnd("s", 1));
  w.Stop();
  EXPECT_TRUE(failed.load());
  EXPECT_EQ(Count(0, "init"), 2u);  // released after the failure, taken again
  ExpectNoGapsInOrder("s", 0);
  EXPECT_EQ(Duplicates(0), 0u);
}

// Tries out-of-range checkpoints on its first batch and keeps the answers.
class ProbingProcessor : public RecordProcessor {
 public:
  explicit ProbingProcessor(std::vector<StatusCode>* codes, std::atomic<bool>* done)
      : codes_(codes), done_(done) {}
  Status Initialize(const ShardContext&) override { return OkStatus(); }
  Status ProcessRecords(const RecordBatch& batch, Checkpointer& cp) override {
    if (batch.records.size() < 3 || done_->load()) return OkStatus();
    codes_->push_back(cp.Checkpoint(batch.records[1].sequence_number).code());
    codes_->push_back(cp.Checkpoint(batch.records[0].sequence_number).code());        // backwards
    codes_->push_back(cp.Checkpoint(batch.records[1].sequence_number + "0").code());  // ahead
    codes_->push_back(cp.Checkpoint("SHARD_END").code());
    codes_->push_back(cp.Checkpoint(batch.records.back().sequence_number).code());
    *done_ = true;
    return OkStatus();
  }
  Status ShardEnded(Checkpointer&) override { return OkStatus(); }

 private:
  std::vector<StatusCode>* const codes_;
  std::atomic<bool>* const done_;
};

TEST_F(WorkerTest, CheckpointerRefusesNumbersOutsideWhatWasDelivered) {
  CreateStream("s", 1);
  std::vector<std::string> seqs = Fill("s", 0, 5);
  std::vector<StatusCode> codes;
  std::atomic<bool> done{false};
  Worker w(
      backend_.get(), source_.get(),
      [&](ShardIndex) { return std::make_unique<ProbingProcessor>(&codes, &done); },
      Options("s", "w1"));
  ASSERT_TRUE(w.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return done.load(); }, kWait));
  w.Stop();
  EXPECT_EQ(codes, (std::vector<StatusCode>{StatusCode::kOk, StatusCode::kInvalidArgument,
                                            StatusCode::kInvalidArgument,
                                            StatusCode::kInvalidArgument, StatusCode::kOk}));
  EXPECT_EQ(Leases()[0].checkpoint, seqs.back());
}

TEST_F(WorkerTest, UnknownStreamFailsToStart) {
  auto w = MakeWorker("missing", "w1");
  EXPECT_EQ(w->Start().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sluice::consumers

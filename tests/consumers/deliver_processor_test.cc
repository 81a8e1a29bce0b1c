// SPDX-License-Identifier: Apache-2.0
// DeliveryProcessor under a real Worker and store: a folder holds exactly the stream's records in
// shard order, with deterministic names (a second application over the same stream writes the
// same files); gzip; time-based flushes; a batch delivered but not checkpointed is overwritten,
// not duplicated; batches that keep failing land in the error folder and are checkpointed past;
// and an HTTP endpoint that fails every other request loses nothing and keeps shard order.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>

#include "consumers/deliver/delivery_processor.h"
#include "consumers/deliver/http_sink.h"
#include "tests/consumers/framework_delivery_helpers.h"
#include "tests/consumers/framework_fixture.h"
#include "tests/consumers/framework_test_http_server.h"

namespace sluice::consumers::deliver {
namespace {

using consumers::testing::DeliveredRecord;
using consumers::testing::ParseJsonLines;
using consumers::testing::RecordsByShard;
using consumers::testing::SequenceNumbers;

constexpr auto kWait = std::chrono::seconds(60);

// Fails every delivery of a batch that holds a record with `poison` as data.
class PoisonSink : public DeliverySink {
 public:
  PoisonSink(std::shared_ptr<DeliverySink> inner, std::string poison)
      : inner_(std::move(inner)), poison_(std::move(poison)) {}
  Status Deliver(const DeliveryBatch& batch) override {
    for (const Record& r : batch.records) {
      if (r.data == poison_) {
        failures++;
        return UnavailableError("poisoned batch");
      }
    }
    return inner_->Deliver(batch);
  }
  std::string Describe() const override { return "poison " + inner_->Describe(); }
  std::atomic<int> failures{0};

 private:
  std::shared_ptr<DeliverySink> inner_;
  std::string poison_;
};

class DeliveryTest : public ConsumerTest {
 protected:
  std::string Root() const { return dir_.path() + "/out"; }

  // 100-byte records (8-byte key + 92 bytes of data), so 1000-byte batches hold 10 records.
  std::vector<std::string> FillFixed(const std::string& stream, uint32_t shard, int n) {
    std::vector<std::string> out;
    std::vector<engine::RecordInput> batch;
    for (int i = 0; i < n; i++) {
      char key[16];
      std::snprintf(key, sizeof(key), "key-%04d", i);
      std::string data = "shard" + std::to_string(shard) + "-record" + std::to_string(i) + "-";
      data.resize(92, 'x');
      batch.push_back(Rec(key, data));
    }
    for (auto& r : PutToShardAndWait(store_.get(), stream, ShardIndex(shard), std::move(batch))) {
      EXPECT_TRUE(r.ok());
      if (r.ok()) out.push_back(r->sequence_number);
    }
    return out;
  }

  std::unique_ptr<Worker> DeliveryWorker(const std::string& app, const std::string& stream,
                                         std::shared_ptr<DeliverySink> sink,
                                         std::shared_ptr<FolderSink> errors,
                                         DeliveryOptions options) {
    WorkerOptions o = Options(stream, "w-" + app);
    o.application = app;
    o.max_records = 7;  // batches of reads and of deliveries do not line up
    return std::make_unique<Worker>(backend_.get(), source_.get(),
                                    DeliveryProcessorFactory(sink, errors, options), o);
  }

  bool WaitCheckpointed(const std::string& app, const std::string& stream, uint32_t shards) {
    return WaitFor(
        [&] {
          auto leases = leases_->ListLeases(app);
          if (!leases.ok() || leases->size() != shards) return false;
          for (uint32_t s = 0; s < shards; s++) {
            auto stored = StoredSequenceNumbers(stream, s);
            if (!stored.empty() && (*leases)[s].checkpoint != stored.back()) return false;
          }
          return true;
        },
        kWait);
  }

  // Every shard's delivered records are exactly its stored records, in order.
  void ExpectExactlyTheStream(const std::map<std::string, std::vector<DeliveredRecord>>& got,
                              const std::string& stream, uint32_t shards) {
    for (uint32_t s = 0; s < shards; s++) {
      const std::string shard_id = engine::FormatShardId(ShardIndex(s));
      auto stored = ReadAll(store_.get(), stream, ShardIndex(s));
      std::vector<std::string> want;
      for (const auto& r : stored) want.push_back(r.sequence_number);
      auto it = got.find(shard_id);
      const std::vector<DeliveredRecord> none;
      const auto& records = it == got.end() ? none : it->second;
      EXPECT_EQ(SequenceNumbers(records), want) << shard_id;
      for (size_t i = 0; i < std::min(records.size(), stored.size()); i++) {
        EXPECT_EQ(records[i].data, stored[i].data);
        EXPECT_EQ(records[i].partition_key, stored[i].partition_key);
        EXPECT_EQ(records[i].arrival, stored[i].arrival.value());
        EXPECT_EQ(records[i].stream, stream);
      }
    }
  }
};

TEST_F(DeliveryTest, FolderHoldsExactlyTheStreamInShardOrderWithDeterministicNames) {
  CreateStream("s", 3);
  for (uint32_t s = 0; s < 3; s++) FillFixed("s", s, 50);
  auto sink = std::make_shared<FolderSink>(FolderSinkOptions{.root = Root()});
  const DeliveryOptions options{.buffer_bytes = 1000, .buffer_ms = 600'000};
  auto w = DeliveryWorker("a1", "s", sink, nullptr, options);
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitCheckpointed("a1", "s", 3));
  w->Stop();
  ExpectExactlyTheStream(RecordsByShard(Root()), "s", 3);
  auto files = consumers::testing::BatchFiles(Root());
  EXPECT_EQ(files.size(), 15u);  // 10 records of 100 bytes per 1000-byte batch
  for (const auto& [path, body] : files) {
    auto records = ParseJsonLines(body);
    ASSERT_EQ(records.size(), 10u) << path;
    // The name says what is inside: stream, shard, first and last sequence number.
    EXPECT_TRUE(path.ends_with("/s-" + records[0].shard_id + "-" + records.front().sequence_number +
                               "-" + records.back().sequence_number + ".jsonl"))
        << path;
  }
  // Another application reading the same stream into the same folder writes the same files.
  auto w2 = DeliveryWorker("a2", "s", sink, nullptr, options);
  ASSERT_TRUE(w2->Start().ok());
  ASSERT_TRUE(WaitCheckpointed("a2", "s", 3));
  w2->Stop();
  EXPECT_EQ(consumers::testing::BatchFiles(Root()), files);
}

TEST_F(DeliveryTest, GzipFilesAndTimeFlushes) {
  CreateStream("s", 2);
  for (uint32_t s = 0; s < 2; s++) FillFixed("s", s, 23);
  auto sink = std::make_shared<FolderSink>(FolderSinkOptions{.root = Root(), .gzip = true});
  // Batches far larger than the stream: only the interval flushes them.
  auto w = DeliveryWorker("a", "s", sink, nullptr, {.buffer_bytes = 1 << 30, .buffer_ms = 100});
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitCheckpointed("a", "s", 2));
  FillFixed("s", 1, 4);  // later records flush on time too
  ASSERT_TRUE(WaitCheckpointed("a", "s", 2));
  w->Stop();
  for (const auto& e : std::filesystem::recursive_directory_iterator(Root())) {
    if (e.is_regular_file()) {
      EXPECT_TRUE(e.path().string().ends_with(".jsonl.gz")) << e.path();
    }
  }
  ExpectExactlyTheStream(RecordsByShard(Root()), "s", 2);
}

TEST_F(DeliveryTest, StopFlushesTheBufferBeforeReleasing) {
  CreateStream("s", 1);
  FillFixed("s", 0, 5);
  auto sink = std::make_shared<FolderSink>(FolderSinkOptions{.root = Root()});
  auto w = DeliveryWorker("a", "s", sink, nullptr, {.buffer_bytes = 1 << 30, .buffer_ms = 600'000});
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return w->HeldShards().size() == 1; }, kWait));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it buffer
  EXPECT_TRUE(consumers::testing::BatchFiles(Root()).empty());
  w->Stop();
  ExpectExactlyTheStream(RecordsByShard(Root()), "s", 1);
  EXPECT_EQ(Leases("a")[0].checkpoint, StoredSequenceNumbers("s", 0).back());
}

TEST_F(DeliveryTest, BatchDeliveredButNotCheckpointedIsOverwrittenNotDuplicated) {
  CreateStream("s", 1);
  FillFixed("s", 0, 27);
  auto sink = std::make_shared<FolderSink>(FolderSinkOptions{.root = Root()});
  // A previous owner delivered records 0..6 (cut by time) and died before checkpointing.
  DeliveryBatch orphan{.stream = "s", .shard_id = "shardId-000000000000", .records = {}};
  for (const auto& r : ReadAll(store_.get(), "s", ShardIndex(0))) {
    if (orphan.records.size() == 7) break;
    orphan.records.push_back({r.sequence_number, r.arrival, r.partition_key, r.data});
  }
  ASSERT_TRUE(sink->Deliver(orphan).ok());
  auto w = DeliveryWorker("a", "s", sink, nullptr, {.buffer_bytes = 1000, .buffer_ms = 600'000});
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitCheckpointed("a", "s", 1));
  w->Stop();
  auto files = consumers::testing::BatchFiles(Root());
  // 0..6 (the same name again), then 7..16 and 17..26: every record exactly once.
  ASSERT_EQ(files.size(), 3u);
  bool found_orphan = false;
  for (const auto& [path, body] : files) found_orphan |= path.ends_with(orphan.Name() + ".jsonl");
  EXPECT_TRUE(found_orphan);
  ExpectExactlyTheStream(RecordsByShard(Root()), "s", 1);
}

TEST_F(DeliveryTest, FailingBatchGoesToTheErrorFolderAndIsCheckpointedPast) {
  CreateStream("s", 1);
  FillFixed("s", 0, 30);
  auto folder = std::make_shared<FolderSink>(FolderSinkOptions{.root = Root()});
  const std::string poison = ReadAll(store_.get(), "s", ShardIndex(0))[13].data;
  auto sink = std::make_shared<PoisonSink>(folder, poison);
  auto errors = std::make_shared<FolderSink>(FolderSinkOptions{.root = Root() + "/errors"});
  auto w =
      DeliveryWorker("a", "s", sink, errors,
                     {.buffer_bytes = 1000, .buffer_ms = 600'000, .retries = 2, .backoff_ms = 10});
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitCheckpointed("a", "s", 1));
  w->Stop();
  // Records 10..19 failed three times: they are in errors/, the rest in the folder.
  auto good = RecordsByShard(Root());
  auto bad = RecordsByShard(Root() + "/errors");
  ASSERT_EQ(bad["shardId-000000000000"].size(), 10u);
  EXPECT_EQ(good["shardId-000000000000"].size(), 20u);
  std::vector<DeliveredRecord> all = good["shardId-000000000000"];
  for (auto& r : bad["shardId-000000000000"]) all.push_back(r);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return CompareSequenceNumbers(a.sequence_number, b.sequence_number) < 0;
  });
  ExpectExactlyTheStream({{"shardId-000000000000", all}}, "s", 1);
  size_t error_files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(Root() + "/errors")) {
    if (!e.path().string().ends_with(".error.json")) continue;
    error_files++;
    auto j = nlohmann::json::parse(consumers::testing::ReadWholeFile(e.path()));
    EXPECT_EQ(j["attempts"], 3);
    EXPECT_EQ(j["errorMessage"], "poisoned batch");
  }
  EXPECT_EQ(error_files, 1u);
}

TEST_F(DeliveryTest, WithoutAnErrorFolderAFailingBatchIsRetriedNotSkipped) {
  CreateStream("s", 1);
  FillFixed("s", 0, 10);
  auto folder = std::make_shared<FolderSink>(FolderSinkOptions{.root = Root()});
  const std::string poison = ReadAll(store_.get(), "s", ShardIndex(0))[3].data;
  auto sink = std::make_shared<PoisonSink>(folder, poison);
  auto w = DeliveryWorker("a", "s", sink, nullptr,
                          {.buffer_bytes = 1000, .buffer_ms = 50, .retries = 1, .backoff_ms = 5});
  ASSERT_TRUE(w->Start().ok());
  // The shard is retried from its checkpoint again and again; nothing moves past the batch.
  ASSERT_TRUE(WaitFor([&] { return sink->failures >= 6; }, kWait));
  w->Stop();
  EXPECT_TRUE(consumers::testing::BatchFiles(Root()).empty());
  EXPECT_EQ(Leases("a")[0].checkpoint, "TRIM_HORIZON");
}

TEST_F(DeliveryTest, HttpEndpointFailingEveryOtherRequestLosesNothing) {
  CreateStream("s", 3);
  for (uint32_t s = 0; s < 3; s++) FillFixed("s", s, 40);
  std::mutex mu;
  int requests = 0;
  std::map<std::string, std::vector<DeliveredRecord>> received;
  std::map<std::string, int> attempts;  // by batch id
  std::set<std::string> accepted;
  // Every batch's first attempt fails (500) and its second succeeds: half of all requests fail,
  // whatever the interleaving of the shards.
  consumers::testing::TestHttpServer server([&](const consumers::testing::HttpRequest& r) {
    std::lock_guard<std::mutex> l(mu);
    requests++;
    const std::string id = r.headers.at("x-sluice-batch-id");
    if (attempts[id]++ % 2 == 0) return 500;
    for (auto& rec : ParseJsonLines(r.body)) received[rec.shard_id].push_back(rec);
    EXPECT_TRUE(accepted.insert(id).second) << "batch accepted twice: " << id;
    return 200;
  });
  auto http = HttpSink::Create({.url = server.Url("/ingest")});
  ASSERT_TRUE(http.ok());
  std::shared_ptr<DeliverySink> sink = std::move(*http);
  auto errors = std::make_shared<FolderSink>(FolderSinkOptions{.root = Root() + "/errors"});
  auto w = DeliveryWorker("a", "s", sink, errors,
                          {.buffer_bytes = 700, .buffer_ms = 100, .retries = 3, .backoff_ms = 5});
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitCheckpointed("a", "s", 3));
  FillFixed("s", 2, 9);  // more while running
  ASSERT_TRUE(WaitCheckpointed("a", "s", 3));
  w->Stop();
  std::lock_guard<std::mutex> l(mu);
  ExpectExactlyTheStream(received, "s", 3);
  EXPECT_FALSE(std::filesystem::exists(Root() + "/errors"));
  EXPECT_EQ(requests, 2 * static_cast<int>(accepted.size()));
}

TEST_F(DeliveryTest, HttpEndpointDownSendsBatchesToTheLocalErrorFolder) {
  CreateStream("s", 1);
  FillFixed("s", 0, 12);
  consumers::testing::TestHttpServer server(
      [](const consumers::testing::HttpRequest&) { return 503; });
  auto http = HttpSink::Create({.url = server.Url("/")});
  ASSERT_TRUE(http.ok());
  auto errors = std::make_shared<FolderSink>(FolderSinkOptions{.root = Root() + "/failed"});
  auto w = DeliveryWorker("a", "s", std::shared_ptr<DeliverySink>(std::move(*http)), errors,
                          {.buffer_bytes = 1000, .buffer_ms = 50, .retries = 1, .backoff_ms = 5});
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitCheckpointed("a", "s", 1));
  w->Stop();
  ExpectExactlyTheStream(RecordsByShard(Root() + "/failed"), "s", 1);
}

}  // namespace
}  // namespace sluice::consumers::deliver

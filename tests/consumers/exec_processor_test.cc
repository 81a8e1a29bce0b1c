// SPDX-License-Identifier: Apache-2.0
// BatchCommandProcessor under a real Worker and store with /bin/sh commands: a command that fails
// on one record is bisected down to it, the record is reported (callback and failures file) and
// checkpointed past while every other record is delivered once and in shard order; without
// bisection the whole batch is reported; the batch window gathers records; timeouts fail.
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "consumers/exec/batch_command_processor.h"
#include "consumers/framework/base64.h"
#include "tests/consumers/framework_delivery_helpers.h"
#include "tests/consumers/framework_fixture.h"

namespace sluice::consumers::exec {
namespace {

using consumers::testing::ReadWholeFile;

constexpr auto kWait = std::chrono::seconds(60);

// Appends each event it accepts as one line to $OUT; fails (exit 3) on a record keyed "bad".
constexpr const char* kPoisonScript = R"sh(
input=$(cat)
case "$input" in *'"partitionKey":"bad"'*) echo "bad record in batch of $SLUICE_BATCH_SIZE" >&2; exit 3;; esac
printf '%s\n' "$input" >> "$OUT"
)sh";

struct Invocation {
  std::string shard_id;
  std::vector<std::string> sequence_numbers;
  std::vector<std::string> keys;
};

class ExecTest : public ConsumerTest {
 protected:
  std::string Out() const { return dir_.path() + "/out.jsonl"; }

  BatchCommandOptions Base(const char* script) {
    BatchCommandOptions o;
    o.command = {"/bin/sh", "-c", script};
    o.env = {{"OUT", Out()}};
    o.backoff_ms = 5;
    o.stream_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
    o.on_failure = [this](const FailedBatch& f) {
      std::lock_guard<std::mutex> l(mu_);
      failures_.push_back(f);
    };
    return o;
  }

  std::unique_ptr<Worker> ExecWorker(BatchCommandOptions options) {
    WorkerOptions o = Options("s", "w1");
    o.max_records = 100;
    return std::make_unique<Worker>(backend_.get(), source_.get(),
                                    BatchCommandProcessorFactory(std::move(options)), o);
  }

  // Records keyed k<i>, except the ones listed as "bad".
  std::vector<std::string> FillKeys(uint32_t shard, int n, std::set<int> bad = {}) {
    std::vector<engine::RecordInput> records;
    for (int i = 0; i < n; i++) {
      records.push_back(Rec(bad.count(i) ? "bad" : "k" + std::to_string(i),
                            "payload-" + std::to_string(shard) + "-" + std::to_string(i)));
    }
    std::vector<std::string> out;
    for (auto& r : PutToShardAndWait(store_.get(), "s", ShardIndex(shard), std::move(records))) {
      out.push_back(r.ok() ? r->sequence_number : "");
    }
    return out;
  }

  bool WaitCheckpointed(uint32_t shards) {
    return WaitFor(
        [&] {
          std::vector<index::ConsumerLease> leases = Leases();
          if (leases.size() != shards) return false;
          for (uint32_t s = 0; s < shards; s++) {
            auto stored = StoredSequenceNumbers("s", s);
            if (!stored.empty() && leases[s].checkpoint != stored.back()) return false;
          }
          return true;
        },
        kWait);
  }

  // Every accepted invocation, in the order the command saw them.
  std::vector<Invocation> Invocations() {
    std::vector<Invocation> out;
    std::istringstream in(ReadWholeFile(Out()));
    std::string line;
    while (std::getline(in, line)) {
      nlohmann::json event = nlohmann::json::parse(line);
      Invocation inv;
      for (const auto& r : event["Records"]) {
        const std::string id = r["eventID"];
        inv.shard_id = id.substr(0, id.find(':'));
        inv.sequence_numbers.push_back(r["kinesis"]["sequenceNumber"]);
        inv.keys.push_back(r["kinesis"]["partitionKey"]);
        EXPECT_EQ(r["eventSourceARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/s");
        EXPECT_TRUE(Base64Decode(r["kinesis"]["data"].get<std::string>()).ok());
      }
      out.push_back(std::move(inv));
    }
    return out;
  }
  std::vector<std::string> DeliveredOf(const std::string& shard_id) {
    std::vector<std::string> out;
    for (const Invocation& inv : Invocations()) {
      if (inv.shard_id != shard_id) continue;
      out.insert(out.end(), inv.sequence_numbers.begin(), inv.sequence_numbers.end());
    }
    return out;
  }

  std::mutex mu_;
  std::vector<FailedBatch> failures_;
};

TEST_F(ExecTest, BadRecordIsIsolatedByBisectionReportedAndSkipped) {
  CreateStream("s", 2);
  std::vector<std::string> shard0 = FillKeys(0, 40, {17});
  std::vector<std::string> shard1 = FillKeys(1, 20);
  BatchCommandOptions o = Base(kPoisonScript);
  o.batch_size = 8;
  o.batch_window_ms = 60'000;  // batches are cut at 8 records
  o.retries = 1;
  o.failures_file = dir_.path() + "/failures.jsonl";
  auto w = ExecWorker(o);
  ASSERT_TRUE(w->Start().ok());
  // Shard 0 is five full batches; shard 1 two, and its last 4 records go when the worker stops.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<index::ConsumerLease> l = Leases();
        return l.size() == 2 && l[0].checkpoint == shard0.back() && l[1].checkpoint == shard1[15];
      },
      kWait));
  w->Stop();
  ASSERT_TRUE(WaitCheckpointed(2));

  // Every record but the bad one, once each, in shard order.
  std::vector<std::string> want0 = shard0;
  want0.erase(want0.begin() + 17);
  EXPECT_EQ(DeliveredOf("shardId-000000000000"), want0);
  EXPECT_EQ(DeliveredOf("shardId-000000000001"), shard1);

  // Reported once, alone, after the first attempt and one retry.
  std::lock_guard<std::mutex> l(mu_);
  ASSERT_EQ(failures_.size(), 1u);
  ASSERT_EQ(failures_[0].records.size(), 1u);
  EXPECT_EQ(failures_[0].records[0].sequence_number, shard0[17]);
  EXPECT_EQ(failures_[0].records[0].partition_key, "bad");
  EXPECT_EQ(failures_[0].shard_id, "shardId-000000000000");
  EXPECT_EQ(failures_[0].error, "exit code 3");
  EXPECT_EQ(failures_[0].attempts, 2);
  EXPECT_NE(failures_[0].output.find("bad record in batch of 1"), std::string::npos);
  std::istringstream lines(ReadWholeFile(o.failures_file));
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    n++;
    nlohmann::json j = nlohmann::json::parse(line);
    EXPECT_EQ(j["startSequenceNumber"], shard0[17]);
    EXPECT_EQ(j["batchSize"], 1);
    EXPECT_EQ(j["records"][0]["partitionKey"], "bad");
  }
  EXPECT_EQ(n, 1);
}

TEST_F(ExecTest, WithoutBisectionTheWholeBatchIsReported) {
  CreateStream("s", 1);
  std::vector<std::string> seqs = FillKeys(0, 10, {7});
  BatchCommandOptions o = Base(kPoisonScript);
  o.batch_size = 5;
  o.batch_window_ms = 60'000;
  o.retries = 0;
  o.bisect_on_error = false;
  auto w = ExecWorker(o);
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitCheckpointed(1));
  w->Stop();
  EXPECT_EQ(DeliveredOf("shardId-000000000000"),
            std::vector<std::string>(seqs.begin(), seqs.begin() + 5));
  std::lock_guard<std::mutex> l(mu_);
  ASSERT_EQ(failures_.size(), 1u);
  ASSERT_EQ(failures_[0].records.size(), 5u);
  EXPECT_EQ(failures_[0].records.front().sequence_number, seqs[5]);
  EXPECT_EQ(failures_[0].attempts, 1);
}

TEST_F(ExecTest, BatchWindowGathersRecordsIntoOneInvocation) {
  CreateStream("s", 1);
  std::vector<std::string> first = FillKeys(0, 10);
  BatchCommandOptions o = Base(kPoisonScript);
  o.batch_size = 100;
  o.batch_window_ms = 1500;
  auto w = ExecWorker(o);
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitCheckpointed(1));
  std::vector<std::string> second = FillKeys(0, 3);
  ASSERT_TRUE(WaitCheckpointed(1));
  w->Stop();
  std::vector<Invocation> calls = Invocations();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].sequence_numbers, first);
  EXPECT_EQ(calls[1].sequence_numbers, second);
}

TEST_F(ExecTest, BatchSizeBoundsEachInvocation) {
  CreateStream("s", 1);
  std::vector<std::string> seqs = FillKeys(0, 23);
  BatchCommandOptions o = Base(kPoisonScript);
  o.batch_size = 4;
  auto w = ExecWorker(o);
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitCheckpointed(1));
  w->Stop();
  for (const Invocation& inv : Invocations()) EXPECT_LE(inv.sequence_numbers.size(), 4u);
  EXPECT_EQ(DeliveredOf("shardId-000000000000"), seqs);
}

TEST_F(ExecTest, CommandTimeoutIsAFailure) {
  CreateStream("s", 1);
  std::vector<std::string> seqs = FillKeys(0, 2);
  BatchCommandOptions o = Base("sleep 30");
  o.timeout_ms = 200;
  o.retries = 0;
  o.bisect_on_error = false;
  auto w = ExecWorker(o);
  ASSERT_TRUE(w->Start().ok());
  ASSERT_TRUE(WaitCheckpointed(1));
  w->Stop();
  std::lock_guard<std::mutex> l(mu_);
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].error, "timed out after 200 ms");
  EXPECT_EQ(failures_[0].records.size(), 2u);
}

TEST_F(ExecTest, UnwritableFailuresFileRetriesInsteadOfSkipping) {
  CreateStream("s", 1);
  FillKeys(0, 3, {1});
  BatchCommandOptions o = Base(kPoisonScript);
  o.retries = 0;
  o.failures_file = dir_.path() + "/no/such/dir/failures.jsonl";
  auto w = ExecWorker(o);
  ASSERT_TRUE(w->Start().ok());
  // The bad record's report cannot be written: the shard restarts from its checkpoint again.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::lock_guard<std::mutex> l(mu_);
        return failures_.size() >= 3;
      },
      kWait));
  w->Stop();
  EXPECT_NE(Leases()[0].checkpoint, StoredSequenceNumbers("s", 0).back());
}

}  // namespace
}  // namespace sluice::consumers::exec

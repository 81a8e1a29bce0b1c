// SPDX-License-Identifier: Apache-2.0
// KinesisApi GetShardIterator / GetRecords: the five iterator types, paging with Limit,
// MillisBehindLatest and its gauge, and iterators that are forged, expired, from a deleted and
// re-created stream, from another shard, or used after a restart.
#include <string>

#include "base/metrics.h"
#include "tests/web/kinesis_fixture.h"

namespace sluice::web::api {
namespace {

constexpr char kShard0[] = "shardId-000000000000";

class GetTest : public KinesisTest {
 protected:
  // Data of the records one GetRecords call returns.
  std::vector<std::string> Page(const std::string& iterator, json extra = json::object()) {
    extra["ShardIterator"] = iterator;
    json out = Ok("GetRecords", extra);
    std::vector<std::string> data;
    for (const auto& r : out["Records"]) {
      const auto& bin = r["Data"].get_binary();
      data.emplace_back(bin.begin(), bin.end());
    }
    return data;
  }
  std::vector<std::string> ReadFrom(const std::string& type, json extra = json::object()) {
    return Page(Iterator("s", kShard0, type, std::move(extra)));
  }
};

using V = std::vector<std::string>;

TEST_F(GetTest, EveryIteratorType) {
  CreateStream("s", 1);
  std::vector<std::string> seqs;
  for (int i = 0; i < 5; ++i)
    seqs.push_back(Put("s", "A" + std::to_string(i), "k")["SequenceNumber"]);
  clock_.Advance(5000);
  const int64_t middle_ms = clock_.Now().value();
  std::string latest = Iterator("s", kShard0, "LATEST");
  EXPECT_EQ(Page(latest), V{});
  Put("s", "B0", "k");
  std::string b1 = Put("s", "B1", "k")["SequenceNumber"];

  EXPECT_EQ(Page(latest), (V{"B0", "B1"}));
  EXPECT_EQ(ReadFrom("TRIM_HORIZON"), (V{"A0", "A1", "A2", "A3", "A4", "B0", "B1"}));
  EXPECT_EQ(ReadFrom("AT_SEQUENCE_NUMBER", {{"StartingSequenceNumber", seqs[2]}}),
            (V{"A2", "A3", "A4", "B0", "B1"}));
  EXPECT_EQ(ReadFrom("AFTER_SEQUENCE_NUMBER", {{"StartingSequenceNumber", seqs[2]}}),
            (V{"A3", "A4", "B0", "B1"}));
  EXPECT_EQ(ReadFrom("AFTER_SEQUENCE_NUMBER", {{"StartingSequenceNumber", b1}}), V{});
  EXPECT_EQ(ReadFrom("AT_TIMESTAMP", {{"Timestamp", static_cast<double>(middle_ms) / 1000}}),
            (V{"B0", "B1"}));
  EXPECT_EQ(ReadFrom("AT_TIMESTAMP", {{"Timestamp", 946684800}}),
            (V{"A0", "A1", "A2", "A3", "A4", "B0", "B1"}));
  EXPECT_EQ(ReadFrom("AT_TIMESTAMP", {{"Timestamp", static_cast<double>(middle_ms) / 1000 + 3600}}),
            V{});
  EXPECT_EQ(ReadFrom("LATEST"), V{});
}

TEST_F(GetTest, RecordShapeAndNextIterator) {
  CreateStream("s", 1);
  json put = Put("s", std::string("\0payload", 8), "user1");
  std::string it = Iterator("s", kShard0, "TRIM_HORIZON");
  EXPECT_LE(it.size(), 512u);
  json out = Ok("GetRecords", {{"ShardIterator", it}});
  ASSERT_EQ(out["Records"].size(), 1u);
  json rec = out["Records"][0];
  EXPECT_EQ(rec["SequenceNumber"], put["SequenceNumber"]);
  EXPECT_EQ(rec["PartitionKey"], "user1");
  EXPECT_EQ(rec["ApproximateArrivalTimestamp"], kStartMs);
  EXPECT_TRUE(rec["Data"].is_binary());
  EXPECT_FALSE(rec.contains("EncryptionType"));
  EXPECT_EQ(out["MillisBehindLatest"], 0);
  EXPECT_FALSE(out.contains("ChildShards"));
  std::string next = out["NextShardIterator"];
  EXPECT_NE(next, it);
  json again = Ok("GetRecords", {{"ShardIterator", next}});
  EXPECT_EQ(again["Records"], json::array());
  EXPECT_TRUE(again.contains("NextShardIterator"));
  // Iterators are positions: the first one reads the same record again.
  EXPECT_EQ(Page(it), V{std::string("\0payload", 8)});
}

TEST_F(GetTest, LimitPagingAndMillisBehindLatest) {
  CreateStream("s", 1);
  for (int i = 0; i < 10; ++i) {
    Put("s", "r" + std::to_string(i), "k");
    clock_.Advance(100);
  }
  std::string it = Iterator("s", kShard0, "TRIM_HORIZON");
  std::vector<V> pages;
  std::vector<int64_t> behind;
  for (int i = 0; i < 10; ++i) {
    json out = Ok("GetRecords", {{"ShardIterator", it}, {"Limit", 3}});
    behind.push_back(out["MillisBehindLatest"]);
    if (out["Records"].empty()) break;
    V page;
    for (const auto& r : out["Records"]) {
      const auto& bin = r["Data"].get_binary();
      page.emplace_back(bin.begin(), bin.end());
    }
    pages.push_back(page);
    it = out["NextShardIterator"];
  }
  EXPECT_EQ(pages,
            (std::vector<V>{{"r0", "r1", "r2"}, {"r3", "r4", "r5"}, {"r6", "r7", "r8"}, {"r9"}}));
  // Records arrived 100 ms apart: after r2 the tip (r9) is 700 ms ahead, then 400, 100, 0.
  EXPECT_EQ(behind, (std::vector<int64_t>{700, 400, 100, 0, 0}));
  Gauge* age =
      Metrics::Global().GetGauge("sluice_iterator_age_ms", "", {{"stream", "s"}, {"shard", "0"}});
  EXPECT_EQ(age->Value(), 0);
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", it}, {"Limit", 0}}), "ValidationException");
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", it}, {"Limit", 10001}}), "ValidationException");
}

TEST_F(GetTest, ForgedAndMalformedIterators) {
  CreateStream("s", 1);
  Put("s", "x", "k");
  std::string it = Iterator("s", kShard0, "TRIM_HORIZON");
  std::string forged = it;
  forged[20] = forged[20] == 'A' ? 'B' : 'A';
  std::string msg;
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", forged}}, &msg), "InvalidArgumentException");
  EXPECT_EQ(msg, "Invalid ShardIterator.");
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", "bm90IGFuIGl0ZXI="}}), "InvalidArgumentException");
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", std::string(513, 'A')}}), "ValidationException");
  EXPECT_EQ(Err("GetRecords", json::object()), "ValidationException");
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", 7}}), "SerializationException");
  // A key other than the server's secret cannot mint iterators either.
  KinesisApi::Options other = ApiOptions();
  other.iterator_secret = "another-secret-another-secret-xx";
  api_ = std::make_unique<KinesisApi>(store_.get(), other);
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", it}}), "InvalidArgumentException");
}

TEST_F(GetTest, ExpiredIterator) {
  CreateStream("s", 1);
  Put("s", "x", "k");
  std::string it = Iterator("s", kShard0, "TRIM_HORIZON");
  clock_.Advance(300000);
  EXPECT_EQ(Page(it), V{"x"});  // exactly at the limit: still valid
  clock_.Advance(1);
  std::string msg;
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", it}}, &msg), "ExpiredIteratorException");
  EXPECT_EQ(msg,
            "Iterator expired. The iterator was created at time Tue Nov 14 22:13:20 UTC 2023 "
            "while right now it is Tue Nov 14 22:18:20 UTC 2023 which is further in the future "
            "than the tolerated delay of 300000 milliseconds.");
}

TEST_F(GetTest, IteratorOfADeletedAndRecreatedStream) {
  CreateStream("s", 1);
  Put("s", "old", "k");
  std::string it = Iterator("s", kShard0, "TRIM_HORIZON");
  Ok("DeleteStream", {{"StreamName", "s"}});
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", it}}), "ResourceNotFoundException");
  CreateStream("s", 1);
  Put("s", "new", "k");
  std::string msg;
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", it}}, &msg), "ResourceNotFoundException");
  EXPECT_EQ(msg,
            "Shard shardId-000000000000 in stream s under account 000000000000 does not exist");
  EXPECT_EQ(ReadShard("s"), V{"new"});
}

TEST_F(GetTest, IteratorsSurviveARestart) {
  CreateStream("s", 1);
  Put("s", "before", "k");
  std::string it = Iterator("s", kShard0, "TRIM_HORIZON");
  api_.reset();
  store_.reset();
  OpenStore();  // a new store and a new KinesisApi with the same secret
  EXPECT_EQ(Page(it), V{"before"});
}

TEST_F(GetTest, GetShardIteratorErrors) {
  CreateStream("s", 2);
  json on0 = Put("s", "x", "k");
  for (int i = 0; i < 64 && on0["ShardId"] != kShard0; ++i) on0 = Put("s", "x", std::to_string(i));
  ASSERT_EQ(on0["ShardId"], kShard0);
  const std::string seq0 = on0["SequenceNumber"];
  std::string msg;
  EXPECT_EQ(Err("GetShardIterator",
                {{"StreamName", "s"},
                 {"ShardId", "shardId-000000000001"},
                 {"ShardIteratorType", "AT_SEQUENCE_NUMBER"},
                 {"StartingSequenceNumber", seq0}},
                &msg),
            "InvalidArgumentException");
  EXPECT_EQ(msg,
            "Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used "
            "in a call to a shard with shardId-000000000001");
  EXPECT_EQ(Err("GetShardIterator", {{"StreamName", "s"},
                                     {"ShardId", kShard0},
                                     {"ShardIteratorType", "AT_SEQUENCE_NUMBER"},
                                     {"StartingSequenceNumber", "12345x"}}),
            "ValidationException");
  EXPECT_EQ(Err("GetShardIterator", {{"StreamName", "s"},
                                     {"ShardId", kShard0},
                                     {"ShardIteratorType", "AT_SEQUENCE_NUMBER"},
                                     {"StartingSequenceNumber", "12345"}}),
            "InvalidArgumentException");
  EXPECT_EQ(
      Err("GetShardIterator",
          {{"StreamName", "s"}, {"ShardId", kShard0}, {"ShardIteratorType", "AT_SEQUENCE_NUMBER"}}),
      "InvalidArgumentException");
  EXPECT_EQ(Err("GetShardIterator", {{"StreamName", "s"},
                                     {"ShardId", kShard0},
                                     {"ShardIteratorType", "LATEST"},
                                     {"StartingSequenceNumber", seq0}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("GetShardIterator",
                {{"StreamName", "s"}, {"ShardId", kShard0}, {"ShardIteratorType", "AT_TIMESTAMP"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("GetShardIterator",
                {{"StreamName", "s"}, {"ShardId", kShard0}, {"ShardIteratorType", "SIDEWAYS"}}),
            "ValidationException");
  EXPECT_EQ(Err("GetShardIterator",
                {{"StreamName", "s"},
                 {"ShardId", "shardId-000000000009"},
                 {"ShardIteratorType", "TRIM_HORIZON"}},
                &msg),
            "ResourceNotFoundException");
  EXPECT_EQ(msg,
            "Shard shardId-000000000009 in stream s under account 000000000000 does not exist");
  EXPECT_EQ(
      Err("GetShardIterator",
          {{"StreamName", "s"}, {"ShardId", "not-a-shard"}, {"ShardIteratorType", "TRIM_HORIZON"}}),
      "ResourceNotFoundException");
  EXPECT_EQ(
      Err("GetShardIterator",
          {{"StreamName", "nope"}, {"ShardId", kShard0}, {"ShardIteratorType", "TRIM_HORIZON"}},
          &msg),
      "ResourceNotFoundException");
  EXPECT_EQ(msg,
            "Shard shardId-000000000000 in stream nope under account 000000000000 does not exist");
  // The short form names the same shard.
  Ok("GetShardIterator", {{"StreamName", "s"}, {"ShardId", "1"}, {"ShardIteratorType", "LATEST"}});
}

TEST_F(GetTest, StreamArnAddressing) {
  CreateStream("s", 1);
  CreateStream("t", 1);
  const std::string arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
  Ok("PutRecord", {{"StreamARN", arn}, {"Data", B64("via arn")}, {"PartitionKey", "a"}});
  json it = Ok("GetShardIterator",
               {{"StreamARN", arn}, {"ShardId", kShard0}, {"ShardIteratorType", "TRIM_HORIZON"}});
  EXPECT_EQ(Page(it["ShardIterator"], {{"StreamARN", arn}}), V{"via arn"});
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", it["ShardIterator"]},
                               {"StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/t"}}),
            "InvalidArgumentException");
}

}  // namespace
}  // namespace sluice::web::api

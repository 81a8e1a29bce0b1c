// SPDX-License-Identifier: Apache-2.0
// KinesisApi PutRecord / PutRecords: acknowledgements, MD5 and explicit-hash routing over four
// shards, CBOR input, per-record failures from the engine, and every bad input rejected with the
// AWS error type while the stored records stay exactly as they were.
#include <string>

#include "base/uint128.h"
#include "tests/web/kinesis_fixture.h"

namespace sluice::web::api {
namespace {

class PutTest : public KinesisTest {
 protected:
  // Every record of every shard of a 2-shard stream, for "nothing changed" checks.
  std::vector<std::string> Snapshot(const std::string& stream) {
    std::vector<std::string> all = ReadShard(stream, "shardId-000000000000");
    for (auto& d : ReadShard(stream, "shardId-000000000001")) all.push_back("1:" + d);
    return all;
  }

  json Records(int n, const std::string& data = "r") {
    json list = json::array();
    for (int i = 0; i < n; ++i) {
      list.push_back({{"Data", B64(data)}, {"PartitionKey", "key-" + std::to_string(i)}});
    }
    return list;
  }
};

constexpr char kMax[] = "340282366920938463463374607431768211455";

TEST_F(PutTest, PutRecordRoundTrip) {
  CreateStream("s", 1);
  json put = Put("s", std::string("\0\1\2binary", 9), "user1");
  EXPECT_EQ(put["ShardId"], "shardId-000000000000");
  EXPECT_FALSE(put["SequenceNumber"].get<std::string>().empty());
  EXPECT_FALSE(put.contains("EncryptionType"));
  EXPECT_EQ(ReadShard("s"), std::vector<std::string>{std::string("\0\1\2binary", 9)});
}

TEST_F(PutTest, FourShardMd5RoutingAndExplicitHashKey) {
  CreateStream("r", 4);
  json shards = Ok("ListShards", {{"StreamName", "r"}})["Shards"];
  ASSERT_EQ(shards.size(), 4u);
  auto expected = [&](uint128 h) {
    for (const auto& s : shards) {
      auto lo = ParseUint128(s["HashKeyRange"]["StartingHashKey"].get<std::string>());
      auto hi = ParseUint128(s["HashKeyRange"]["EndingHashKey"].get<std::string>());
      if (h >= *lo && h <= *hi) return s["ShardId"].get<std::string>();
    }
    return std::string();
  };
  std::set<std::string> seen;
  for (int i = 0; i < 40; ++i) {
    std::string key = "device-" + std::to_string(i) + "-\xc3\xa9";
    json put = Put("r", "x", key);
    EXPECT_EQ(put["ShardId"], expected(Md5AsUint128(key))) << key;
    seen.insert(put["ShardId"]);
  }
  EXPECT_EQ(seen.size(), 4u);
  json batch = Ok("PutRecords", {{"StreamName", "r"}, {"Records", Records(20)}});
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(batch["Records"][i]["ShardId"], expected(Md5AsUint128("key-" + std::to_string(i))));
  }
  json hi = Ok(
      "PutRecord",
      {{"StreamName", "r"}, {"Data", B64("z")}, {"PartitionKey", "k"}, {"ExplicitHashKey", kMax}});
  EXPECT_EQ(hi["ShardId"], "shardId-000000000003");
  json lo = Ok("PutRecord", {{"StreamName", "r"},
                             {"Data", B64("z")},
                             {"PartitionKey", "k"},
                             {"ExplicitHashKey", "0"},
                             {"SequenceNumberForOrdering", "1"}});
  EXPECT_EQ(lo["ShardId"], "shardId-000000000000");
}

TEST_F(PutTest, PutRecordsKeepsOrderAndReportsEach) {
  CreateStream("b", 2);
  json out = Ok("PutRecords", {{"StreamName", "b"}, {"Records", Records(500, "p")}});
  EXPECT_EQ(out["FailedRecordCount"], 0);
  ASSERT_EQ(out["Records"].size(), 500u);
  std::map<std::string, std::vector<std::string>> per_shard;
  for (const auto& r : out["Records"]) {
    per_shard[r["ShardId"]].push_back(r["SequenceNumber"]);
  }
  for (auto& [shard, seqs] : per_shard) {
    for (size_t i = 1; i < seqs.size(); ++i) {
      EXPECT_LT(*ParseUint128(seqs[i - 1]), *ParseUint128(seqs[i])) << shard;
    }
    EXPECT_EQ(ReadShard("b", shard).size(), seqs.size());
  }
}

TEST_F(PutTest, CborInputWithBinaryData) {
  CreateStream("c", 1);
  json data = json::binary({0xff, 0x00, 0x10});
  json out = Ok("PutRecords",
                {{"StreamName", "c"}, {"Records", {{{"Data", data}, {"PartitionKey", "k"}}}}},
                WireFormat::kCbor);
  EXPECT_EQ(out["FailedRecordCount"], 0);
  EXPECT_EQ(ReadShard("c"), std::vector<std::string>{std::string("\xff\x00\x10", 3)});
}

TEST_F(PutTest, BadInputIsRejectedAndChangesNothing) {
  CreateStream("e", 2);
  Ok("PutRecords", {{"StreamName", "e"}, {"Records", Records(6, "seed")}});
  const std::vector<std::string> before = Snapshot("e");
  const std::string mib(1024 * 1024, 'x');
  std::string msg;

  EXPECT_EQ(
      Err("PutRecord",
          {{"StreamName", "e"}, {"Data", B64("x")}, {"PartitionKey", std::string(257, 'p')}}, &msg),
      "ValidationException");
  EXPECT_EQ(msg, "1 validation error detected: Value '" + std::string(257, 'p') +
                     "' at 'partitionKey' failed to satisfy constraint: Member must have length "
                     "less than or equal to 256");
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "e"}, {"Data", B64(mib + "x")}, {"PartitionKey", "k"}},
                &msg),
            "ValidationException");
  EXPECT_EQ(msg,
            "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 "
            "cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less "
            "than or equal to 1048576");
  // The limit counts data plus partition key.
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "e"}, {"Data", B64(mib)}, {"PartitionKey", "k"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "e"}, {"Data", B64("x")}}, &msg),
            "ValidationException");
  EXPECT_EQ(msg,
            "1 validation error detected: Value null at 'partitionKey' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "e"},
                              {"Data", B64("x")},
                              {"PartitionKey", "k"},
                              {"ExplicitHashKey", "12ab"}}),
            "ValidationException");
  EXPECT_EQ(Err("PutRecord",
                {{"StreamName", "e"},
                 {"Data", B64("x")},
                 {"PartitionKey", "k"},
                 {"ExplicitHashKey", "340282366920938463463374607431768211456"}},
                &msg),
            "InvalidArgumentException");
  EXPECT_EQ(msg,
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            "Specified value was 340282366920938463463374607431768211456");
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "e"},
                              {"Data", B64("x")},
                              {"PartitionKey", "k"},
                              {"SequenceNumberForOrdering", "01"}}),
            "ValidationException");
  EXPECT_EQ(
      Err("PutRecord", {{"StreamName", "e"}, {"Data", "!!not base64!!"}, {"PartitionKey", "k"}}),
      "SerializationException");
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "e"}, {"Data", 12}, {"PartitionKey", "k"}}),
            "SerializationException");
  EXPECT_EQ(Err("PutRecord", {{"Data", B64("x")}, {"PartitionKey", "k"}}),
            "InvalidArgumentException");
  EXPECT_EQ(
      Err("PutRecord", {{"StreamName", "nope"}, {"Data", B64("x")}, {"PartitionKey", "k"}}, &msg),
      "ResourceNotFoundException");
  EXPECT_EQ(msg, "Stream nope under account 000000000000 not found.");
  // Validation comes before the stream lookup.
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "nope"}, {"Data", B64("x")}, {"PartitionKey", ""}}),
            "ValidationException");
  EXPECT_EQ(Snapshot("e"), before);
}

TEST_F(PutTest, BadBatchesAreRejectedWhole) {
  CreateStream("e", 2);
  Ok("PutRecords", {{"StreamName", "e"}, {"Records", Records(4, "seed")}});
  const std::vector<std::string> before = Snapshot("e");
  std::string msg;

  EXPECT_EQ(Err("PutRecords", {{"StreamName", "e"}, {"Records", Records(501)}}, &msg),
            "ValidationException");
  EXPECT_NE(msg.find("at 'records' failed to satisfy constraint: Member must have length less "
                     "than or equal to 500"),
            std::string::npos);
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "e"}, {"Records", json::array()}}),
            "ValidationException");
  json one_big = Records(2);
  one_big[1]["Data"] = B64(std::string(1024 * 1024 + 1, 'b'));
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "e"}, {"Records", one_big}}, &msg),
            "ValidationException");
  EXPECT_NE(msg.find("at 'records.2.member.data' failed to satisfy constraint"), std::string::npos);
  json two_bad = Records(3);
  two_bad[0]["PartitionKey"] = "";
  two_bad[2].erase("Data");
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "e"}, {"Records", two_bad}}, &msg),
            "ValidationException");
  EXPECT_EQ(msg,
            "2 validation errors detected: Value '' at 'records.1.member.partitionKey' failed "
            "to satisfy constraint: Member must have length greater than or equal to 1; Value "
            "null at 'records.3.member.data' failed to satisfy constraint: Member must not be "
            "null");
  json bad_hash = Records(2);
  bad_hash[1]["ExplicitHashKey"] = "340282366920938463463374607431768211456";
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "e"}, {"Records", bad_hash}}),
            "InvalidArgumentException");
  // Six records of 1,000,000 bytes: each fits, together they pass 5 MiB.
  EXPECT_EQ(
      Err("PutRecords", {{"StreamName", "e"}, {"Records", Records(6, std::string(1000000, 'q'))}}),
      "InvalidArgumentException");
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "e"}, {"Records", "x"}}), "SerializationException");
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "e"}, {"Records", {1, 2}}}),
            "SerializationException");
  EXPECT_EQ(Snapshot("e"), before);
}

TEST_F(PutTest, DiskFullIsAnInternalFailureNamingTheCause) {
  CreateStream("f", 1);
  Put("f", "ok", "k");
  env_.SetWriteBudget(0);  // the disk is full: the engine answers ResourceExhausted
  json out = Ok("PutRecords", {{"StreamName", "f"}, {"Records", Records(3)}});
  EXPECT_EQ(out["FailedRecordCount"], 3);
  for (const auto& r : out["Records"]) {
    EXPECT_EQ(r["ErrorCode"], "InternalFailure");
    EXPECT_NE(r["ErrorMessage"].get<std::string>().find("No space left on device"),
              std::string::npos);
    EXPECT_FALSE(r.contains("SequenceNumber"));
  }
  std::string msg;
  EXPECT_EQ(
      Err("PutRecord", {{"StreamName", "f"}, {"Data", B64("x")}, {"PartitionKey", "k"}}, &msg),
      "InternalFailure");
  EXPECT_NE(msg.find("No space left on device"), std::string::npos);
  env_.SetWriteBudget(std::nullopt);
  // Space is back: the stream takes writes again.
  Put("f", "again", "k");
}

TEST_F(PutTest, FailedSyncIsInternalFailure) {
  CreateStream("g", 1);
  Put("g", "ok", "k");
  env_.FailSyncs(1);
  json out = Ok("PutRecords", {{"StreamName", "g"}, {"Records", Records(1)}});
  EXPECT_EQ(out["FailedRecordCount"], 1);
  EXPECT_EQ(out["Records"][0]["ErrorCode"], "InternalFailure");
}

TEST_F(PutTest, StreamArnAndLargeRecordStreams) {
  Ok("CreateStream", {{"StreamName", "big"}, {"ShardCount", 1}, {"MaxRecordSizeInKiB", 2048}});
  const std::string arn = "arn:aws:kinesis:us-east-1:000000000000:stream/big";
  std::string data(1536 * 1024, 'L');
  json put = Ok("PutRecord", {{"StreamARN", arn}, {"Data", B64(data)}, {"PartitionKey", "k"}});
  EXPECT_EQ(put["ShardId"], "shardId-000000000000");
  std::string msg;
  EXPECT_EQ(Err("PutRecord",
                {{"StreamARN", arn},
                 {"Data", B64(std::string(2048 * 1024 + 1, 'L'))},
                 {"PartitionKey", "k"}},
                &msg),
            "ValidationException");
  EXPECT_NE(msg.find("Member must have length less than or equal to 2097152"), std::string::npos);
  std::vector<std::string> stored = ReadShard("big");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_TRUE(stored[0] == data);  // (not EXPECT_EQ: a failure would print 1.5 MiB)
}

}  // namespace
}  // namespace sluice::web::api

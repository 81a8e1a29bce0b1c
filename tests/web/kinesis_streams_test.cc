// SPDX-License-Identifier: Apache-2.0
// KinesisApi stream lifecycle and listing: CreateStream (both modes, validation, quotas),
// DeleteStream, DescribeStream (+ paging), DescribeStreamSummary, ListStreams (+ paging and
// NextToken), DescribeLimits, StreamARN addressing and the exception barrier.
#include <string>

#include "tests/web/kinesis_fixture.h"

namespace sluice::web::api {
namespace {

using StreamsTest = KinesisTest;

std::vector<std::string> ShardIds(const json& shards) {
  std::vector<std::string> out;
  for (const auto& s : shards) out.push_back(s["ShardId"]);
  return out;
}

TEST_F(StreamsTest, CreateAndDescribeProvisioned) {
  CreateStream("orders", 3);
  json d = Ok("DescribeStream", {{"StreamName", "orders"}})["StreamDescription"];
  EXPECT_EQ(d["StreamName"], "orders");
  EXPECT_EQ(d["StreamARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
  EXPECT_EQ(d["StreamStatus"], "ACTIVE");
  EXPECT_EQ(d["StreamModeDetails"]["StreamMode"], "PROVISIONED");
  EXPECT_EQ(d["RetentionPeriodHours"], 24);
  EXPECT_EQ(d["StreamCreationTimestamp"], kStartMs);
  EXPECT_EQ(d["HasMoreShards"], false);
  EXPECT_EQ(d["EncryptionType"], "NONE");
  EXPECT_EQ(d["EnhancedMonitoring"], json::parse(R"([{"ShardLevelMetrics":[]}])"));
  EXPECT_EQ(ShardIds(d["Shards"]),
            (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001",
                                      "shardId-000000000002"}));
  json s0 = d["Shards"][0];
  EXPECT_EQ(s0["HashKeyRange"]["StartingHashKey"], "0");
  EXPECT_EQ(d["Shards"][2]["HashKeyRange"]["EndingHashKey"],
            "340282366920938463463374607431768211455");
  EXPECT_TRUE(s0["SequenceNumberRange"].contains("StartingSequenceNumber"));
  EXPECT_FALSE(s0["SequenceNumberRange"].contains("EndingSequenceNumber"));
  EXPECT_FALSE(s0.contains("ParentShardId"));

  json sum = Ok("DescribeStreamSummary", {{"StreamName", "orders"}})["StreamDescriptionSummary"];
  EXPECT_EQ(sum["OpenShardCount"], 3);
  EXPECT_EQ(sum["ConsumerCount"], 0);
  EXPECT_EQ(sum["MaxRecordSizeInKiB"], 1024);
  EXPECT_EQ(sum["StreamARN"], d["StreamARN"]);
  EXPECT_FALSE(sum.contains("Shards"));
}

TEST_F(StreamsTest, CreateOnDemandDefaultsToFourShards) {
  Ok("CreateStream", {{"StreamName", "od"},
                      {"StreamModeDetails", {{"StreamMode", "ON_DEMAND"}}},
                      {"MaxRecordSizeInKiB", 2048},
                      {"Tags", {{"team", "video"}}}});
  json sum = Ok("DescribeStreamSummary", {{"StreamName", "od"}})["StreamDescriptionSummary"];
  EXPECT_EQ(sum["StreamModeDetails"]["StreamMode"], "ON_DEMAND");
  EXPECT_EQ(sum["OpenShardCount"], 4);
  EXPECT_EQ(sum["MaxRecordSizeInKiB"], 2048);
  json tags = Ok("ListTagsForStream", {{"StreamName", "od"}});
  EXPECT_EQ(tags["Tags"], json::parse(R"([{"Key":"team","Value":"video"}])"));
  json limits = Ok("DescribeLimits", json::object());
  EXPECT_EQ(limits["OnDemandStreamCount"], 1);
  EXPECT_EQ(limits["OnDemandStreamCountLimit"], 50);
  EXPECT_EQ(limits["OpenShardCount"], 4);
  EXPECT_EQ(limits["ShardLimit"], 500);
}

TEST_F(StreamsTest, CreateValidation) {
  std::string msg;
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "bad name!"}, {"ShardCount", 1}}, &msg),
            "ValidationException");
  EXPECT_EQ(msg,
            "1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", std::string(129, 'a')}, {"ShardCount", 0}}, &msg),
            "ValidationException");
  EXPECT_EQ(msg,
            "2 validation errors detected: Value '0' at 'shardCount' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1; Value '" +
                std::string(129, 'a') +
                "' at 'streamName' failed to satisfy constraint: Member must have length less "
                "than or equal to 128");
  EXPECT_EQ(Err("CreateStream", {{"ShardCount", 1}}, &msg), "ValidationException");
  EXPECT_EQ(msg,
            "1 validation error detected: Value null at 'streamName' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "p"}}, &msg), "ValidationException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "od"},
                                 {"ShardCount", 2},
                                 {"StreamModeDetails", {{"StreamMode", "ON_DEMAND"}}}}),
            "ValidationException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "m"}, {"StreamModeDetails", {{"StreamMode", "X"}}}},
                &msg),
            "ValidationException");
  EXPECT_NE(msg.find("Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]"),
            std::string::npos);
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "t"}, {"ShardCount", "three"}}),
            "SerializationException");
  EXPECT_EQ(
      Err("CreateStream", {{"StreamName", "k"}, {"ShardCount", 1}, {"MaxRecordSizeInKiB", 100}}),
      "ValidationException");
  EXPECT_EQ(Ok("ListStreams", json::object())["StreamNames"], json::array());
}

TEST_F(StreamsTest, CreateExistingNameAndShardLimit) {
  CreateStream("dup", 1);
  std::string msg;
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "dup"}, {"ShardCount", 2}}, &msg),
            "ResourceInUseException");
  EXPECT_EQ(msg, "Stream dup under account 000000000000 already exists.");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "huge"}, {"ShardCount", 500}}, &msg),
            "LimitExceededException");
  EXPECT_EQ(msg,
            "This request would exceed the shard limit for the account 000000000000 in "
            "us-east-1. Current shard count for the account: 1. Limit: 500. Number of additional "
            "shards that would have resulted from this request: 500.");
  EXPECT_EQ(Ok("ListStreams", json::object())["StreamNames"], json::array({"dup"}));
}

TEST_F(StreamsTest, DeleteStreamAndNotFound) {
  CreateStream("gone", 1);
  Ok("DeleteStream", {{"StreamName", "gone"}, {"EnforceConsumerDeletion", true}});
  std::string msg;
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", "gone"}}, &msg), "ResourceNotFoundException");
  EXPECT_EQ(msg, "Stream gone under account 000000000000 not found.");
  EXPECT_EQ(Err("DeleteStream", {{"StreamName", "gone"}}), "ResourceNotFoundException");
  EXPECT_EQ(Err("DescribeStreamSummary", {{"StreamName", "gone"}}), "ResourceNotFoundException");
  EXPECT_EQ(Err("DescribeStreamSummary", json::object()), "InvalidArgumentException");
}

TEST_F(StreamsTest, DescribeStreamPagesShards) {
  CreateStream("five", 5);
  json first = Ok("DescribeStream", {{"StreamName", "five"}, {"Limit", 2}})["StreamDescription"];
  EXPECT_EQ(ShardIds(first["Shards"]),
            (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"}));
  EXPECT_EQ(first["HasMoreShards"], true);
  json rest = Ok("DescribeStream",
                 {{"StreamName", "five"}, {"ExclusiveStartShardId", "shardId-000000000001"}});
  EXPECT_EQ(ShardIds(rest["StreamDescription"]["Shards"]),
            (std::vector<std::string>{"shardId-000000000002", "shardId-000000000003",
                                      "shardId-000000000004"}));
  EXPECT_EQ(rest["StreamDescription"]["HasMoreShards"], false);
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", "five"}, {"Limit", 0}}), "ValidationException");
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", "five"}, {"Limit", 10001}}),
            "ValidationException");
}

TEST_F(StreamsTest, ListStreamsPaging) {
  for (const char* n : {"charlie", "alpha", "bravo"}) CreateStream(n, 1);
  json all = Ok("ListStreams", json::object());
  EXPECT_EQ(all["StreamNames"], json::array({"alpha", "bravo", "charlie"}));
  EXPECT_EQ(all["HasMoreStreams"], false);
  EXPECT_FALSE(all.contains("NextToken"));
  ASSERT_EQ(all["StreamSummaries"].size(), 3u);
  EXPECT_EQ(all["StreamSummaries"][0]["StreamARN"],
            "arn:aws:kinesis:us-east-1:000000000000:stream/alpha");
  EXPECT_EQ(all["StreamSummaries"][0]["StreamStatus"], "ACTIVE");
  // The engine keeps creation times unique per stream: within a few ms of the clock.
  EXPECT_NEAR(all["StreamSummaries"][0]["StreamCreationTimestamp"].get<int64_t>(), kStartMs, 10);

  json first = Ok("ListStreams", {{"Limit", 1}});
  EXPECT_EQ(first["StreamNames"], json::array({"alpha"}));
  EXPECT_EQ(first["HasMoreStreams"], true);
  json second = Ok("ListStreams", {{"Limit", 1}, {"NextToken", first["NextToken"]}});
  EXPECT_EQ(second["StreamNames"], json::array({"bravo"}));
  json after = Ok("ListStreams", {{"ExclusiveStartStreamName", "bravo"}});
  EXPECT_EQ(after["StreamNames"], json::array({"charlie"}));

  EXPECT_EQ(Err("ListStreams", {{"NextToken", "garbage"}}), "InvalidArgumentException");
  clock_.Advance(300001);
  EXPECT_EQ(Err("ListStreams", {{"NextToken", second["NextToken"]}}), "ExpiredNextTokenException");
  EXPECT_EQ(Err("ListStreams", {{"Limit", 0}}), "ValidationException");
}

TEST_F(StreamsTest, VideoStreamsAreNotKinesisStreams) {
  engine::StreamConfig video;
  video.name = "camera";
  video.kind = engine::StreamKind::kVideo;
  ASSERT_TRUE(store_->CreateStream(video).ok());
  CreateStream("data", 1);
  EXPECT_EQ(Ok("ListStreams", json::object())["StreamNames"], json::array({"data"}));
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", "camera"}}), "ResourceNotFoundException");
}

TEST_F(StreamsTest, StreamArnAddressing) {
  CreateStream("byarn", 2);
  const std::string arn = "arn:aws:kinesis:us-east-1:000000000000:stream/byarn";
  json d = Ok("DescribeStreamSummary", {{"StreamARN", arn}})["StreamDescriptionSummary"];
  EXPECT_EQ(d["StreamName"], "byarn");
  Ok("DescribeStream", {{"StreamARN", arn}, {"StreamName", "byarn"}});
  std::string msg;
  EXPECT_EQ(Err("DescribeStream",
                {{"StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/nope"}}, &msg),
            "ResourceNotFoundException");
  EXPECT_EQ(msg, "Stream nope under account 000000000000 not found.");
  EXPECT_EQ(Err("DescribeStream", {{"StreamARN", "not-an-arn"}}), "ValidationException");
  CreateStream("other", 1);
  EXPECT_EQ(Err("DescribeStream", {{"StreamARN", arn}, {"StreamName", "other"}}),
            "InvalidArgumentException");
}

TEST_F(StreamsTest, UnknownOperationAndWrongTypes) {
  EXPECT_FALSE(api_->Handles("MakeCoffee"));
  EXPECT_TRUE(api_->Handles("PutRecords"));
  EXPECT_EQ(Err("MakeCoffee", json::object()), "UnknownOperationException");
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", 5}}), "SerializationException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "x"}, {"ShardCount", 1}, {"Tags", "t"}}),
            "SerializationException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "x"}, {"StreamModeDetails", json::array()}}),
            "SerializationException");
}

}  // namespace
}  // namespace sluice::web::api

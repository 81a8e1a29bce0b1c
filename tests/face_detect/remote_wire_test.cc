// SPDX-License-Identifier: Apache-2.0
// The remote consumer's JSON: GetMedia start selectors, PutRecords bodies and per-record errors,
// the shard a partition key maps to (MD5 inside HashKeyRange), GetRecords pages, error types,
// and base64 both ways.
#include "consumers/face_detect/remote_wire.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/uint128.h"

namespace sluice::consumers::face_detect::wire {
namespace {

using nlohmann::json;

TEST(RemoteWireTest, GetMediaSelectors) {
  EXPECT_EQ(
      json::parse(GetMediaBody("cam", {.type = StartPosition::Type::kEarliest})),
      json::parse(R"({"StreamName":"cam","StartSelector":{"StartSelectorType":"EARLIEST"}})"));
  EXPECT_EQ(json::parse(GetMediaBody("cam", {.type = StartPosition::Type::kNow}))["StartSelector"],
            json::parse(R"({"StartSelectorType":"NOW"})"));
  EXPECT_EQ(json::parse(GetMediaBody("cam", {.type = StartPosition::Type::kAfterFragment,
                                             .fragment_number = "123"}))["StartSelector"],
            json::parse(R"({"StartSelectorType":"FRAGMENT_NUMBER","AfterFragmentNumber":"123"})"));
  const json t = json::parse(GetMediaBody(
      "cam", {.type = StartPosition::Type::kServerTimestamp, .timestamp = TimestampMs(1500)}));
  EXPECT_EQ(t["StartSelector"]["StartSelectorType"], "SERVER_TIMESTAMP");
  EXPECT_DOUBLE_EQ(t["StartSelector"]["StartTimestamp"].get<double>(), 1.5);
}

TEST(RemoteWireTest, PutRecords) {
  const json body = json::parse(PutRecordsBody("out", {{"cam", "{\"a\":1}"}, {"cam", "xy"}}));
  EXPECT_EQ(body["StreamName"], "out");
  ASSERT_EQ(body["Records"].size(), 2u);
  EXPECT_EQ(body["Records"][0]["PartitionKey"], "cam");
  EXPECT_EQ(*Base64Decode(body["Records"][0]["Data"].get<std::string>()), "{\"a\":1}");
  auto errors = ParsePutRecordsErrors(
      R"({"FailedRecordCount":1,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"},
          {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"slow down"}]})",
      2);
  ASSERT_TRUE(errors.ok()) << errors.status().ToString();
  EXPECT_FALSE((*errors)[0].has_value());
  EXPECT_EQ((*errors)[1], "ProvisionedThroughputExceededException: slow down");
  EXPECT_FALSE(ParsePutRecordsErrors(R"({"Records":[]})", 2).ok());
}

TEST(RemoteWireTest, ShardsHoldingAPartitionKey) {
  const uint128 half = kUint128Max / 2;
  const json shards = {
      {"Shards",
       {{{"ShardId", "shardId-000000000000"},
         {"HashKeyRange", {{"StartingHashKey", "0"}, {"EndingHashKey", FormatUint128(half)}}}},
        {{"ShardId", "shardId-000000000001"},
         {"HashKeyRange",
          {{"StartingHashKey", FormatUint128(half + 1)},
           {"EndingHashKey", FormatUint128(kUint128Max)}}}}}},
      {"NextToken", "more"}};
  for (const std::string key : {"cam1", "cam2", "front-door", "x"}) {
    auto page = ParseShardsHoldingKey(shards.dump(), key);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_EQ(page->shard_ids.size(), 1u);
    EXPECT_EQ(page->shard_ids[0],
              Md5AsUint128(key) <= half ? "shardId-000000000000" : "shardId-000000000001");
    EXPECT_EQ(page->next_token, "more");
  }
}

TEST(RemoteWireTest, GetRecordsPages) {
  auto page = ParseGetRecords(json{
      {"Records",
       {{{"Data", Base64Encode("hello")}, {"PartitionKey", "cam"}, {"SequenceNumber", "1"}}}},
      {"NextShardIterator", "it2"},
      {"MillisBehindLatest", 0}}.dump());
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].data, "hello");
  EXPECT_EQ(page->records[0].partition_key, "cam");
  EXPECT_EQ(page->next_iterator, "it2");
  auto end = ParseGetRecords(R"({"Records":[],"MillisBehindLatest":5})");
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->next_iterator.has_value());
  EXPECT_EQ(end->millis_behind_latest, 5);
  const json at =
      json::parse(GetShardIteratorBody("out", "shardId-000000000000", TimestampMs(2500)));
  EXPECT_EQ(at["ShardIteratorType"], "AT_TIMESTAMP");
  EXPECT_DOUBLE_EQ(at["Timestamp"].get<double>(), 2.5);
  EXPECT_EQ(json::parse(GetShardIteratorBody("out", "s", std::nullopt))["ShardIteratorType"],
            "TRIM_HORIZON");
}

TEST(RemoteWireTest, Errors) {
  EXPECT_EQ(ErrorType(R"({"__type":"ResourceNotFoundException","message":"no"})"),
            "ResourceNotFoundException");
  EXPECT_EQ(ErrorType(R"({"__type":"com.amazonaws#ResourceInUseException"})"),
            "ResourceInUseException");
  EXPECT_EQ(ErrorType("<html>"), "");
  EXPECT_EQ(ErrorText(400, R"({"__type":"X","message":"why"})"), "HTTP 400 X: why");
}

TEST(RemoteWireTest, Base64) {
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto back = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(back.ok()) << s;
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(*Base64Decode(Base64Encode(all)), all);
  for (const char* bad : {"Zm9", "Zm9v!A==", "Z=9v", "Zg==Zg=="}) {
    EXPECT_FALSE(Base64Decode(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace sluice::consumers::face_detect::wire

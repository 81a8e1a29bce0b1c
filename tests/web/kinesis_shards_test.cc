// SPDX-License-Identifier: Apache-2.0
// KinesisApi ListShards: MaxResults paging with NextToken (signed, expiring, exclusive with
// StreamName), ExclusiveStartShardId, the ShardFilter types and StreamCreationTimestamp.
#include <string>

#include "tests/web/kinesis_fixture.h"

namespace sluice::web::api {
namespace {

class ShardsTest : public KinesisTest {
 protected:
  std::vector<std::string> Ids(const json& out) {
    std::vector<std::string> ids;
    for (const auto& s : out["Shards"]) ids.push_back(s["ShardId"]);
    return ids;
  }
  std::vector<std::string> Filtered(json filter) {
    return Ids(Ok("ListShards", {{"StreamName", "s"}, {"ShardFilter", filter}}));
  }
  static std::string Id(int i) {
    std::string n = std::to_string(i);
    return "shardId-" + std::string(12 - n.size(), '0') + n;
  }
  const std::vector<std::string> all_ = {Id(0), Id(1), Id(2), Id(3)};
};

TEST_F(ShardsTest, PagesWithNextTokenAndExclusiveStart) {
  CreateStream("s", 4);
  json full = Ok("ListShards", {{"StreamName", "s"}});
  EXPECT_EQ(Ids(full), all_);
  EXPECT_FALSE(full.contains("NextToken"));
  EXPECT_EQ(full["Shards"][1]["HashKeyRange"]["StartingHashKey"],
            "85070591730234615865843651857942052864");

  std::vector<std::string> got;
  json out = Ok("ListShards", {{"StreamName", "s"}, {"MaxResults", 1}});
  for (int i = 0; i < 10; ++i) {
    for (auto& id : Ids(out)) got.push_back(id);
    if (!out.contains("NextToken")) break;
    out = Ok("ListShards", {{"NextToken", out["NextToken"]}, {"MaxResults", 1}});
  }
  EXPECT_EQ(got, all_);
  json three = Ok("ListShards", {{"StreamName", "s"}, {"MaxResults", 3}});
  EXPECT_EQ(Ids(three).size(), 3u);
  json last = Ok("ListShards", {{"NextToken", three["NextToken"]}});
  EXPECT_EQ(Ids(last), std::vector<std::string>{Id(3)});

  EXPECT_EQ(Ids(Ok("ListShards", {{"StreamName", "s"}, {"ExclusiveStartShardId", Id(1)}})),
            (std::vector<std::string>{Id(2), Id(3)}));
  const std::string arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
  EXPECT_EQ(Ids(Ok("ListShards", {{"StreamARN", arn}})), all_);
}

TEST_F(ShardsTest, NextTokenRules) {
  CreateStream("s", 4);
  std::string token = Ok("ListShards", {{"StreamName", "s"}, {"MaxResults", 1}})["NextToken"];
  std::string msg;
  EXPECT_EQ(Err("ListShards", {{"StreamName", "s"}, {"NextToken", token}}, &msg),
            "InvalidArgumentException");
  EXPECT_EQ(msg, "NextToken and StreamName cannot be provided together.");
  EXPECT_EQ(Err("ListShards", {{"NextToken", token}, {"ExclusiveStartShardId", Id(0)}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("ListShards", {{"NextToken", token}, {"StreamCreationTimestamp", 1.0}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("ListShards", json::object(), &msg), "InvalidArgumentException");
  EXPECT_EQ(msg, "Either NextToken or StreamName should be provided.");
  std::string forged = token;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Err("ListShards", {{"NextToken", forged}}), "InvalidArgumentException");
  EXPECT_EQ(Err("ListShards", {{"NextToken", ""}}), "ValidationException");

  clock_.Advance(299000);
  Ok("ListShards", {{"NextToken", token}});
  clock_.Advance(2000);
  EXPECT_EQ(Err("ListShards", {{"NextToken", token}}), "ExpiredNextTokenException");
}

TEST_F(ShardsTest, TokenOfADeletedStream) {
  CreateStream("s", 2);
  std::string token = Ok("ListShards", {{"StreamName", "s"}, {"MaxResults", 1}})["NextToken"];
  Ok("DeleteStream", {{"StreamName", "s"}});
  CreateStream("s", 2);
  EXPECT_EQ(Err("ListShards", {{"NextToken", token}}), "ResourceNotFoundException");
}

TEST_F(ShardsTest, ShardFilters) {
  CreateStream("s", 4);
  const double now_s = static_cast<double>(clock_.Now().value()) / 1000;
  EXPECT_EQ(Filtered({{"Type", "AFTER_SHARD_ID"}, {"ShardId", Id(1)}}),
            (std::vector<std::string>{Id(2), Id(3)}));
  EXPECT_EQ(Filtered({{"Type", "AT_TRIM_HORIZON"}}), all_);
  EXPECT_EQ(Filtered({{"Type", "FROM_TRIM_HORIZON"}}), all_);
  EXPECT_EQ(Filtered({{"Type", "AT_LATEST"}}), all_);
  EXPECT_EQ(Filtered({{"Type", "AT_TIMESTAMP"}, {"Timestamp", now_s}}), all_);
  EXPECT_EQ(Filtered({{"Type", "AT_TIMESTAMP"}, {"Timestamp", now_s - 3600}}), all_);
  EXPECT_EQ(Filtered({{"Type", "FROM_TIMESTAMP"}, {"Timestamp", now_s + 3600}}), all_);
  json paged = Ok("ListShards", {{"StreamName", "s"},
                                 {"ShardFilter", {{"Type", "AFTER_SHARD_ID"}, {"ShardId", Id(0)}}},
                                 {"MaxResults", 2}});
  EXPECT_EQ(Ids(paged), (std::vector<std::string>{Id(1), Id(2)}));
  EXPECT_EQ(Ids(Ok("ListShards", {{"NextToken", paged["NextToken"]}})),
            std::vector<std::string>{Id(3)});

  EXPECT_EQ(Err("ListShards", {{"StreamName", "s"}, {"ShardFilter", {{"Type", "AFTER_SHARD_ID"}}}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("ListShards", {{"StreamName", "s"}, {"ShardFilter", {{"Type", "AT_TIMESTAMP"}}}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("ListShards", {{"StreamName", "s"}, {"ShardFilter", {{"Type", "SIDEWAYS"}}}}),
            "ValidationException");
  EXPECT_EQ(Err("ListShards", {{"StreamName", "s"}, {"ShardFilter", {{"ShardId", Id(0)}}}}),
            "ValidationException");
  EXPECT_EQ(Err("ListShards", {{"StreamName", "s"}, {"ShardFilter", "AT_LATEST"}}),
            "SerializationException");
}

TEST_F(ShardsTest, StreamCreationTimestampAndLimits) {
  CreateStream("s", 2);
  int64_t created =
      Ok("DescribeStreamSummary",
         {{"StreamName", "s"}})["StreamDescriptionSummary"]["StreamCreationTimestamp"];
  EXPECT_EQ(
      Ids(Ok("ListShards", {{"StreamName", "s"},
                            {"StreamCreationTimestamp", static_cast<double>(created) / 1000}}))
          .size(),
      2u);
  EXPECT_EQ(
      Err("ListShards", {{"StreamName", "s"},
                         {"StreamCreationTimestamp", static_cast<double>(created) / 1000 - 60}}),
      "ResourceNotFoundException");
  EXPECT_EQ(Err("ListShards", {{"StreamName", "s"}, {"MaxResults", 0}}), "ValidationException");
  EXPECT_EQ(Err("ListShards", {{"StreamName", "s"}, {"MaxResults", 10001}}), "ValidationException");
  EXPECT_EQ(Err("ListShards", {{"StreamName", "none"}}), "ResourceNotFoundException");
}

}  // namespace
}  // namespace sluice::web::api

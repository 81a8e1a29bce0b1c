// SPDX-License-Identifier: Apache-2.0
// KinesisApi stream settings: retention bounds and direction, tags (limits, paging, characters),
// enhanced monitoring (Current/Desired, ALL) and DescribeLimits.
#include <string>

#include "tests/web/kinesis_fixture.h"

namespace sluice::web::api {
namespace {

class SettingsTest : public KinesisTest {
 protected:
  int Retention(const std::string& s) {
    return Ok("DescribeStreamSummary",
              {{"StreamName", s}})["StreamDescriptionSummary"]["RetentionPeriodHours"];
  }
  json Tags(const std::string& s, json extra = json::object()) {
    extra["StreamName"] = s;
    return Ok("ListTagsForStream", extra);
  }
  std::vector<std::string> Metrics(const std::string& s) {
    json d = Ok("DescribeStream", {{"StreamName", s}})["StreamDescription"];
    return d["EnhancedMonitoring"][0]["ShardLevelMetrics"];
  }
};

TEST_F(SettingsTest, RetentionBoundsAndDirection) {
  CreateStream("ret", 1);
  Ok("IncreaseStreamRetentionPeriod", {{"StreamName", "ret"}, {"RetentionPeriodHours", 48}});
  EXPECT_EQ(Retention("ret"), 48);
  std::string msg;
  EXPECT_EQ(Err("IncreaseStreamRetentionPeriod",
                {{"StreamName", "ret"}, {"RetentionPeriodHours", 36}}, &msg),
            "InvalidArgumentException");
  EXPECT_EQ(msg,
            "Requested retention period (36 hours) for stream ret can not be shorter than "
            "existing retention period (48 hours). Use DecreaseRetentionPeriod API.");
  EXPECT_EQ(Err("DecreaseStreamRetentionPeriod",
                {{"StreamName", "ret"}, {"RetentionPeriodHours", 72}}, &msg),
            "InvalidArgumentException");
  EXPECT_EQ(msg,
            "Requested retention period (72 hours) for stream ret can not be longer than existing "
            "retention period (48 hours). Use IncreaseRetentionPeriod API.");
  EXPECT_EQ(Err("IncreaseStreamRetentionPeriod",
                {{"StreamName", "ret"}, {"RetentionPeriodHours", 8761}}, &msg),
            "InvalidArgumentException");
  EXPECT_EQ(msg,
            "Maximum allowed retention period is 8760 hours. Requested retention period (8761 "
            "hours) is too long.");
  EXPECT_EQ(Err("DecreaseStreamRetentionPeriod",
                {{"StreamName", "ret"}, {"RetentionPeriodHours", 23}}, &msg),
            "InvalidArgumentException");
  EXPECT_EQ(msg,
            "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) "
            "is too short.");
  EXPECT_EQ(Err("IncreaseStreamRetentionPeriod",
                {{"StreamName", "ret"}, {"RetentionPeriodHours", 100000}}),
            "InvalidArgumentException");
  EXPECT_EQ(
      Err("IncreaseStreamRetentionPeriod", {{"StreamName", "ret"}, {"RetentionPeriodHours", 0}}),
      "ValidationException");
  EXPECT_EQ(Err("IncreaseStreamRetentionPeriod", {{"StreamName", "ret"}}), "ValidationException");
  EXPECT_EQ(
      Err("IncreaseStreamRetentionPeriod", {{"StreamName", "nope"}, {"RetentionPeriodHours", 48}}),
      "ResourceNotFoundException");
  EXPECT_EQ(Retention("ret"), 48);  // no failed call changed it
  Ok("DecreaseStreamRetentionPeriod", {{"StreamName", "ret"}, {"RetentionPeriodHours", 24}});
  EXPECT_EQ(Retention("ret"), 24);
  Ok("IncreaseStreamRetentionPeriod", {{"StreamName", "ret"}, {"RetentionPeriodHours", 8760}});
  EXPECT_EQ(Retention("ret"), 8760);
  EXPECT_EQ(
      Ok("DescribeStream", {{"StreamName", "ret"}})["StreamDescription"]["RetentionPeriodHours"],
      8760);
}

TEST_F(SettingsTest, TagsAddListPageRemove) {
  CreateStream("t", 1);
  json empty = Tags("t");
  EXPECT_EQ(empty["Tags"], json::array());
  EXPECT_EQ(empty["HasMoreTags"], false);
  Ok("AddTagsToStream",
     {{"StreamName", "t"}, {"Tags", {{"team", "video"}, {"env", "test"}, {"owner", ""}}}});
  json all = Tags("t");
  EXPECT_EQ(all["Tags"], json::parse(R"([{"Key":"env","Value":"test"},{"Key":"owner","Value":""},
                                          {"Key":"team","Value":"video"}])"));
  EXPECT_EQ(all["HasMoreTags"], false);
  json page = Tags("t", {{"Limit", 1}});
  EXPECT_EQ(page["Tags"], json::parse(R"([{"Key":"env","Value":"test"}])"));
  EXPECT_EQ(page["HasMoreTags"], true);
  json rest = Tags("t", {{"ExclusiveStartTagKey", "env"}, {"Limit", 1}});
  EXPECT_EQ(rest["Tags"], json::parse(R"([{"Key":"owner","Value":""}])"));
  EXPECT_EQ(rest["HasMoreTags"], true);
  EXPECT_EQ(Tags("t", {{"ExclusiveStartTagKey", "owner"}})["HasMoreTags"], false);

  Ok("AddTagsToStream", {{"StreamName", "t"}, {"Tags", {{"env", "prod"}}}});
  Ok("RemoveTagsFromStream", {{"StreamName", "t"}, {"TagKeys", {"team", "owner", "absent"}}});
  EXPECT_EQ(Tags("t")["Tags"], json::parse(R"([{"Key":"env","Value":"prod"}])"));
  EXPECT_EQ(Err("ListTagsForStream", {{"StreamName", "t"}, {"Limit", 51}}), "ValidationException");
  EXPECT_EQ(Err("ListTagsForStream", {{"StreamName", "t"}, {"Limit", 0}}), "ValidationException");
}

TEST_F(SettingsTest, TagLimitsAndCharacters) {
  CreateStream("t", 1);
  json forty = json::object();
  for (int i = 0; i < 40; ++i) forty["k" + std::to_string(i)] = "v";
  Ok("AddTagsToStream", {{"StreamName", "t"}, {"Tags", forty}});
  json eleven = json::object();
  for (int i = 0; i < 11; ++i) eleven["n" + std::to_string(i)] = "v";
  std::string msg;
  EXPECT_EQ(Err("AddTagsToStream", {{"StreamName", "t"}, {"Tags", eleven}}, &msg),
            "LimitExceededException");
  EXPECT_EQ(msg,
            "Failed to add tags to stream t under account 000000000000 because a given stream "
            "cannot have more than 50 tags associated with it.");
  eleven.erase("n10");
  Ok("AddTagsToStream", {{"StreamName", "t"}, {"Tags", eleven}});  // exactly 50
  Ok("AddTagsToStream", {{"StreamName", "t"}, {"Tags", {{"k0", "overwrite"}}}});
  EXPECT_EQ(Tags("t")["Tags"].size(), 50u);

  CreateStream("c", 1);
  EXPECT_EQ(Err("AddTagsToStream", {{"StreamName", "c"}, {"Tags", {{"bad*key", "v"}}}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("AddTagsToStream", {{"StreamName", "c"}, {"Tags", {{"pct", "50%"}}}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("AddTagsToStream", {{"StreamName", "c"}, {"Tags", json::object()}}),
            "ValidationException");
  EXPECT_EQ(Err("AddTagsToStream", {{"StreamName", "c"}, {"Tags", {{std::string(129, 'k'), "v"}}}}),
            "ValidationException");
  EXPECT_EQ(Err("AddTagsToStream", {{"StreamName", "c"}}), "ValidationException");
  EXPECT_EQ(Err("AddTagsToStream", {{"StreamName", "c"}, {"Tags", {{"k", 1}}}}),
            "SerializationException");
  EXPECT_EQ(Err("RemoveTagsFromStream", {{"StreamName", "c"}, {"TagKeys", json::array()}}),
            "ValidationException");
  EXPECT_EQ(Err("RemoveTagsFromStream", {{"StreamName", "c"}, {"TagKeys", "k"}}),
            "SerializationException");
  EXPECT_EQ(Tags("c")["Tags"], json::array());
  Ok("AddTagsToStream",
     {{"StreamName", "c"}, {"Tags", {{"path/a.b-c=d+e_f @g:h", "\xc3\xa9t\xc3\xa9"}}}});
}

TEST_F(SettingsTest, EnhancedMonitoring) {
  CreateStream("m", 1);
  EXPECT_EQ(Metrics("m"), std::vector<std::string>{});
  json out = Ok("EnableEnhancedMonitoring",
                {{"StreamName", "m"}, {"ShardLevelMetrics", {"OutgoingRecords", "IncomingBytes"}}});
  EXPECT_EQ(out["StreamName"], "m");
  EXPECT_EQ(out["StreamARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/m");
  EXPECT_EQ(out["CurrentShardLevelMetrics"], json::array());
  EXPECT_EQ(out["DesiredShardLevelMetrics"], json::array({"IncomingBytes", "OutgoingRecords"}));
  EXPECT_EQ(Metrics("m"), (std::vector<std::string>{"IncomingBytes", "OutgoingRecords"}));
  out = Ok("DisableEnhancedMonitoring",
           {{"StreamName", "m"}, {"ShardLevelMetrics", {"IncomingBytes"}}});
  EXPECT_EQ(out["CurrentShardLevelMetrics"], json::array({"IncomingBytes", "OutgoingRecords"}));
  EXPECT_EQ(out["DesiredShardLevelMetrics"], json::array({"OutgoingRecords"}));
  out = Ok("EnableEnhancedMonitoring", {{"StreamName", "m"}, {"ShardLevelMetrics", {"ALL"}}});
  EXPECT_EQ(out["DesiredShardLevelMetrics"].size(), 7u);
  Ok("DisableEnhancedMonitoring", {{"StreamName", "m"}, {"ShardLevelMetrics", {"ALL"}}});
  EXPECT_EQ(Metrics("m"), std::vector<std::string>{});

  std::string msg;
  EXPECT_EQ(Err("EnableEnhancedMonitoring",
                {{"StreamName", "m"}, {"ShardLevelMetrics", {"NotAMetric"}}}, &msg),
            "ValidationException");
  EXPECT_NE(msg.find("Value '[NotAMetric]' at 'shardLevelMetrics'"), std::string::npos);
  EXPECT_EQ(
      Err("EnableEnhancedMonitoring", {{"StreamName", "m"}, {"ShardLevelMetrics", json::array()}}),
      "ValidationException");
  EXPECT_EQ(Err("EnableEnhancedMonitoring", {{"StreamName", "m"}}), "ValidationException");
  EXPECT_EQ(Metrics("m"), std::vector<std::string>{});
}

}  // namespace
}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// KinesisVideoApi stream operations: CreateStream, DescribeStream, ListStreams (pages, name
// condition), DeleteStream, UpdateStream, UpdateDataRetention (versions), GetDataEndpoint, and
// the member validation and error mapping they share.
#include <gtest/gtest.h>

#include <set>

#include "tests/web/kvs_fixture.h"
#include "web/api/wire_codec.h"

namespace sluice::web::api {
namespace {

TEST_F(KvsTest, CreateThenDescribe) {
  const std::string arn = Create("cam-1.a_b", {{"DeviceName", "dev_1"},
                                               {"MediaType", "video/h264,audio/aac"},
                                               {"DataRetentionInHours", 24},
                                               {"Tags", {{"k", "v"}}}});
  EXPECT_TRUE(arn.starts_with("arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam-1.a_b/"))
      << arn;
  json info = Describe("cam-1.a_b");
  EXPECT_EQ(info["StreamName"], "cam-1.a_b");
  EXPECT_EQ(info["StreamARN"], arn);
  EXPECT_EQ(info["DeviceName"], "dev_1");
  EXPECT_EQ(info["MediaType"], "video/h264,audio/aac");
  EXPECT_EQ(info["KmsKeyId"], "arn:aws:kms:us-east-1:000000000000:alias/aws/kinesisvideo");
  EXPECT_EQ(info["Status"], "ACTIVE");
  EXPECT_EQ(info["DataRetentionInHours"], 24);
  EXPECT_EQ(info["Version"].get<std::string>().size(), 20u);
  EXPECT_EQ(info["CreationTime"], ingest::kStartMs);
  // By ARN too, and the codec writes CreationTime as epoch seconds.
  json by_arn = Ok("DescribeStream", {{"StreamARN", arn}});
  EXPECT_EQ(by_arn["StreamInfo"]["StreamName"], "cam-1.a_b");
  const std::string wire = EncodeBody(by_arn, WireFormat::kJson);
  EXPECT_NE(wire.find("\"CreationTime\":1700000000"), std::string::npos) << wire;
  // Optional members absent: no DeviceName/MediaType, retention 0.
  Create("bare");
  json bare = Describe("bare");
  EXPECT_FALSE(bare.contains("DeviceName"));
  EXPECT_FALSE(bare.contains("MediaType"));
  EXPECT_EQ(bare["DataRetentionInHours"], 0);
}

TEST_F(KvsTest, CreateErrors) {
  Create("dup");
  int status = 0;
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "dup"}}, &status), "ResourceInUseException");
  EXPECT_EQ(status, 400);
  std::string message;
  EXPECT_EQ(Err("CreateStream", json::object(), &status, &message), "InvalidArgumentException");
  EXPECT_EQ(message,
            "1 validation error detected: Value null at 'streamName' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "bad name"}}), "InvalidArgumentException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", std::string(257, 'a')}}),
            "InvalidArgumentException");
  EXPECT_EQ(Ok("CreateStream", {{"StreamName", std::string(256, 'a')}}).count("StreamARN"), 1u);
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "m"}, {"MediaType", "h264"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "m"}, {"MediaType", "video/h264,"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "d"}, {"DeviceName", "a b"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "r"}, {"DataRetentionInHours", -1}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "r"}, {"DataRetentionInHours", 87601}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "t"}, {"Tags", json::object()}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "t"}, {"Tags", {{"bad#key", "v"}}}}),
            "InvalidArgumentException");
  json many = json::object();
  for (int i = 0; i < 51; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "t"}, {"Tags", many}}), "InvalidArgumentException");
  // Wrong member types are serialization errors.
  EXPECT_EQ(Err("CreateStream", {{"StreamName", 5}}), "SerializationException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "x"}, {"DataRetentionInHours", "1"}}),
            "SerializationException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "x"}, {"Tags", json::array()}}),
            "SerializationException");
  EXPECT_EQ(Err("DescribeStream", json::array()), "SerializationException");
  // Nothing above was created.
  EXPECT_EQ(Ok("ListStreams", json::object())["StreamInfoList"].size(), 2u);
}

TEST_F(KvsTest, DescribeUnknownIs404) {
  int status = 0;
  std::string message;
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", "nope"}}, &status, &message),
            "ResourceNotFoundException");
  EXPECT_EQ(status, 404);
  EXPECT_NE(message.find("nope"), std::string::npos);
  EXPECT_EQ(
      Err("DescribeStream",
          {{"StreamARN", "arn:aws:kinesisvideo:us-east-1:000000000000:stream/nope/1"}}, &status),
      "ResourceNotFoundException");
  EXPECT_EQ(status, 404);
  EXPECT_EQ(Err("DescribeStream", json::object()), "InvalidArgumentException");
  EXPECT_EQ(Err("DescribeStream", {{"StreamARN", "arn:aws:kinesis:x"}}),
            "InvalidArgumentException");
  // A Kinesis data stream of the same name is not a video stream.
  ASSERT_TRUE(store_->CreateStream({.name = "data", .shard_count = 1}).ok());
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", "data"}}), "ResourceNotFoundException");
  // Name and ARN must agree.
  const std::string arn = Create("a");
  Create("b");
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", "b"}, {"StreamARN", arn}}),
            "InvalidArgumentException");
}

TEST_F(KvsTest, ListStreamsPagesAndFilters) {
  for (const char* n : {"cam-3", "cam-1", "door", "cam-2", "cam-4"}) Create(n);
  ASSERT_TRUE(store_->CreateStream({.name = "cam-data", .shard_count = 1}).ok());
  std::vector<std::string> names;
  std::set<std::string> tokens;
  json req = {
      {"MaxResults", 2},
      {"StreamNameCondition", {{"ComparisonOperator", "BEGINS_WITH"}, {"ComparisonValue", "cam"}}}};
  for (int page = 0; page < 10; ++page) {
    json out = Ok("ListStreams", req);
    EXPECT_LE(out["StreamInfoList"].size(), 2u);
    for (const json& s : out["StreamInfoList"]) {
      names.push_back(s["StreamName"]);
      EXPECT_EQ(s["Status"], "ACTIVE");
      EXPECT_TRUE(s.contains("CreationTime"));
    }
    if (!out.contains("NextToken")) break;
    EXPECT_TRUE(tokens.insert(out["NextToken"]).second);
    req["NextToken"] = out["NextToken"];
  }
  EXPECT_EQ(names, (std::vector<std::string>{"cam-1", "cam-2", "cam-3", "cam-4"}));
  EXPECT_EQ(Ok("ListStreams", json::object())["StreamInfoList"].size(), 5u);
  EXPECT_FALSE(Ok("ListStreams", json::object()).contains("NextToken"));
  EXPECT_EQ(Err("ListStreams", {{"MaxResults", 0}}), "InvalidArgumentException");
  EXPECT_EQ(Err("ListStreams", {{"MaxResults", 10001}}), "InvalidArgumentException");
  EXPECT_EQ(Err("ListStreams", {{"NextToken", "!!"}}), "InvalidArgumentException");
  EXPECT_EQ(Err("ListStreams", {{"NextToken", "abc"}}), "InvalidArgumentException");
  EXPECT_EQ(Err("ListStreams", {{"StreamNameCondition", {{"ComparisonOperator", "ENDS_WITH"}}}}),
            "InvalidArgumentException");
}

TEST_F(KvsTest, UpdateStreamChecksTheVersion) {
  Create("cam", {{"DeviceName", "d1"}, {"MediaType", "video/h264"}});
  const std::string v1 = Describe("cam")["Version"];
  Ok("UpdateStream", {{"StreamName", "cam"}, {"CurrentVersion", v1}, {"DeviceName", "d2"}});
  json info = Describe("cam");
  EXPECT_EQ(info["DeviceName"], "d2");
  EXPECT_EQ(info["MediaType"], "video/h264");
  const std::string v2 = info["Version"];
  EXPECT_NE(v1, v2);
  int status = 0;
  std::string message;
  EXPECT_EQ(Err("UpdateStream", {{"StreamName", "cam"}, {"CurrentVersion", v1}}, &status, &message),
            "VersionMismatchException");
  EXPECT_EQ(status, 400);
  EXPECT_FALSE(message.starts_with(ingest::kVersionMismatchPrefix)) << message;
  Ok("UpdateStream",
     {{"StreamARN", info["StreamARN"]}, {"CurrentVersion", v2}, {"MediaType", "video/h265"}});
  EXPECT_EQ(Describe("cam")["MediaType"], "video/h265");
  EXPECT_EQ(Err("UpdateStream", {{"StreamName", "cam"}}), "InvalidArgumentException");
  EXPECT_EQ(Err("UpdateStream", {{"StreamName", "cam"}, {"CurrentVersion", "a-b"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("UpdateStream", {{"StreamName", "nope"}, {"CurrentVersion", v2}}, &status),
            "ResourceNotFoundException");
  EXPECT_EQ(status, 404);
}

TEST_F(KvsTest, UpdateDataRetention) {
  Create("cam", {{"DataRetentionInHours", 2}});
  auto change = [&](const std::string& op, int hours) {
    return Call("UpdateDataRetention", {{"StreamName", "cam"},
                                        {"CurrentVersion", Describe("cam")["Version"]},
                                        {"Operation", op},
                                        {"DataRetentionChangeInHours", hours}});
  };
  EXPECT_FALSE(change("INCREASE_DATA_RETENTION", 10).error);
  EXPECT_EQ(Describe("cam")["DataRetentionInHours"], 12);
  EXPECT_FALSE(change("DECREASE_DATA_RETENTION", 12).error);
  EXPECT_EQ(Describe("cam")["DataRetentionInHours"], 0);
  ApiResult below = change("DECREASE_DATA_RETENTION", 1);
  ASSERT_TRUE(below.error);
  EXPECT_EQ(below.error->type, "InvalidArgumentException");
  ApiResult above = change("INCREASE_DATA_RETENTION", 87601);
  ASSERT_TRUE(above.error);
  EXPECT_EQ(above.error->type, "InvalidArgumentException");
  EXPECT_EQ(Err("UpdateDataRetention", {{"StreamName", "cam"},
                                        {"CurrentVersion", "stale"},
                                        {"Operation", "INCREASE_DATA_RETENTION"},
                                        {"DataRetentionChangeInHours", 1}}),
            "VersionMismatchException");
  const std::string v = Describe("cam")["Version"];
  EXPECT_EQ(Err("UpdateDataRetention", {{"StreamName", "cam"},
                                        {"CurrentVersion", v},
                                        {"Operation", "GROW"},
                                        {"DataRetentionChangeInHours", 1}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("UpdateDataRetention",
                {{"StreamName", "cam"}, {"CurrentVersion", v}, {"Operation", "GROW"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("UpdateDataRetention", {{"StreamName", "cam"},
                                        {"CurrentVersion", v},
                                        {"Operation", "INCREASE_DATA_RETENTION"},
                                        {"DataRetentionChangeInHours", 0}}),
            "InvalidArgumentException");
  EXPECT_EQ(Describe("cam")["Version"], v);  // failed calls change nothing
}

TEST_F(KvsTest, DeleteStream) {
  const std::string arn = Create("cam");
  const std::string v = Describe("cam")["Version"];
  EXPECT_EQ(Err("DeleteStream", {{"StreamARN", arn}, {"CurrentVersion", "other"}}),
            "VersionMismatchException");
  EXPECT_EQ(Err("DeleteStream", {{"StreamName", "cam"}}), "InvalidArgumentException");
  Ok("DeleteStream", {{"StreamARN", arn}, {"CurrentVersion", v}});
  int status = 0;
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", "cam"}}, &status), "ResourceNotFoundException");
  EXPECT_EQ(Err("DeleteStream", {{"StreamARN", arn}}, &status), "ResourceNotFoundException");
  EXPECT_EQ(status, 404);
  const std::string arn2 = Create("cam");
  EXPECT_NE(arn2, "");
  Ok("DeleteStream", {{"StreamARN", arn2}});  // CurrentVersion is optional
}

TEST_F(KvsTest, GetDataEndpointIsThisServer) {
  const std::string arn = Create("cam");
  for (const char* api : {"PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS", "GET_MEDIA_FOR_FRAGMENT_LIST",
                          "GET_HLS_STREAMING_SESSION_URL", "GET_DASH_STREAMING_SESSION_URL",
                          "GET_CLIP", "GET_IMAGES"}) {
    json out = Ok("GetDataEndpoint", {{"StreamName", "cam"}, {"APIName", api}});
    EXPECT_EQ(out["DataEndpoint"], "http://sluice.test:4567") << api;
  }
  ApiResult r =
      Call("GetDataEndpoint", {{"StreamARN", arn}, {"APIName", "PUT_MEDIA"}}, "[::1]:8080");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.output["DataEndpoint"], "http://[::1]:8080");
  // No usable Host header: the configured fallback.
  r = Call("GetDataEndpoint", {{"StreamARN", arn}, {"APIName", "PUT_MEDIA"}}, "");
  EXPECT_EQ(r.output["DataEndpoint"], "http://fallback:1");
  r = Call("GetDataEndpoint", {{"StreamARN", arn}, {"APIName", "PUT_MEDIA"}}, "a\"b/c");
  EXPECT_EQ(r.output["DataEndpoint"], "http://fallback:1");
  std::string message;
  EXPECT_EQ(Err("GetDataEndpoint", {{"StreamName", "cam"}, {"APIName", "PUT"}}, nullptr, &message),
            "InvalidArgumentException");
  EXPECT_NE(message.find("aPIName"), std::string::npos) << message;
  EXPECT_EQ(Err("GetDataEndpoint", {{"StreamName", "cam"}}), "InvalidArgumentException");
  int status = 0;
  EXPECT_EQ(Err("GetDataEndpoint", {{"StreamName", "nope"}, {"APIName", "GET_MEDIA"}}, &status),
            "ResourceNotFoundException");
  EXPECT_EQ(status, 404);
}

TEST_F(KvsTest, UnknownOperation) {
  EXPECT_FALSE(api_->Handles("PutRecord"));
  EXPECT_TRUE(api_->Handles("ListFragments"));
  EXPECT_EQ(Err("PutRecord", json::object()), "UnknownOperationException");
  EXPECT_EQ(KinesisVideoApi::OperationForPath("/TagResource"), "TagResource");
  EXPECT_EQ(KinesisVideoApi::OperationForPath("/tagResource"), std::nullopt);
  EXPECT_EQ(KinesisVideoApi::Paths().size(), 14u);
}

}  // namespace
}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// KinesisVideoApi tags in both styles (TagStream map / TagResource list), which share one set.
#include <gtest/gtest.h>

#include "tests/web/kvs_fixture.h"

namespace sluice::web::api {
namespace {

TEST_F(KvsTest, StreamStyleTags) {
  const std::string arn = Create("cam", {{"Tags", {{"a", "1"}}}});
  Ok("TagStream", {{"StreamName", "cam"}, {"Tags", {{"b", "2"}, {"c", ""}}}});
  Ok("TagStream", {{"StreamARN", arn}, {"Tags", {{"a", "9"}}}});
  json out = Ok("ListTagsForStream", {{"StreamName", "cam"}});
  EXPECT_EQ(out["Tags"], (json{{"a", "9"}, {"b", "2"}, {"c", ""}}));
  EXPECT_FALSE(out.contains("NextToken"));
  Ok("UntagStream", {{"StreamARN", arn}, {"TagKeyList", {"a", "absent"}}});
  EXPECT_EQ(Ok("ListTagsForStream", {{"StreamARN", arn}, {"NextToken", ""}})["Tags"],
            (json{{"b", "2"}, {"c", ""}}));
  Ok("UntagStream", {{"StreamName", "cam"}, {"TagKeyList", {"b", "c"}}});
  EXPECT_EQ(Ok("ListTagsForStream", {{"StreamName", "cam"}})["Tags"], json::object());

  EXPECT_EQ(Err("TagStream", {{"StreamName", "cam"}}), "InvalidArgumentException");
  EXPECT_EQ(Err("TagStream", {{"StreamName", "cam"}, {"Tags", json::object()}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("TagStream", {{"StreamName", "cam"}, {"Tags", {{std::string(129, 'k'), "v"}}}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("TagStream", {{"StreamName", "cam"}, {"Tags", {{"k", std::string(257, 'v')}}}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("UntagStream", {{"StreamName", "cam"}}), "InvalidArgumentException");
  EXPECT_EQ(Err("UntagStream", {{"StreamName", "cam"}, {"TagKeyList", json::array()}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("ListTagsForStream", {{"StreamName", "cam"}, {"NextToken", "abcd"}}),
            "InvalidArgumentException");
  int status = 0;
  EXPECT_EQ(Err("TagStream", {{"StreamName", "nope"}, {"Tags", {{"k", "v"}}}}, &status),
            "ResourceNotFoundException");
  EXPECT_EQ(status, 404);
  EXPECT_EQ(Err("ListTagsForStream", {{"StreamName", "nope"}}, &status),
            "ResourceNotFoundException");
}

TEST_F(KvsTest, TagLimitIsFifty) {
  Create("cam");
  json tags = json::object();
  for (int i = 0; i < 50; ++i) tags["k" + std::to_string(i)] = "v";
  Ok("TagStream", {{"StreamName", "cam"}, {"Tags", tags}});
  Ok("TagStream", {{"StreamName", "cam"}, {"Tags", {{"k0", "replaced"}}}});  // not a new key
  int status = 0;
  std::string message;
  EXPECT_EQ(
      Err("TagStream", {{"StreamName", "cam"}, {"Tags", {{"one-more", "v"}}}}, &status, &message),
      "TagsPerResourceExceededLimitException");
  EXPECT_EQ(status, 400);
  EXPECT_FALSE(message.starts_with(ingest::kTagLimitPrefix)) << message;
  EXPECT_EQ(Err("TagResource", {{"ResourceARN", Describe("cam")["StreamARN"]},
                                {"Tags", {{{"Key", "x"}, {"Value", "y"}}}}}),
            "TagsPerResourceExceededLimitException");
}

TEST_F(KvsTest, ResourceStyleTags) {
  const std::string arn = Create("cam");
  Ok("TagResource",
     {{"ResourceARN", arn},
      {"Tags", {{{"Key", "team"}, {"Value", "ops"}}, {{"Key", "env"}, {"Value", ""}}}}});
  json out = Ok("ListTagsForResource", {{"ResourceARN", arn}});
  EXPECT_EQ(out["Tags"], (json{{"env", ""}, {"team", "ops"}}));
  // The same set as the stream-style calls see.
  EXPECT_EQ(Ok("ListTagsForStream", {{"StreamName", "cam"}})["Tags"], out["Tags"]);
  Ok("UntagResource", {{"ResourceARN", arn}, {"TagKeyList", {"team"}}});
  EXPECT_EQ(Ok("ListTagsForResource", {{"ResourceARN", arn}})["Tags"], (json{{"env", ""}}));

  std::string message;
  EXPECT_EQ(
      Err("TagResource", {{"ResourceARN", arn}, {"Tags", {{{"Key", "k"}}}}}, nullptr, &message),
      "InvalidArgumentException");
  EXPECT_NE(message.find("tags.1.member.value"), std::string::npos) << message;
  EXPECT_EQ(Err("TagResource", {{"ResourceARN", arn}}), "InvalidArgumentException");
  EXPECT_EQ(Err("TagResource", {{"ResourceARN", arn}, {"Tags", json::array()}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("TagResource", {{"Tags", {{{"Key", "k"}, {"Value", "v"}}}}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("TagResource", {{"ResourceARN", arn}, {"Tags", {"k"}}}), "SerializationException");
  EXPECT_EQ(Err("UntagResource", {{"ResourceARN", arn}}), "InvalidArgumentException");
  EXPECT_EQ(Err("ListTagsForResource", json::object()), "InvalidArgumentException");
  EXPECT_EQ(Err("ListTagsForResource", {{"ResourceARN", "not-an-arn"}}),
            "InvalidArgumentException");
  int status = 0;
  const std::string gone = "arn:aws:kinesisvideo:us-east-1:000000000000:stream/gone/1";
  EXPECT_EQ(Err("ListTagsForResource", {{"ResourceARN", gone}}, &status),
            "ResourceNotFoundException");
  EXPECT_EQ(status, 404);
  EXPECT_EQ(Err("TagResource", {{"ResourceARN", gone}, {"Tags", {{{"Key", "k"}, {"Value", "v"}}}}}),
            "ResourceNotFoundException");
}

}  // namespace
}  // namespace sluice::web::api

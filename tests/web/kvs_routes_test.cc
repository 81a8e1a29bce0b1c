// SPDX-License-Identifier: Apache-2.0
// The KVS REST-JSON routes through the Router: paths, Host -> DataEndpoint, KVS error shape
// (status, {"__type","Message"}, x-amzn-ErrorType), bodies that are not JSON, empty bodies.
#include "web/http/kvs_routes.h"

#include <gtest/gtest.h>

#include "tests/web/kvs_fixture.h"

namespace sluice::web {
namespace {

using api::json;

class KvsRoutesTest : public api::KvsTest {
 protected:
  KvsRoutesTest() { AddKvsRoutes(&router_, api_.get()); }

  HttpResponse Post(const std::string& path, const std::string& body,
                    const std::string& host = "127.0.0.1:4567") {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    if (!host.empty()) r.headers["Host"] = host;
    r.headers["Content-Type"] = "application/json";
    HttpResponse out;
    bool replied = false;
    router_.Dispatch(std::move(r), [&](HttpResponse resp) {
      out = std::move(resp);
      replied = true;
    });
    EXPECT_TRUE(replied);
    return out;
  }

  static std::string HeaderOf(const HttpResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (HeaderNameLess()(k, name) == HeaderNameLess()(name, k)) return v;
    }
    return "";
  }

  Router router_;
};

TEST_F(KvsRoutesTest, EveryPathAnswers) {
  for (std::string_view path : api::KinesisVideoApi::Paths()) {
    HttpResponse r = Post(std::string(path), "{}");
    EXPECT_NE(r.status, 405) << path;
    EXPECT_TRUE(r.status == 200 || r.status == 400) << path << " " << r.status << " " << r.body;
  }
}

TEST_F(KvsRoutesTest, CreateDescribeAndEndpoint) {
  HttpResponse created = Post("/createStream", R"({"StreamName":"cam","MediaType":"video/h264"})");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(HeaderOf(created, "Content-Type"), "application/json");
  EXPECT_FALSE(HeaderOf(created, "x-amzn-RequestId").empty());
  EXPECT_TRUE(json::parse(created.body)["StreamARN"].is_string());

  HttpResponse described = Post("/describeStream", R"({"StreamName":"cam"})");
  ASSERT_EQ(described.status, 200);
  json info = json::parse(described.body)["StreamInfo"];
  EXPECT_TRUE(info["CreationTime"].is_number());
  EXPECT_NEAR(info["CreationTime"].get<double>(), ingest::kStartMs / 1000.0, 0.001);

  HttpResponse endpoint =
      Post("/getDataEndpoint", R"({"StreamName":"cam","APIName":"PUT_MEDIA"})", "example:8080");
  ASSERT_EQ(endpoint.status, 200);
  EXPECT_EQ(json::parse(endpoint.body)["DataEndpoint"], "http://example:8080");
  // No Host header: the configured fallback.
  endpoint = Post("/getDataEndpoint", R"({"StreamName":"cam","APIName":"GET_MEDIA"})", "");
  EXPECT_EQ(json::parse(endpoint.body)["DataEndpoint"], "http://fallback:1");
}

TEST_F(KvsRoutesTest, ErrorShape) {
  HttpResponse r = Post("/describeStream", R"({"StreamName":"missing"})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  json body = json::parse(r.body);
  EXPECT_EQ(body["__type"], "ResourceNotFoundException");
  EXPECT_TRUE(body["Message"].is_string());

  r = Post("/createStream", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "SerializationException");
  r = Post("/createStream", "[1]");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "SerializationException");
  // An empty body is an empty request: a missing required member.
  r = Post("/createStream", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "InvalidArgumentException");
  // The *Resource paths are capitalised; the lower-case spelling is no route.
  EXPECT_EQ(Post("/tagResource", "{}").status, 404);
}

}  // namespace
}  // namespace sluice::web

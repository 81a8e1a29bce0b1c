// SPDX-License-Identifier: Apache-2.0
// AwsJsonRoute and Router without sockets: X-Amz-Target routing, content types, AWS error shapes
// and headers, CBOR answers to CBOR requests, the metrics label, ApiErrorFromStatus.

#include <gtest/gtest.h>

#include <optional>
#include <regex>

#include "web/http/aws_json_route.h"
#include "web/http/router.h"

namespace sluice::web {
namespace {

using api::ApiCall;
using api::ApiReply;
using api::ApiResult;
using api::WireFormat;
using json = nlohmann::json;

// A fake service: "Echo" returns its input plus the format; "Boom" fails; "Throw" throws.
AwsJsonService FakeService() {
  return {
      .target_prefix = "Fake_20200101",
      .handles = [](std::string_view op) { return op == "Echo" || op == "Boom" || op == "Throw"; },
      .handle =
          [](ApiCall call, ApiReply reply) {
            if (call.operation == "Boom") {
              reply(ApiResult::Fail("ResourceNotFoundException", "Stream x not found."));
            } else if (call.operation == "Throw") {
              throw std::runtime_error("bug");
            } else {
              json out = call.input;
              out["RequestId"] = call.request_id;
              out["Created"] = json::binary({1, 2});
              out["StreamCreationTimestamp"] = 1506440188749;
              reply(ApiResult::Ok(std::move(out)));
            }
          }};
}

HttpResponse Call(const AwsJsonRoute& route, std::string target, std::string body,
                  std::string content_type = "application/x-amz-json-1.1") {
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers["X-Amz-Target"] = std::move(target);
  if (!content_type.empty()) request.headers["Content-Type"] = std::move(content_type);
  request.body = std::move(body);
  std::optional<HttpResponse> answer;
  route.Handle(std::move(request), [&](HttpResponse r) { answer = std::move(r); });
  EXPECT_TRUE(answer.has_value());
  return answer.value_or(HttpResponse{});
}

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(HttpAwsJsonRouteTest, JsonCallSucceedsWithAwsHeaders) {
  AwsJsonRoute route({FakeService()});
  auto r = Call(route, "Fake_20200101.Echo", R"({"StreamName":"s"})");
  EXPECT_EQ(r.status, 200);
  auto body = json::parse(r.body);
  EXPECT_EQ(body["StreamName"], "s");
  EXPECT_EQ(body["Created"], "AQI=");
  EXPECT_NE(r.body.find("\"StreamCreationTimestamp\":1506440188.749"), std::string::npos);
  const std::string id = HeaderOf(r, "x-amzn-RequestId");
  EXPECT_TRUE(std::regex_match(
      id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << id;
  EXPECT_EQ(body["RequestId"], id);
  EXPECT_EQ(HeaderOf(r, "x-amz-id-2").size(), 64u);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "");
}

TEST(HttpAwsJsonRouteTest, CborRequestGetsCborAnswer) {
  AwsJsonRoute route({FakeService()});
  const std::string request = api::EncodeBody({{"StreamName", "s"}}, WireFormat::kCbor);
  auto r = Call(route, "Fake_20200101.Echo", request, "application/x-amz-cbor-1.1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-amz-cbor-1.1");
  auto decoded = api::DecodeBody(r.body, WireFormat::kCbor);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ((*decoded)["StreamName"], "s");
  EXPECT_TRUE((*decoded)["Created"].is_binary());
  EXPECT_EQ((*decoded)["StreamCreationTimestamp"], 1506440188749);
}

TEST(HttpAwsJsonRouteTest, ErrorsAreAwsShaped) {
  AwsJsonRoute route({FakeService()});
  auto r = Call(route, "Fake_20200101.Boom", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(json::parse(r.body),
            json({{"__type", "ResourceNotFoundException"}, {"message", "Stream x not found."}}));
  EXPECT_FALSE(HeaderOf(r, "x-amzn-RequestId").empty());

  auto unknown = Call(route, "Fake_20200101.Nope", "{}");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(json::parse(unknown.body)["__type"], "UnknownOperationException");
  EXPECT_EQ(Call(route, "Other_1.Echo", "{}").status, 400);
  EXPECT_EQ(Call(route, "", "{}").status, 400);

  auto bad = Call(route, "Fake_20200101.Echo", "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["__type"], "SerializationException");

  auto type = Call(route, "Fake_20200101.Echo", "{}", "text/plain");
  EXPECT_EQ(type.status, 400);
  EXPECT_EQ(json::parse(type.body)["__type"], "UnknownOperationException");

  auto thrown = Call(route, "Fake_20200101.Throw", "{}");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(json::parse(thrown.body)["__type"], "InternalFailure");
}

TEST(HttpAwsJsonRouteTest, OperationLabelIsBounded) {
  AwsJsonRoute route({FakeService()});
  HttpRequest request;
  request.headers["X-Amz-Target"] = "Fake_20200101.Echo";
  EXPECT_EQ(route.OperationLabel(request), "Echo");
  request.headers["X-Amz-Target"] = "Fake_20200101.Random123";
  EXPECT_EQ(route.OperationLabel(request), "unknown");
}

TEST(HttpAwsJsonRouteTest, ApiErrorFromStatusMapping) {
  using api::ApiErrorFromStatus;
  EXPECT_EQ(ApiErrorFromStatus(NotFoundError("x")).type, "ResourceNotFoundException");
  EXPECT_EQ(ApiErrorFromStatus(AlreadyExistsError("x")).type, "ResourceInUseException");
  EXPECT_EQ(ApiErrorFromStatus(FailedPreconditionError("x")).type, "ResourceInUseException");
  EXPECT_EQ(ApiErrorFromStatus(InvalidArgumentError("x")).type, "InvalidArgumentException");
  EXPECT_EQ(ApiErrorFromStatus(ResourceExhaustedError("x")).type, "LimitExceededException");
  EXPECT_EQ(ApiErrorFromStatus(DeadlineExceededError("x")).type, "ExpiredIteratorException");
  const auto internal = ApiErrorFromStatus(InternalError("disk"));
  EXPECT_EQ(internal.type, "InternalFailure");
  EXPECT_EQ(internal.http_status, 500);
  EXPECT_EQ(internal.message, "disk");
  EXPECT_EQ(ApiErrorFromStatus(DataLossError("x")).http_status, 500);
  EXPECT_EQ(ApiErrorFromStatus(NotFoundError("x")).http_status, 400);
}

TEST(HttpRouterTest, HeadersAreCaseInsensitive) {
  HttpRequest request;
  request.headers["X-Amz-Target"] = "a";
  EXPECT_EQ(request.Header("x-amz-target"), "a");
  EXPECT_EQ(request.Header("X-AMZ-TARGET"), "a");
  EXPECT_EQ(request.Header("missing"), "");
  HttpResponse response;
  response.SetHeader("Content-Type", "a");
  response.SetHeader("content-type", "b");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "b");
}

TEST(HttpRouterTest, DispatchAddsCorsAndFindsRoutes) {
  Router router;
  router.Add("GET", "/a", {.name = "a", .body_limit = 7}, [](HttpRequest, HttpReply reply) {
    HttpResponse r;
    r.body = "A";
    reply(std::move(r));
  });
  EXPECT_EQ(router.BodyLimitFor("GET", "/a"), 7u);
  EXPECT_EQ(router.BodyLimitFor("HEAD", "/a"), 7u);
  EXPECT_EQ(router.BodyLimitFor("GET", "/b"), 0u);
  std::optional<HttpResponse> got;
  HttpRequest request;
  request.method = "GET";
  request.path = "/a";
  router.Dispatch(request, [&](HttpResponse r) { got = std::move(r); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "A");
  EXPECT_EQ(HeaderOf(*got, "Access-Control-Allow-Origin"), "*");
  request.path = "/b";
  router.Dispatch(request, [&](HttpResponse r) { got = std::move(r); });
  EXPECT_EQ(got->status, 404);
  request.method = "DELETE";
  request.path = "/a";
  router.Dispatch(request, [&](HttpResponse r) { got = std::move(r); });
  EXPECT_EQ(got->status, 405);
  EXPECT_EQ(HeaderOf(*got, "Allow"), "GET");
}

}  // namespace
}  // namespace sluice::web

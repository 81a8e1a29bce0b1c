// SPDX-License-Identifier: Apache-2.0
// AwsJsonRoute: X-Amz-Target routing, body decoding, and AWS-shaped responses and errors.

#include "web/http/aws_json_route.h"

#include <atomic>
#include <exception>
#include <memory>
#include <utility>

#include "base/log.h"
#include "web/api/wire_codec.h"
#include "web/http/request_ids.h"

namespace sluice::web {
namespace {

using api::ApiResult;
using api::WireFormat;

// Answers `reply` at most once even if a service calls it twice.
api::ApiReply ReplyOnce(HttpReply reply, WireFormat format, std::string content_type,
                        std::string request_id) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  return [reply = std::move(reply), format, content_type = std::move(content_type),
          request_id = std::move(request_id), done](ApiResult result) {
    if (done->exchange(true)) {
      LOG_ERROR("http", "service replied twice", {{"request_id", request_id}});
      return;
    }
    reply(ApiResultToHttp(result, format, content_type, request_id));
  };
}

}  // namespace

HttpResponse ApiResultToHttp(const ApiResult& result, WireFormat format,
                             std::string_view content_type, std::string_view request_id) {
  HttpResponse response;
  if (result.error) {
    response.status = result.error->http_status;
    response.body = api::EncodeBody(
        nlohmann::json{{"__type", result.error->type}, {"message", result.error->message}}, format);
    response.SetHeader("x-amzn-ErrorType", result.error->type);
  } else {
    response.status = 200;
    response.body = api::EncodeBody(result.output, format);
  }
  response.SetHeader("Content-Type", std::string(content_type));
  response.SetHeader("x-amzn-RequestId", std::string(request_id));
  response.SetHeader("x-amz-id-2", NewAmzId2());
  return response;
}

AwsJsonRoute::AwsJsonRoute(std::vector<AwsJsonService> services) : services_(std::move(services)) {}

const AwsJsonService* AwsJsonRoute::Resolve(std::string_view target,
                                            std::string_view* operation) const {
  const size_t dot = target.find('.');
  if (dot == std::string_view::npos) return nullptr;
  const std::string_view prefix = target.substr(0, dot);
  *operation = target.substr(dot + 1);
  for (const auto& service : services_) {
    if (service.target_prefix == prefix && service.handles(*operation)) return &service;
  }
  return nullptr;
}

std::string AwsJsonRoute::OperationLabel(const HttpRequest& request) const {
  std::string_view operation;
  if (Resolve(request.Header("X-Amz-Target"), &operation) == nullptr) return "unknown";
  return std::string(operation);
}

void AwsJsonRoute::Handle(HttpRequest request, HttpReply reply) const {
  std::string request_id = NewRequestId();
  std::string content_type(request.Header("Content-Type"));
  const auto format = api::WireFormatForContentType(content_type);
  if (!format) {
    const std::string shown = content_type;
    reply(ApiResultToHttp(
        ApiResult::Fail("UnknownOperationException",
                        "Unsupported Content-Type '" + shown +
                            "'; use application/x-amz-json-1.1 or application/x-amz-cbor-1.1"),
        WireFormat::kJson, api::ContentTypeFor(WireFormat::kJson), request_id));
    return;
  }
  const auto fail = [&](std::string type, std::string message, int status) {
    reply(ApiResultToHttp(ApiResult::Fail(std::move(type), std::move(message), status), *format,
                          content_type, request_id));
  };
  const std::string_view target = request.Header("X-Amz-Target");
  std::string_view operation;
  const AwsJsonService* service = Resolve(target, &operation);
  if (service == nullptr) {
    fail("UnknownOperationException", "Unknown operation '" + std::string(target) + "'", 400);
    return;
  }
  auto input = api::DecodeBody(request.body, *format);
  if (!input.ok()) {
    fail("SerializationException", input.status().message(), 400);
    return;
  }
  api::ApiCall call{std::string(operation), std::move(input).value(), *format, request_id};
  api::ApiReply api_reply = ReplyOnce(reply, *format, content_type, request_id);
  try {
    service->handle(std::move(call), api_reply);
  } catch (const std::exception& e) {
    // Services return errors as values; an exception here is a bug, answered as AWS would.
    LOG_ERROR("http", "service threw", {{"request_id", request_id}, {"what", e.what()}});
    api_reply(ApiResult::Fail("InternalFailure", "Internal service error", 500));
  }
}

}  // namespace sluice::web

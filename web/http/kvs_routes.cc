// SPDX-License-Identifier: Apache-2.0
// KVS REST-JSON routes: body decoding, the Host header for GetDataEndpoint, and KVS's response
// and error shapes (status from the model, {"__type", "Message"}, x-amzn-ErrorType).

#include "web/http/kvs_routes.h"

#include <string>
#include <utility>

#include "web/api/wire_codec.h"
#include "web/http/request_ids.h"

namespace sluice::web {
namespace {

// Control-plane bodies are a few hundred bytes (at most 50 tags of 384 characters).
constexpr uint64_t kKvsBodyLimit = 1 << 20;

HttpResponse KvsResponse(const api::ApiResult& result, const std::string& request_id) {
  HttpResponse response;
  if (result.error) {
    response.status = result.error->http_status;
    // Capital-M "Message" is the member KVS's error shapes declare; __type and the header name
    // the exception (botocore reads either).
    response.body = api::EncodeBody(
        nlohmann::json{{"__type", result.error->type}, {"Message", result.error->message}},
        api::WireFormat::kJson);
    response.SetHeader("x-amzn-ErrorType", result.error->type);
    response.SetHeader("x-amz-ErrorType", result.error->type);
  } else {
    response.status = 200;
    response.body = api::EncodeBody(result.output, api::WireFormat::kJson);
  }
  response.SetHeader("Content-Type", "application/json");
  response.SetHeader("x-amzn-RequestId", request_id);
  response.SetHeader("x-amz-id-2", NewAmzId2());
  return response;
}

void HandleKvs(api::KinesisVideoApi* api, std::string_view operation, const HttpRequest& request,
               const HttpReply& reply) {
  api::KvsCall call;
  call.operation = std::string(operation);
  call.host = std::string(request.Header("Host"));
  call.request_id = NewRequestId();
  // REST-JSON: the body is JSON whatever the Content-Type says (SDKs send application/json or
  // nothing); an empty body is an empty object.
  Result<nlohmann::json> input = api::DecodeBody(request.body, api::WireFormat::kJson);
  if (!input.ok()) {
    reply(KvsResponse(api::ApiResult::Fail("SerializationException", input.status().message()),
                      call.request_id));
    return;
  }
  call.input = std::move(input).value();
  reply(KvsResponse(api->Handle(call), call.request_id));
}

}  // namespace

void AddKvsRoutes(Router* router, api::KinesisVideoApi* api) {
  for (std::string_view path : api::KinesisVideoApi::Paths()) {
    const std::string_view operation = *api::KinesisVideoApi::OperationForPath(path);
    router->Add("POST", std::string(path),
                {.name = "kvs_" + std::string(operation), .body_limit = kKvsBodyLimit},
                [api, operation](HttpRequest request, HttpReply reply) {
                  HandleKvs(api, operation, request, reply);
                });
  }
}

}  // namespace sluice::web

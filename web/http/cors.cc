// SPDX-License-Identifier: Apache-2.0
// CORS headers and the OPTIONS preflight answer (kinesalite answers the same way).

#include "web/http/cors.h"

#include <string>

namespace sluice::web {
namespace {

constexpr std::string_view kExposeHeaders =
    "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, x-amz-id-2, x-amz-request-id, "
    "x-amz-RequestId, x-amz-ErrorType, Date, Content-Length, Content-Type";
constexpr std::string_view kAllowHeaders =
    "Authorization, Content-Type, Content-Length, Content-Encoding, X-Amz-Target, X-Amz-Date, "
    "X-Amz-Security-Token, X-Amz-User-Agent, X-Amz-Content-Sha256, X-Amzn-Trace-Id, "
    "amz-sdk-invocation-id, amz-sdk-request, Range";

}  // namespace

void AddCorsHeaders(HttpResponse* response) {
  response->SetHeader("Access-Control-Allow-Origin", "*");
  response->SetHeader("Access-Control-Expose-Headers", std::string(kExposeHeaders));
}

HttpResponse PreflightResponse(const HttpRequest& request) {
  HttpResponse response;
  response.status = 200;
  response.SetHeader("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
  const std::string_view requested = request.Header("Access-Control-Request-Headers");
  response.SetHeader("Access-Control-Allow-Headers",
                     std::string(requested.empty() ? kAllowHeaders : requested));
  response.SetHeader("Access-Control-Max-Age", "172800");
  AddCorsHeaders(&response);
  return response;
}

}  // namespace sluice::web

// SPDX-License-Identifier: Apache-2.0
// AwsJsonRoute: the AWS JSON 1.1 / CBOR 1.1 RPC endpoint (`POST /`). Picks the service by the
// X-Amz-Target prefix ("Kinesis_20131202.PutRecord"), decodes the body in the request's format,
// hands an ApiCall to the service and encodes its ApiResult back with the AWS response headers
// (x-amzn-RequestId, x-amz-id-2, Content-Type mirrored, x-amzn-ErrorType on errors).
// Example:
//   auto route = std::make_shared<AwsJsonRoute>(std::vector{KinesisService(&kinesis)});
//   router.Add("POST", "/", {.name = "aws_json", .operation_label = ...}, route->Handler());
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "web/api/api_call.h"
#include "web/http/http_types.h"

namespace sluice::web {

// One JSON-protocol service reachable under X-Amz-Target "<target_prefix>.<Operation>".
struct AwsJsonService {
  std::string target_prefix;                                // "Kinesis_20131202"
  std::function<bool(std::string_view operation)> handles;  // known operation?
  std::function<void(api::ApiCall, api::ApiReply)> handle;  // answers exactly once
};

class AwsJsonRoute {
 public:
  explicit AwsJsonRoute(std::vector<AwsJsonService> services);

  // Serves one request; thread-safe.
  void Handle(HttpRequest request, HttpReply reply) const;

  // The operation name for metrics if the target names a known operation, else "unknown".
  std::string OperationLabel(const HttpRequest& request) const;

 private:
  // The service and operation named by the X-Amz-Target header, or null.
  const AwsJsonService* Resolve(std::string_view target, std::string_view* operation) const;

  std::vector<AwsJsonService> services_;
};

// Encodes an ApiResult as the HTTP response AWS would send.
HttpResponse ApiResultToHttp(const api::ApiResult& result, api::WireFormat format,
                             std::string_view content_type, std::string_view request_id);

}  // namespace sluice::web

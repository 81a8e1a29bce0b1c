// SPDX-License-Identifier: Apache-2.0
// ApiCall / ApiResult: one decoded AWS JSON-protocol call and its outcome, independent of HTTP.
// web/http turns POST / with X-Amz-Target into an ApiCall; a service (KinesisApi, ...) answers
// with an ApiResult; web/http encodes it (wire_codec.h) with the AWS headers.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "web/api/wire_codec.h"

namespace sluice::web::api {

// An AWS-shaped error: `__type` and `message` in the body, x-amzn-ErrorType header, HTTP status.
struct ApiError {
  std::string type;     // e.g. "ResourceNotFoundException"
  std::string message;
  int http_status = 400;
};

struct ApiCall {
  std::string operation;  // "PutRecord" (the part of X-Amz-Target after the dot)
  nlohmann::json input;   // decoded body (an object)
  WireFormat format = WireFormat::kJson;
  std::string request_id;
};

struct ApiResult {
  nlohmann::json output = nlohmann::json::object();
  std::optional<ApiError> error;

  static ApiResult Ok(nlohmann::json out) { return {std::move(out), std::nullopt}; }
  static ApiResult Fail(std::string type, std::string message, int http_status = 400) {
    return {nlohmann::json::object(), ApiError{std::move(type), std::move(message), http_status}};
  }
};

// Answers exactly once, from any thread.
using ApiReply = std::function<void(ApiResult)>;

// Maps an engine Status to the Kinesis error a client expects (the one place this mapping lives):
// NotFound→ResourceNotFoundException, AlreadyExists/FailedPrecondition→ResourceInUseException,
// InvalidArgument→InvalidArgumentException, ResourceExhausted→LimitExceededException,
// DeadlineExceeded→ExpiredIteratorException, others→InternalFailure (500).
ApiError ApiErrorFromStatus(const Status& status);

}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// The one place where an engine Status becomes the Kinesis error a client expects.

#include "web/api/api_call.h"

namespace sluice::web::api {

ApiError ApiErrorFromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return {"ResourceNotFoundException", status.message(), 400};
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return {"ResourceInUseException", status.message(), 400};
    case StatusCode::kInvalidArgument:
      return {"InvalidArgumentException", status.message(), 400};
    case StatusCode::kResourceExhausted:
      return {"LimitExceededException", status.message(), 400};
    case StatusCode::kDeadlineExceeded:
      return {"ExpiredIteratorException", status.message(), 400};
    case StatusCode::kOk:
    case StatusCode::kUnavailable:
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
    case StatusCode::kCancelled:
      break;
  }
  return {"InternalFailure", status.message(), 500};
}

}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// Shared by the KVS media routes (PutMedia, GetMedia, GetMediaForFragmentList): the KVS error
// response shape, the x-amzn-producer-start-timestamp format, and the StreamName/StreamARN pair of
// a JSON body.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/ids.h"
#include "base/result.h"
#include "ingest/video_streams.h"
#include "web/http/http_types.h"

namespace sluice::web {

// {"Message": message, "__type": type} with x-amzn-ErrorType (and x-amz-ErrorType, which the
// media API docs also name).
HttpResponse KvsErrorResponse(int status, std::string_view type, std::string_view message);
// The KVS exception a Status stands for (ingest::KvsErrorOf), as a response.
HttpResponse KvsErrorResponse(const Status& status);

// "1597730826.769" -> 1597730826769 ms. The C producer writes the milliseconds unpadded
// ("1795305840.71" means 71 ms), so a fraction of up to three digits is read as a count of
// milliseconds; a longer one as a decimal fraction (truncated to ms). InvalidArgument otherwise.
Result<TimestampMs> ParseProducerStartTimestamp(std::string_view text);

// StreamName / StreamARN of a KVS JSON request (at least one, strings). InvalidArgument otherwise.
Result<ingest::VideoStreamRef> StreamRefOf(const nlohmann::json& body);

// Parses a JSON object body; InvalidArgument for anything else.
Result<nlohmann::json> ParseJsonObject(std::string_view body);

}  // namespace sluice::web

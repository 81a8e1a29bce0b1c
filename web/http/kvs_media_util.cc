// SPDX-License-Identifier: Apache-2.0
// KVS media route helpers: error responses, producer start timestamps, stream refs.

#include "web/http/kvs_media_util.h"

#include <charconv>

namespace sluice::web {

HttpResponse KvsErrorResponse(int status, std::string_view type, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.body = nlohmann::json{{"Message", message}, {"__type", type}}.dump();
  response.SetHeader("Content-Type", "application/json");
  response.SetHeader("x-amzn-ErrorType", std::string(type));
  response.SetHeader("x-amz-ErrorType", std::string(type));
  return response;
}

HttpResponse KvsErrorResponse(const Status& status) {
  const ingest::KvsError e = ingest::KvsErrorOf(status);
  return KvsErrorResponse(ingest::KvsHttpStatus(e), ingest::KvsErrorName(e), status.message());
}

Result<TimestampMs> ParseProducerStartTimestamp(std::string_view text) {
  const auto bad = [&] {
    return InvalidArgumentError("x-amzn-producer-start-timestamp '" + std::string(text) +
                                "' is not epoch seconds such as 1597730826.769");
  };
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  int64_t seconds = 0;
  auto r = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
  if (whole.empty() || r.ec != std::errc() || r.ptr != whole.data() + whole.size() ||
      seconds < 0 || seconds > 253402300799) {  // up to year 9999
    return bad();
  }
  int64_t ms = 0;
  if (dot != std::string_view::npos) {
    const std::string_view fraction = text.substr(dot + 1);
    if (fraction.empty()) return bad();
    for (char c : fraction) {
      if (c < '0' || c > '9') return bad();
    }
    if (fraction.size() <= 3) {
      std::from_chars(fraction.data(), fraction.data() + fraction.size(), ms);
    } else {
      std::from_chars(fraction.data(), fraction.data() + 3, ms);
    }
  }
  return TimestampMs(seconds * 1000 + ms);
}

Result<ingest::VideoStreamRef> StreamRefOf(const nlohmann::json& body) {
  ingest::VideoStreamRef ref;
  for (const auto& [key, member] : {std::pair{"StreamName", &ref.name},
                                    std::pair{"StreamARN", &ref.arn}}) {
    const auto it = body.find(key);
    if (it == body.end() || it->is_null()) continue;
    if (!it->is_string() || it->get<std::string>().empty()) {
      return InvalidArgumentError(std::string(key) + " must be a non-empty string");
    }
    *member = it->get<std::string>();
  }
  if (ref.name.empty() && ref.arn.empty()) {
    return InvalidArgumentError("StreamName or StreamARN is required");
  }
  return ref;
}

Result<nlohmann::json> ParseJsonObject(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgumentError("the request body is not a JSON object");
  }
  return doc;
}

}  // namespace sluice::web

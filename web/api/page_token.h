// SPDX-License-Identifier: Apache-2.0
// NextToken for paged Kinesis listings (ListShards, ListStreams): an opaque, signed, expiring
// token that carries the listing's state (which stream, where the last page ended, the filter).
// Layout before base64: version u8 | issued_ms i64 (big-endian) | state as compact JSON |
// HMAC-SHA256(key, kind || 0 || everything before the MAC) truncated to 16 bytes. Binding the
// operation name into the MAC keeps a token of one listing from being replayed on another.
// Example:
//   PageTokenCodec codec(secret);
//   std::string t = codec.Encode("ListShards", {{"s", name}, {"after", 7}}, clock->Now());
//   ASSIGN_OR_RETURN(PageToken page, codec.Decode("ListShards", t));
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/ids.h"
#include "base/result.h"

namespace sluice::web::api {

struct PageToken {
  nlohmann::json state;  // whatever Encode was given
  TimestampMs issued;
};

// Thread-safe after construction.
class PageTokenCodec {
 public:
  // Derives its own key from `secret` (distinct from the iterator key).
  explicit PageTokenCodec(std::string_view secret);

  std::string Encode(std::string_view kind, const nlohmann::json& state, TimestampMs issued) const;
  // InvalidArgument for a token this codec did not issue for `kind`. Expiry is the caller's call.
  Result<PageToken> Decode(std::string_view kind, std::string_view token) const;

 private:
  std::string key_;
};

}  // namespace sluice::web::api

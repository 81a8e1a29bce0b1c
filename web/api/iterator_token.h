// SPDX-License-Identifier: Apache-2.0
// Shard iterators as opaque, tamper-proof, self-contained tokens: a reader's position (stream id,
// shard, entry counter) plus the time it was issued, signed with HMAC-SHA256 and base64-encoded.
// Not an engine concept: the engine reads by counter; this is how the Kinesis API carries one.
//
// Token layout (before base64, standard alphabet, 60 characters):
//   version u8 (=1) | stream id i64 | shard index u32 | counter u64 | issued_ms i64   (29 bytes,
//   big-endian) | HMAC-SHA256(key, those 29 bytes) truncated to 16 bytes.
// Example:
//   IteratorCodec codec(secret);
//   std::string token = codec.Encode({id, ShardIndex(0), EntryCounter(5), clock->Now()});
//   ASSIGN_OR_RETURN(IteratorPosition pos, codec.Decode(token));
#pragma once

#include <string>
#include <string_view>

#include "base/ids.h"
#include "base/result.h"

namespace sluice::web::api {

struct IteratorPosition {
  StreamId stream;
  ShardIndex shard;
  EntryCounter counter;
  TimestampMs issued;

  friend bool operator==(const IteratorPosition&, const IteratorPosition&) = default;
};

// Thread-safe after construction (all methods are const and keep no state besides the key).
class IteratorCodec {
 public:
  // `secret` signs and verifies tokens; tokens survive a restart only if it does.
  explicit IteratorCodec(std::string secret);

  std::string Encode(const IteratorPosition& position) const;
  // InvalidArgument for anything this codec did not produce (bad base64, length, version or MAC).
  // Expiry is the caller's decision (see IteratorPosition::issued).
  Result<IteratorPosition> Decode(std::string_view token) const;

 private:
  std::string key_;
};

}  // namespace sluice::web::api

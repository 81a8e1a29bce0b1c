// SPDX-License-Identifier: Apache-2.0
// Sequence number packing and validation (layout in engine/sequence_number.h).
#include "engine/sequence_number.h"

namespace sluice::engine {
namespace {

uint128 Prefix(uint32_t version, int64_t created_ms, uint32_t shard) {
  uint64_t high = (static_cast<uint64_t>(version) << 60) |
                  ((static_cast<uint64_t>(created_ms) & kMaxSequenceTimeMs) << kSequenceShardBits) |
                  (shard & kMaxSequenceShardIndex);
  return static_cast<uint128>(high) << 64;
}

}  // namespace

Result<SequenceNumberParts> DecodeSequenceNumber(std::string_view text) {
  Result<uint128> v = ParseUint128(text);
  if (!v.ok()) return InvalidArgumentError("malformed sequence number '" + std::string(text) + "'");
  auto high = static_cast<uint64_t>(*v >> 64);
  SequenceNumberParts parts;
  parts.version = static_cast<uint32_t>(high >> 60);
  parts.shard_created_ms = static_cast<int64_t>((high >> kSequenceShardBits) & kMaxSequenceTimeMs);
  parts.shard_index = static_cast<uint32_t>(high & kMaxSequenceShardIndex);
  parts.counter = static_cast<uint64_t>(*v);
  if (parts.version != kSequenceNumberVersion) {
    return InvalidArgumentError("sequence number '" + std::string(text) +
                                "' has an unsupported version");
  }
  return parts;
}

SequenceNumberCodec::SequenceNumberCodec(ShardIndex index, TimestampMs created)
    : prefix_(Prefix(kSequenceNumberVersion, created.value(), index.value())) {}

Result<EntryCounter> SequenceNumberCodec::Parse(std::string_view text) const {
  ASSIGN_OR_RETURN(SequenceNumberParts parts, DecodeSequenceNumber(text));
  uint128 prefix = Prefix(parts.version, parts.shard_created_ms, parts.shard_index);
  if (prefix != prefix_) {
    return InvalidArgumentError("sequence number '" + std::string(text) +
                                "' does not belong to this shard of this stream");
  }
  return EntryCounter(parts.counter);
}

}  // namespace sluice::engine

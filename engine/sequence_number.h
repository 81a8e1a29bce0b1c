// SPDX-License-Identifier: Apache-2.0
// Wire sequence numbers: the decimal text of a 128-bit value
//   [4 bits version=2 | 42 bits shard creation time ms | 18 bits shard index | 64 bits entry
//   counter]
// so that numbers increase strictly within a shard, are unique within a stream, sort child shards
// (created later) above their parents, never repeat for a re-created stream (its shards have later
// creation times) and parse back to (shard, counter) without any lookup.
// Example:
//   SequenceNumberCodec codec(ShardIndex(3), shard_created);
//   std::string seq = codec.Format(EntryCounter(42));
//   ASSIGN_OR_RETURN(EntryCounter c, codec.Parse(seq));  // InvalidArgument for another shard's
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/ids.h"
#include "base/result.h"
#include "base/uint128.h"

namespace sluice::engine {

inline constexpr uint32_t kSequenceNumberVersion = 2;
inline constexpr int kSequenceTimeBits = 42;
inline constexpr int kSequenceShardBits = 18;
inline constexpr uint32_t kMaxSequenceShardIndex = (1u << kSequenceShardBits) - 1;
inline constexpr int64_t kMaxSequenceTimeMs = (int64_t{1} << kSequenceTimeBits) - 1;

// The fields of a decoded sequence number.
struct SequenceNumberParts {
  uint32_t version = 0;
  int64_t shard_created_ms = 0;
  uint32_t shard_index = 0;
  uint64_t counter = 0;
};

// Splits a wire sequence number into its fields; InvalidArgument if it is not a decimal 128-bit
// value of version 2.
Result<SequenceNumberParts> DecodeSequenceNumber(std::string_view text);

// Formats and checks the sequence numbers of one shard. Cheap value type; thread-compatible.
class SequenceNumberCodec {
 public:
  // created.value() must be in [0, 2^42) and index <= kMaxSequenceShardIndex (CreateStream checks).
  SequenceNumberCodec(ShardIndex index, TimestampMs created);

  uint128 Value(EntryCounter counter) const { return prefix_ | counter.value(); }
  std::string Format(EntryCounter counter) const { return FormatUint128(Value(counter)); }
  // The counter of a sequence number of this shard; InvalidArgument when it is malformed or names
  // another shard (index or creation time differ: another shard, or another incarnation of the
  // stream).
  Result<EntryCounter> Parse(std::string_view text) const;

 private:
  uint128 prefix_;  // the high 64 bits, already shifted into place
};

}  // namespace sluice::engine

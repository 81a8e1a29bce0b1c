// SPDX-License-Identifier: Apache-2.0
// Strong types for every id that crosses a module boundary, so that a shard index can never be
// passed where a sequence counter is expected. Each is a thin, ordered, hashable wrapper.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace sluice {

template <typename Tag, typename Rep>
class StrongId {
 public:
  using rep = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : value_(v) {}
  constexpr Rep value() const { return value_; }
  friend constexpr auto operator<=>(StrongId, StrongId) = default;

 private:
  Rep value_{};
};

// Catalog row id of a stream; stable for the stream's life, never reused.
using StreamId = StrongId<struct StreamIdTag, int64_t>;
// Index of a shard inside its stream: shardId-000000000007 has ShardIndex 7.
using ShardIndex = StrongId<struct ShardIndexTag, uint32_t>;
// Position of an entry inside one shard's log: 0, 1, 2, ... in append order, never reused.
// The wire sequence number is derived from it (see engine/sequence_number.h).
using EntryCounter = StrongId<struct EntryCounterTag, uint64_t>;
// Milliseconds since the Unix epoch (wall clock).
using TimestampMs = StrongId<struct TimestampMsTag, int64_t>;

}  // namespace sluice

template <typename Tag, typename Rep>
struct std::hash<sluice::StrongId<Tag, Rep>> {
  size_t operator()(sluice::StrongId<Tag, Rep> id) const noexcept {
    return std::hash<Rep>()(id.value());
  }
};

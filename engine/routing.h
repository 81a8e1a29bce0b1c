// SPDX-License-Identifier: Apache-2.0
// Hash-key routing: how a new stream's shards split the 128-bit key space (as AWS does), and the
// lookup from a record's hash key to the open shard whose range holds it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "base/ids.h"
#include "base/uint128.h"
#include "engine/types.h"

namespace sluice::engine {

// N shards split [0, 2^128-1]: step = floor(2^128 / N), shard i = [step*i, step*(i+1)-1], and the
// last shard ends at 2^128-1. Requires n >= 1.
std::vector<std::pair<uint128, uint128>> SplitHashRange(uint32_t n);

// The hash key of a record: its explicit hash key, else MD5 of the partition key.
inline uint128 RecordHashKey(const RecordInput& r) {
  return r.explicit_hash_key ? *r.explicit_hash_key : Md5AsUint128(r.partition_key);
}

// Immutable table of the open shards' ranges, sorted by start; shared by readers of a stream.
class Router {
 public:
  explicit Router(const std::vector<ShardInfo>& shards);
  // The open shard whose range holds key; nullopt when none does (a gap cannot happen for a
  // stream created here, but a damaged catalog could hold one).
  std::optional<ShardIndex> Find(uint128 key) const;

 private:
  struct Range {
    uint128 start;
    uint128 end;
    ShardIndex shard;
  };
  std::vector<Range> ranges_;
};

}  // namespace sluice::engine

// SPDX-License-Identifier: Apache-2.0
// Hash range splitting and binary-search routing.
#include "engine/routing.h"

#include <algorithm>

namespace sluice::engine {

std::vector<std::pair<uint128, uint128>> SplitHashRange(uint32_t n) {
  std::vector<std::pair<uint128, uint128>> out;
  if (n <= 1) {
    out.emplace_back(0, kUint128Max);
    return out;
  }
  // floor(2^128 / n) from 2^128 - 1 = q*n + r: 2^128 = q*n + (r + 1).
  uint128 step = kUint128Max / n;
  if (kUint128Max % n == n - 1) step += 1;
  for (uint32_t i = 0; i < n; i++) {
    uint128 start = step * i;
    uint128 end = (i + 1 == n) ? kUint128Max : step * (i + 1) - 1;
    out.emplace_back(start, end);
  }
  return out;
}

Router::Router(const std::vector<ShardInfo>& shards) {
  for (const ShardInfo& s : shards) {
    if (s.open()) ranges_.push_back({s.hash_start, s.hash_end, s.index});
  }
  std::sort(ranges_.begin(), ranges_.end(),
            [](const Range& a, const Range& b) { return a.start < b.start; });
}

std::optional<ShardIndex> Router::Find(uint128 key) const {
  // The last range starting at or before key, if it also ends at or after it.
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), key,
                             [](uint128 k, const Range& r) { return k < r.start; });
  if (it == ranges_.begin()) return std::nullopt;
  --it;
  if (key > it->end) return std::nullopt;
  return it->shard;
}

}  // namespace sluice::engine

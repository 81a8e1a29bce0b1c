// SPDX-License-Identifier: Apache-2.0
// Names and parsers of the engine's value types (engine/types.h).
#include "engine/types.h"

#include <charconv>
#include <cstdio>

namespace sluice::engine {

std::string_view StreamModeName(StreamMode m) {
  return m == StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED";
}

std::string_view StreamStatusName(StreamStatus s) {
  switch (s) {
    case StreamStatus::kCreating:
      return "CREATING";
    case StreamStatus::kActive:
      return "ACTIVE";
    case StreamStatus::kUpdating:
      return "UPDATING";
    case StreamStatus::kDeleting:
      return "DELETING";
  }
  return "ACTIVE";
}

Result<StreamMode> ParseStreamMode(std::string_view s) {
  if (s == "PROVISIONED") return StreamMode::kProvisioned;
  if (s == "ON_DEMAND") return StreamMode::kOnDemand;
  return InvalidArgumentError("unknown stream mode '" + std::string(s) +
                              "' (expected PROVISIONED or ON_DEMAND)");
}

Result<FsyncPolicy> FsyncPolicy::Parse(std::string_view text) {
  FsyncPolicy p;
  if (text == "always") return p;
  if (text == "never") {
    p.kind = Kind::kNever;
    return p;
  }
  constexpr std::string_view kInterval = "interval:";
  if (text.starts_with(kInterval)) {
    std::string_view num = text.substr(kInterval.size());
    int ms = 0;
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), ms);
    if (ec == std::errc() && ptr == num.data() + num.size() && !num.empty() && ms > 0) {
      p.kind = Kind::kInterval;
      p.interval_ms = ms;
      return p;
    }
  }
  return InvalidArgumentError("bad fsync policy '" + std::string(text) +
                              "' (expected always, never or interval:<ms> with ms > 0)");
}

std::string FsyncPolicy::ToString() const {
  switch (kind) {
    case Kind::kAlways:
      return "always";
    case Kind::kNever:
      return "never";
    case Kind::kInterval:
      return "interval:" + std::to_string(interval_ms);
  }
  return "always";
}

std::string FormatShardId(ShardIndex index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "shardId-%012u", index.value());
  return buf;
}

std::string ShardInfo::ShardId() const { return FormatShardId(index); }

Result<ShardIndex> ParseShardId(std::string_view shard_id) {
  constexpr std::string_view kPrefix = "shardId-";
  if (shard_id.size() != kPrefix.size() + 12 || !shard_id.starts_with(kPrefix)) {
    return InvalidArgumentError("bad shard id '" + std::string(shard_id) +
                                "' (expected shardId- and 12 digits)");
  }
  std::string_view digits = shard_id.substr(kPrefix.size());
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return InvalidArgumentError("bad shard id '" + std::string(shard_id) + "'");
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX)
    return InvalidArgumentError("shard index out of range: " + std::string(shard_id));
  return ShardIndex(static_cast<uint32_t>(v));
}

}  // namespace sluice::engine

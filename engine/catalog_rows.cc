// SPDX-License-Identifier: Apache-2.0
// StreamInfo <-> catalog rows. Tags and metric names are stored as JSON text.
#include "engine/catalog_rows.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sluice::engine {

index::StreamRow StreamRowFromInfo(const StreamInfo& info) {
  index::StreamRow row;
  row.id = info.id;
  row.name = info.name;
  row.arn = info.arn;
  row.kind = static_cast<int>(info.kind);
  row.mode = static_cast<int>(info.mode);
  row.status = static_cast<int>(info.status);
  row.retention_hours = info.retention_hours;
  row.created_ms = info.created.value();
  row.fsync_policy = info.fsync.ToString();
  row.max_record_bytes = info.max_record_bytes;
  row.tags_json = nlohmann::json(info.tags).dump();
  row.metrics_json = nlohmann::json(info.shard_level_metrics).dump();
  row.encryption_type = info.encryption_type;
  row.key_id = info.key_id;
  row.settings_json = info.settings_json;
  return row;
}

index::ShardRow ShardRowFromInfo(StreamId stream, const ShardInfo& shard) {
  index::ShardRow row;
  row.stream = stream;
  row.index = shard.index;
  row.parent = shard.parent;
  row.adjacent_parent = shard.adjacent_parent;
  row.hash_start = FormatUint128(shard.hash_start);
  row.hash_end = FormatUint128(shard.hash_end);
  row.created_ms = shard.created.value();
  if (shard.ending_counter) row.ending_counter = shard.ending_counter->value();
  return row;
}

Result<StreamInfo> StreamInfoFromRows(const index::StreamRow& row,
                                      const std::vector<index::ShardRow>& shards) {
  StreamInfo info;
  info.id = row.id;
  info.name = row.name;
  info.arn = row.arn;
  if (row.kind < 0 || row.kind > 1 || row.mode < 0 || row.mode > 1 || row.status < 0 ||
      row.status > 3) {
    return DataLossError("catalog row of stream " + row.name + " holds an unknown enum value");
  }
  info.kind = static_cast<StreamKind>(row.kind);
  info.mode = static_cast<StreamMode>(row.mode);
  info.status = static_cast<StreamStatus>(row.status);
  info.retention_hours = row.retention_hours;
  info.created = TimestampMs(row.created_ms);
  Result<FsyncPolicy> policy = FsyncPolicy::Parse(row.fsync_policy);
  if (!policy.ok()) return DataLossError("stream " + row.name + ": " + policy.status().message());
  info.fsync = *policy;
  info.max_record_bytes = row.max_record_bytes;
  nlohmann::json tags = nlohmann::json::parse(row.tags_json, nullptr, /*allow_exceptions=*/false);
  nlohmann::json metrics =
      nlohmann::json::parse(row.metrics_json, nullptr, /*allow_exceptions=*/false);
  if (!tags.is_object() || !metrics.is_array()) {
    return DataLossError("stream " + row.name + ": bad tags or metrics JSON in the catalog");
  }
  for (auto& [k, v] : tags.items()) {
    if (v.is_string()) info.tags[k] = v.get<std::string>();
  }
  for (auto& m : metrics) {
    if (m.is_string()) info.shard_level_metrics.push_back(m.get<std::string>());
  }
  info.encryption_type = row.encryption_type;
  info.key_id = row.key_id;
  info.settings_json = row.settings_json;
  for (const index::ShardRow& s : shards) {
    ShardInfo si;
    si.index = s.index;
    si.parent = s.parent;
    si.adjacent_parent = s.adjacent_parent;
    Result<uint128> start = ParseUint128(s.hash_start);
    Result<uint128> end = ParseUint128(s.hash_end);
    if (!start.ok() || !end.ok()) return DataLossError("stream " + row.name + ": bad hash range");
    si.hash_start = *start;
    si.hash_end = *end;
    si.created = TimestampMs(s.created_ms);
    if (s.ending_counter) si.ending_counter = EntryCounter(*s.ending_counter);
    info.shards.push_back(si);
  }
  std::sort(info.shards.begin(), info.shards.end(),
            [](const ShardInfo& a, const ShardInfo& b) { return a.index < b.index; });
  return info;
}

}  // namespace sluice::engine

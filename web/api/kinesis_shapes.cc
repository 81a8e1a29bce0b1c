// SPDX-License-Identifier: Apache-2.0
// Kinesis JSON shapes from engine descriptions (see kinesis_shapes.h).
#include "web/api/kinesis_shapes.h"

#include "base/uint128.h"
#include "engine/sequence_number.h"

namespace sluice::web::api::kinesis {

using nlohmann::json;

const std::vector<std::string>& AllShardLevelMetrics() {
  static const std::vector<std::string> kAll = {"IncomingBytes",
                                                "IncomingRecords",
                                                "OutgoingBytes",
                                                "OutgoingRecords",
                                                "WriteProvisionedThroughputExceeded",
                                                "ReadProvisionedThroughputExceeded",
                                                "IteratorAgeMilliseconds"};
  return kAll;
}

json ShardShape(const engine::ShardInfo& shard) {
  json out = json::object();
  out["ShardId"] = shard.ShardId();
  if (shard.parent) out["ParentShardId"] = engine::FormatShardId(*shard.parent);
  if (shard.adjacent_parent) {
    out["AdjacentParentShardId"] = engine::FormatShardId(*shard.adjacent_parent);
  }
  out["HashKeyRange"] = {{"StartingHashKey", FormatUint128(shard.hash_start)},
                         {"EndingHashKey", FormatUint128(shard.hash_end)}};
  engine::SequenceNumberCodec seq(shard.index, shard.created);
  json range = {{"StartingSequenceNumber", seq.Format(EntryCounter(0))}};
  if (shard.ending_counter) range["EndingSequenceNumber"] = seq.Format(*shard.ending_counter);
  out["SequenceNumberRange"] = std::move(range);
  return out;
}

json StreamModeDetails(engine::StreamMode mode) {
  return {{"StreamMode", std::string(engine::StreamModeName(mode))}};
}

json EnhancedMonitoring(const engine::StreamInfo& info) {
  return json::array({{{"ShardLevelMetrics", info.shard_level_metrics}}});
}

namespace {

// Members StreamDescription and StreamDescriptionSummary share.
json CommonStreamMembers(const engine::StreamInfo& info) {
  json out = json::object();
  out["StreamName"] = info.name;
  out["StreamARN"] = info.arn;
  out["StreamStatus"] = std::string(engine::StreamStatusName(info.status));
  out["StreamModeDetails"] = StreamModeDetails(info.mode);
  out["RetentionPeriodHours"] = info.retention_hours;
  out["StreamCreationTimestamp"] = info.created.value();
  out["EnhancedMonitoring"] = EnhancedMonitoring(info);
  out["EncryptionType"] = info.encryption_type;
  if (!info.key_id.empty()) out["KeyId"] = info.key_id;
  return out;
}

}  // namespace

json StreamDescription(const engine::StreamInfo& info, json shards, bool has_more_shards) {
  json out = CommonStreamMembers(info);
  out["Shards"] = std::move(shards);
  out["HasMoreShards"] = has_more_shards;
  return out;
}

json StreamDescriptionSummary(const engine::StreamInfo& info) {
  json out = CommonStreamMembers(info);
  out["OpenShardCount"] = OpenShardCount(info);
  out["ConsumerCount"] = 0;
  out["MaxRecordSizeInKiB"] = info.max_record_bytes / 1024;
  return out;
}

json StreamSummary(const engine::StreamInfo& info) {
  return {{"StreamName", info.name},
          {"StreamARN", info.arn},
          {"StreamStatus", std::string(engine::StreamStatusName(info.status))},
          {"StreamModeDetails", StreamModeDetails(info.mode)},
          {"StreamCreationTimestamp", info.created.value()}};
}

json ChildShards(const engine::StreamInfo& info, ShardIndex parent) {
  json out = json::array();
  for (const engine::ShardInfo& s : info.shards) {
    if (s.parent != parent && s.adjacent_parent != parent) continue;
    json parents = json::array();
    if (s.parent) parents.push_back(engine::FormatShardId(*s.parent));
    if (s.adjacent_parent) parents.push_back(engine::FormatShardId(*s.adjacent_parent));
    out.push_back({{"ShardId", s.ShardId()},
                   {"ParentShards", std::move(parents)},
                   {"HashKeyRange",
                    {{"StartingHashKey", FormatUint128(s.hash_start)},
                     {"EndingHashKey", FormatUint128(s.hash_end)}}}});
  }
  return out;
}

uint32_t OpenShardCount(const engine::StreamInfo& info) {
  uint32_t n = 0;
  for (const engine::ShardInfo& s : info.shards) n += s.open() ? 1 : 0;
  return n;
}

}  // namespace sluice::web::api::kinesis

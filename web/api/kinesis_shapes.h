// SPDX-License-Identifier: Apache-2.0
// Engine descriptions (StreamInfo, ShardInfo) rendered as the Kinesis JSON shapes: Shard,
// StreamDescription, StreamDescriptionSummary, StreamSummary, ChildShard. Timestamps are integer
// epoch milliseconds (the codec writes them as AWS does); no I/O here.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/types.h"

namespace sluice::web::api::kinesis {

// Enhanced-monitoring metric names in AWS's order ("ALL" expands to these).
const std::vector<std::string>& AllShardLevelMetrics();

nlohmann::json ShardShape(const engine::ShardInfo& shard);
nlohmann::json StreamModeDetails(engine::StreamMode mode);
nlohmann::json EnhancedMonitoring(const engine::StreamInfo& info);
// `shards` is the page of Shard shapes to include.
nlohmann::json StreamDescription(const engine::StreamInfo& info, nlohmann::json shards,
                                 bool has_more_shards);
nlohmann::json StreamDescriptionSummary(const engine::StreamInfo& info);
nlohmann::json StreamSummary(const engine::StreamInfo& info);
// The children of `parent` (shards naming it as parent or adjacent parent), as ChildShard shapes.
nlohmann::json ChildShards(const engine::StreamInfo& info, ShardIndex parent);
uint32_t OpenShardCount(const engine::StreamInfo& info);

}  // namespace sluice::web::api::kinesis

// SPDX-License-Identifier: Apache-2.0
// Conversions between the engine's StreamInfo/ShardInfo and the catalog's plain rows (the index
// layer knows only base types: enums travel as ints, 128-bit keys and maps as text).
#pragma once

#include <vector>

#include "base/result.h"
#include "engine/types.h"
#include "index/catalog.h"

namespace sluice::engine {

index::StreamRow StreamRowFromInfo(const StreamInfo& info);
index::ShardRow ShardRowFromInfo(StreamId stream, const ShardInfo& shard);
// DataLoss when a row holds something the engine cannot have written.
Result<StreamInfo> StreamInfoFromRows(const index::StreamRow& row,
                                      const std::vector<index::ShardRow>& shards);

}  // namespace sluice::engine

// SPDX-License-Identifier: Apache-2.0
// Blocking wrappers over the engine's callback API, for tests: put and wait for `done`, wait for a
// condition with a timeout. Example: PutResults r = PutAndWait(store, "s", {Rec("k", "v")});
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "engine/stream_store.h"

namespace sluice::testing {

engine::RecordInput Rec(std::string key, std::string data, std::string meta = "");

// Calls Put and blocks until its done callback ran (fails the process after 30 s).
engine::PutResults PutAndWait(engine::StreamStore* store, std::string_view stream,
                              std::vector<engine::RecordInput> records);
engine::PutResults PutToShardAndWait(engine::StreamStore* store, std::string_view stream,
                                     ShardIndex shard, std::vector<engine::RecordInput> records);

// Reads every visible record of a shard from `from` on.
std::vector<engine::StoredRecord> ReadAll(engine::StreamStore* store, std::string_view stream,
                                          ShardIndex shard, EntryCounter from = EntryCounter(0));

// Polls pred every millisecond until it holds or the timeout passes; returns pred().
bool WaitFor(const std::function<bool()>& pred,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace sluice::testing

// SPDX-License-Identifier: Apache-2.0
// ServeConfig: everything `sluice serve` is told, from defaults, the optional JSON config file
// (--config) and command-line flags, in that order of precedence (flags win).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "engine/types.h"

namespace sluice::app {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  log::Level log_level = log::Level::kInfo;
  std::optional<engine::FsyncPolicy> default_fsync_policy;  // unset: the engine's default
  uint32_t shard_limit = 500;
  uint64_t segment_bytes = 64ull << 20;
  // fsync workers: one per busy shard lets group commits of different shards overlap.
  int sync_threads = 4;
  // How long a shard iterator stays valid (AWS: 5 minutes).
  int64_t iterator_ttl_ms = 300000;
  // Ingest a synthetic live camera into the video stream "demo" (`--demo`).
  bool demo = false;
};

// Parses the arguments after `serve`. InvalidArgument (usage error) for unknown flags, missing
// values or bad values; the message names the flag. Reads the --config file if given.
Result<ServeConfig> ParseServeArgs(const std::vector<std::string_view>& args);

// Applies a JSON config file's keys to `config`: listen, data, log_level, default_fsync_policy,
// shard_limit, segment_bytes, sync_threads, iterator_ttl_ms. Unknown keys and wrong types are InvalidArgument.
Status ApplyConfigJson(std::string_view text, std::string_view origin, ServeConfig* config);

Result<log::Level> ParseLogLevel(std::string_view text);

}  // namespace sluice::app

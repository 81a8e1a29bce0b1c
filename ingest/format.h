// SPDX-License-Identifier: Apache-2.0
// Constants of ingest's stored format: the meta of a video fragment entry in the engine's log
// (the entry's data is the MKV Cluster itself). Grammar and rationale: ingest/README.md, "Stored
// fragment entries". Encoder and decoder: video_record.h.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::ingest::format {

// video_meta := "SLVF" u8(version = 1) zz(server_timestamp_ms) lp(fragment_meta)
constexpr std::string_view kVideoMetaMagic = "SLVF";
constexpr uint8_t kVideoMetaVersion1 = 1;

// Every fragment entry has this partition key (the engine requires one; video streams have one
// shard, so it routes nothing).
constexpr std::string_view kFragmentPartitionKey = "f";

}  // namespace sluice::ingest::format

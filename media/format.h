// SPDX-License-Identifier: Apache-2.0
// Constants of media's stored formats: the TrackHeader record and the fragment meta record that
// ingest keeps beside each stored cluster. Grammar, rationale and downsides: media/README.md,
// "Stored formats". Encoders and decoders: stored_format.h.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::media::format {

// Every stored media record starts with a 4-byte magic and a 1-byte format version.
constexpr std::string_view kTrackHeaderMagic = "SLTH";
constexpr std::string_view kFragmentMetaMagic = "SLFM";
constexpr uint8_t kTrackHeaderVersion1 = 1;
constexpr uint8_t kFragmentMetaVersion1 = 1;

// fragment meta flags byte.
constexpr uint8_t kFragmentFlagKeyFrame = 0x01;

// Decoders refuse more than this many tracks or tags (the ingest limits are far lower).
constexpr uint32_t kMaxStoredTracks = 64;
constexpr uint32_t kMaxStoredTags = 1024;

}  // namespace sluice::media::format

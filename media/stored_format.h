// SPDX-License-Identifier: Apache-2.0
// Encoders and decoders of media's stored records (constants in format.h, grammar in README.md):
// the TrackHeader, which ingest stores once per header version, and FragmentMeta, the small
// description stored as the `meta` of each fragment record (the record data is Fragment::cluster).
// Example:
//   std::string rec = EncodeTrackHeader(header);
//   ASSIGN_OR_RETURN(TrackHeader h, DecodeTrackHeader(rec));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"
#include "base/result.h"
#include "media/fragment.h"

namespace sluice::media {

std::string EncodeTrackHeader(const TrackHeader& header);
// DataLoss when the bytes are not a TrackHeader record; unknown trailing fields are skipped.
Result<TrackHeader> DecodeTrackHeader(std::string_view bytes);

// Everything about a stored fragment except its cluster bytes and frames.
struct FragmentMeta {
  uint64_t header_version = 0;
  uint64_t cluster_timecode = 0;
  TimestampMs producer_timestamp;
  int64_t start_ns = 0;
  int64_t duration_ms = 0;
  bool key_frame = false;
  uint32_t frame_count = 0;
  std::vector<FragmentTag> tags;

  static FragmentMeta Of(const Fragment& f);
  friend bool operator==(const FragmentMeta&, const FragmentMeta&) = default;
};

std::string EncodeFragmentMeta(const FragmentMeta& meta);
Result<FragmentMeta> DecodeFragmentMeta(std::string_view bytes);

// Re-parses a stored cluster (Fragment::cluster) under its header into a Fragment with frames,
// for readers that need the frames (HLS packaging, decoding). The result's tags are empty and its
// producer_timestamp is on the ABSOLUTE axis; take both from the FragmentMeta. InvalidArgument
// if the bytes are not exactly one valid cluster.
Result<Fragment> ReadStoredCluster(const TrackHeader& header, std::string_view cluster);

}  // namespace sluice::media

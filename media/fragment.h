// SPDX-License-Identifier: Apache-2.0
// The media vocabulary, defined once: Frame, TrackInfo, TrackHeader, FragmentTag and Fragment.
// Plain data with no behaviour beyond lookups. The fragmenter (mkv_fragmenter.h) produces these;
// ingest stores them, the MKV writer (mkv_writer.h) and consumers read them. Example:
//   const TrackInfo* video = header.VideoTrack();
//   for (const Frame& f : fragment.frames) Decode(fragment.Payload(f), f.pts_ns);
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"

namespace sluice::media {

// Times are int64 nanoseconds on the stream's MKV timeline (timecode * TimecodeScale) unless a
// name says otherwise. This value means "not known" (e.g. DTS, which MKV does not carry).
constexpr int64_t kUnknownTime = std::numeric_limits<int64_t>::min();

// Frame flags (GStreamer buffer flags, reduced to what MKV carries).
enum FrameFlags : uint32_t {
  kFrameKey = 1u << 0,            // a key frame (random access point)
  kFrameDiscontinuity = 1u << 1,  // first frame after a header change, restart or dropped data
  kFrameInvisible = 1u << 2,      // decode but do not show (SimpleBlock invisible bit)
  kFrameDiscardable = 1u << 3,    // may be dropped by a decoder (SimpleBlock discardable bit)
};

// One coded frame inside a Fragment. The payload lives in Fragment::cluster at
// [offset, offset + size); a laced block yields one Frame per laced frame.
struct Frame {
  uint64_t track_number = 0;
  int64_t pts_ns = kUnknownTime;
  int64_t dts_ns = kUnknownTime;  // always unknown for MKV input
  int64_t duration_ns = kUnknownTime;
  uint32_t flags = 0;
  uint32_t offset = 0;
  uint32_t size = 0;

  bool key() const { return (flags & kFrameKey) != 0; }
};

// Matroska TrackType values; any other value the producer sends is kept as is.
enum class TrackType : uint8_t {
  kUnknown = 0,
  kVideo = 1,
  kAudio = 2,
  kComplex = 3,
  kLogo = 0x10,
  kSubtitle = 0x11,
  kButtons = 0x12,
  kControl = 0x20,
  kMetadata = 0x21,
};

// One TrackEntry. Numbers and uids are as the producer sent them.
struct TrackInfo {
  uint64_t number = 0;
  uint64_t uid = 0;
  TrackType type = TrackType::kUnknown;
  std::string codec_id;       // "V_MPEG4/ISO/AVC", "V_MPEGH/ISO/HEVC", "A_AAC", ...
  std::string codec_private;  // avcC / hvcC / AudioSpecificConfig bytes; may be empty
  std::string name;
  std::string language;                        // empty = not sent
  int64_t default_duration_ns = kUnknownTime;  // per-frame duration, when sent
  uint32_t width = 0;                          // video only
  uint32_t height = 0;
  double sampling_rate = 0;  // audio only, Hz
  uint32_t channels = 0;
  uint32_t bit_depth = 0;

  friend bool operator==(const TrackInfo&, const TrackInfo&) = default;
};

// Everything a decoder needs before the first cluster: Info's TimecodeScale and the Tracks.
// `version` starts at 1 for the first header of a PutMedia session and goes up by one each time a
// new EBML header/Segment arrives or Tracks change (producer restart, new codec private data).
// Fragments name the version they need, so a reader knows when to re-send the header.
struct TrackHeader {
  uint64_t version = 0;
  uint64_t timecode_scale_ns = 1'000'000;  // MKV default: 1 ms
  std::string doc_type = "matroska";       // or "webm"
  std::vector<TrackInfo> tracks;

  const TrackInfo* FindTrack(uint64_t number) const {
    for (const TrackInfo& t : tracks) {
      if (t.number == number) return &t;
    }
    return nullptr;
  }
  const TrackInfo* VideoTrack() const {
    for (const TrackInfo& t : tracks) {
      if (t.type == TrackType::kVideo) return &t;
    }
    return nullptr;
  }
  friend bool operator==(const TrackHeader&, const TrackHeader&) = default;
};

// A fragment metadata tag (MKV SimpleTag TagName/TagString) sent by the producer.
struct FragmentTag {
  std::string name;
  std::string value;
  friend bool operator==(const FragmentTag&, const FragmentTag&) = default;
};

// One fragment: exactly one MKV Cluster. `cluster` holds the whole Cluster element (id, an 8-byte
// size, then the children as received), so it can be stored as one record and served alone
// after a header written from the TrackHeader of `header_version`.
struct Fragment {
  uint64_t header_version = 0;
  uint64_t cluster_timecode = 0;   // the Cluster's Timecode as sent (what acks echo)
  TimestampMs producer_timestamp;  // see FragmenterOptions::timecode_type
  int64_t start_ns = 0;            // cluster_timecode * TimecodeScale
  int64_t duration_ms = 0;         // from start to the end of the last frame
  bool key_frame = false;          // the first video frame is a key frame (or no video track)
  std::string cluster;
  std::vector<Frame> frames;
  std::vector<FragmentTag> tags;  // producer metadata that preceded this cluster

  size_t frame_count() const { return frames.size(); }
  std::string_view Payload(const Frame& f) const {
    return std::string_view(cluster).substr(f.offset, f.size);
  }
};

}  // namespace sluice::media

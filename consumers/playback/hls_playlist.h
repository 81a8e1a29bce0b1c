// SPDX-License-Identifier: Apache-2.0
// HLS playlists as pure functions of their inputs (no I/O, no clock): the master playlist of a
// session and the media playlist of one track. URIs are relative to the playlist's own URL and
// carry the session token. Rules (tags, order, discontinuities) are in README.md, "Playback".
// Example:
//   std::string m3u8 = RenderMediaPlaylist({.session_token = t, .segments = segs, ...});
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ids.h"
#include "consumers/playback/playback_service.h"
#include "media/remux.h"

namespace sluice::consumers::playback {

// One fragment as a playlist lists it.
struct HlsSegment {
  std::string fragment_number;
  TimestampMs time;  // start on the session's selector axis
  int64_t duration_ms = 0;
  uint64_t header_version = 0;
};

struct HlsMediaPlaylist {
  std::string session_token;
  ContainerFormat container = ContainerFormat::kFragmentedMp4;
  uint64_t track = 1;  // output track (1 video or audio-only, 2 audio)
  DiscontinuityMode discontinuity = DiscontinuityMode::kAlways;
  bool program_date_time = false;  // DisplayFragmentTimestamp=ALWAYS
  bool vod = false;                // ON_DEMAND: PLAYLIST-TYPE:VOD and ENDLIST
  bool ended = false;              // ENDLIST (LIVE_REPLAY past its end)
  bool can_block_reload = false;   // LL-HLS EXT-X-SERVER-CONTROL
  uint64_t media_sequence = 0;
  uint64_t discontinuity_sequence = 0;
  std::vector<HlsSegment> segments;
};

// True when a DISCONTINUITY tag goes between `prev` and `next`: always for ALWAYS, on a track
// header change in every mode, and for ON_DISCONTINUITY when `next` does not start within 50 ms
// of where `prev` ends on the axis.
bool IsDiscontinuity(DiscontinuityMode mode, const HlsSegment& prev, const HlsSegment& next);
inline constexpr int64_t kDiscontinuityToleranceMs = 50;

std::string RenderMediaPlaylist(const HlsMediaPlaylist& playlist);

struct HlsVariant {
  std::string session_token;
  ContainerFormat container = ContainerFormat::kFragmentedMp4;
  std::optional<media::TrackDescription> video;
  std::optional<media::TrackDescription> audio;
  uint64_t bandwidth = 0;  // bits per second, the peak over the listed fragments
};

std::string RenderMasterPlaylist(const HlsVariant& variant);

}  // namespace sluice::consumers::playback

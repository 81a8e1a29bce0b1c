// SPDX-License-Identifier: Apache-2.0
// The MPEG-DASH manifest (MPD) of a session as a pure function of its inputs. One Period, one
// AdaptationSet per output track, each with a SegmentList (hence the full profile: the live
// profile allows no SegmentList): an Initialization URL, a SegmentTimeline with one S (t, d,
// optional kvs:ts / kvs:fn) per fragment and one SegmentURL per fragment naming it by
// FragmentNumber. KVS fragment numbers cannot be derived from
// $Number$ or $Time$, so URLs are listed; dash.js pairs the i-th S with the i-th SegmentURL and
// FFmpeg's dashdec reads the SegmentURL list. Times are the remuxed media times (media/remux.h:
// video 90 kHz, audio its sampling rate), so S@t equals the segment's own timestamps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ids.h"
#include "media/fragment.h"
#include "media/remux.h"

namespace sluice::consumers::playback {

struct DashSegment {
  std::string fragment_number;
  TimestampMs time;  // start on the selector axis (kvs:ts)
  int64_t duration_ms = 0;
  // The earliest presentation time of each output track in this fragment (ns, media timeline);
  // media::kUnknownTime when the fragment has no sample of the track.
  int64_t start_ns[2] = {media::kUnknownTime, media::kUnknownTime};
};

struct DashTrack {
  uint64_t output_track = 1;  // 1 or 2 (media/remux.h numbering)
  bool video = true;
  media::TrackDescription description;
  uint32_t timescale = 90000;
  uint64_t header_version = 0;  // the init segment's SequenceNumber
  uint64_t bandwidth = 0;       // bits per second
};

struct DashManifest {
  std::string session_token;
  bool dynamic = false;                     // LIVE, LIVE_REPLAY
  TimestampMs availability_start;           // dynamic: wall-clock time of media time 0
  TimestampMs publish_time;                 // dynamic
  int64_t minimum_update_period_ms = 1000;  // dynamic
  bool display_timestamp = false;           // kvs:ts
  bool display_number = false;              // kvs:fn
  std::vector<DashTrack> tracks;
  std::vector<DashSegment> segments;
};

std::string RenderMpd(const DashManifest& manifest);

// Media time (ns) in a track's timescale, rounded down.
int64_t ToTimescale(int64_t ns, uint32_t timescale);

}  // namespace sluice::consumers::playback

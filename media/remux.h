// SPDX-License-Identifier: Apache-2.0
// Remuxing stored fragments into the containers playback serves, with libavformat and never a
// transcode: fMP4/CMAF init and media segments (HLS FRAGMENTED_MP4, DASH), MPEG-TS segments (HLS
// MPEG_TS) and progressive MP4 clips (GetClip). Input is what the store holds: a TrackHeader and
// Fragments re-parsed by ReadStoredCluster (frames with pts, no dts).
//
// Output timeline: every sample keeps its stored time (Frame::pts_ns on the stream's MKV timeline,
// which for KVS producers is epoch-based), converted to the output time base (video 90 kHz, audio
// its sampling rate). So segments cut from different requests line up: the media segment of
// fragment N+1 continues where fragment N ended, whichever process produced them, and a player
// may fetch them in any order. DTS are derived from the pts order inside a fragment (B-frames:
// decode order is storage order, dts = sorted pts shifted by the reorder depth).
//
// Tracks: "playable" tracks are the first video track (H.264 V_MPEG4/ISO/AVC or H.265
// V_MPEGH/ISO/HEVC, with codec private data) and the first audio track (A_AAC; A_MS/ACM G.711 too
// where `allow_g711`). Output track numbers follow KVS: 1 = video, 2 = audio (audio-only: 1 = audio).
// Thread-safety: free functions with no shared state; call from any thread.
// Example:
//   ASSIGN_OR_RETURN(PlayableTracks t, SelectPlayableTracks(header, {}));
//   ASSIGN_OR_RETURN(std::string init, Fmp4InitSegment(header, t, 1));
//   ASSIGN_OR_RETURN(std::string seg, Fmp4MediaSegment(header, t, fragment, 1, sequence));
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "media/fragment.h"

namespace sluice::media {

// Status messages of SelectPlayableTracks start with one of these, so that the API layer can name
// the KVS exception (UnsupportedStreamMediaTypeException, MissingCodecPrivateDataException,
// InvalidCodecPrivateDataException). The Status code is FailedPrecondition for all three.
inline constexpr std::string_view kUnsupportedMediaPrefix = "unsupported media: ";
inline constexpr std::string_view kMissingCodecPrivatePrefix = "missing codec private data: ";
inline constexpr std::string_view kInvalidCodecPrivatePrefix = "invalid codec private data: ";

struct PlayableTracks {
  const TrackInfo* video = nullptr;  // points into the TrackHeader passed in; null: audio-only
  const TrackInfo* audio = nullptr;  // null: no (supported) audio track
  // The output track number (1 or 2, see above) -> the track; null when absent.
  const TrackInfo* Output(uint64_t output_track) const;
  uint64_t count() const { return (video ? 1 : 0) + (audio ? 1 : 0); }
};

struct TrackSelectOptions {
  bool allow_g711 = false;  // DASH and GetClip accept A_MS/ACM G.711; HLS does not
};

// FailedPrecondition (see the prefixes) when no track can be played or codec private data is
// missing or does not parse (avcC / hvcC / AudioSpecificConfig).
Result<PlayableTracks> SelectPlayableTracks(const TrackHeader& header, TrackSelectOptions options);

// What a playlist or manifest says about a track.
struct TrackDescription {
  std::string codecs;    // RFC 6381: "avc1.4d401f", "hvc1.1.6.L93.B0", "mp4a.40.2"
  uint32_t width = 0;    // video
  uint32_t height = 0;   // video
  double frame_rate = 0; // video, from default duration or frame timing; 0 when unknown
  uint32_t sample_rate = 0;  // audio
  uint32_t channels = 0;     // audio
};
Result<TrackDescription> DescribeTrack(const TrackInfo& track);

// ftyp + moov for one output track (CMAF: one track per init segment), no samples.
Result<std::string> Fmp4InitSegment(const TrackHeader& header, const PlayableTracks& tracks,
                                    uint64_t output_track);

// moof + mdat (styp first) holding the samples of one output track of one fragment, with
// tfdt = the first sample's decode time on the output timeline and mfhd sequence = `sequence`.
// InvalidArgument if the fragment has no sample of that track.
Result<std::string> Fmp4MediaSegment(const TrackHeader& header, const PlayableTracks& tracks,
                                     const Fragment& fragment, uint64_t output_track,
                                     uint32_t sequence);

// One self-contained MPEG-TS segment (PAT/PMT, H.264/H.265 in Annex B with parameter sets before
// each key frame, AAC in ADTS) holding all playable tracks of one fragment. `continuity` seeds
// the continuity counters (pass the fragment's position in the playlist).
Result<std::string> TsSegment(const TrackHeader& header, const PlayableTracks& tracks,
                              const Fragment& fragment, uint32_t continuity);

// A progressive MP4 (moov before mdat, "faststart") of the fragments in order, all playable
// tracks, timestamps starting at 0. Fragments may need different headers: pass one header per
// fragment (`headers[i]` for `fragments[i]`); a change of codec private data inside a clip is
// FailedPrecondition (the clip stops there: callers cut at header changes).
Result<std::string> Mp4Clip(std::span<const TrackHeader* const> headers,
                            std::span<const Fragment> fragments);

}  // namespace sluice::media

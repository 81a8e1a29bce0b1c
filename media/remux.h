// SPDX-License-Identifier: Apache-2.0
// Remuxing stored fragments into the containers playback serves, with libavformat and never a
// transcode: fMP4/CMAF init and media segments (HLS FRAGMENTED_MP4, DASH), MPEG-TS segments (HLS
// MPEG_TS) and progressive MP4 clips (GetClip). Input is what the store holds: a TrackHeader and
// Fragments re-parsed by ReadStoredCluster (frames with pts, no dts).
//
// Output timeline: every sample keeps its stored time (Frame::pts_ns on the stream's MKV timeline,
// which for KVS producers is epoch-based), converted to the output time base (video 90 kHz, audio
// its sampling rate; rounded to nearest). So segments cut from different requests line up: the
// media segment of fragment N+1 continues where fragment N ended, whichever process produced them,
// and a player may fetch them in any order. DTS are derived from the pts order inside a fragment
// (B-frames: decode order is storage order, dts = sorted pts shifted by the reorder depth d, the
// first d frames one frame step apart before the first pts; dts <= pts, strictly increasing).
// So with x264's b-pyramid (d = 2) a fragment's first decode time is its first pts minus two
// frames; without B-frames dts = pts. Audio is snapped to its frame grid (1024 samples for AAC)
// when a stored time is within half a frame of it; real gaps stay.
//
// Tracks: "playable" tracks are the first video track (H.264 V_MPEG4/ISO/AVC or H.265
// V_MPEGH/ISO/HEVC, with codec private data) and the first audio track (A_AAC; A_MS/ACM G.711 too
// where `allow_g711`). Output track numbers follow KVS: 1 = video, 2 = audio (audio-only: 1 =
// audio). An unsupported audio track next to a playable video track is left out, not an error.
//
// Errors: the selection errors below (FailedPrecondition); InvalidArgument for arguments that name
// nothing (a missing output track, a fragment without samples) and for frames libavformat refuses
// (AVERROR_INVALIDDATA / EINVAL, e.g. garbage payloads in MPEG-TS, whose bitstream filters parse
// the NAL units); ResourceExhausted for ENOMEM; Internal otherwise. libav messages carry the
// av_strerror text. Frames are untrusted: bad input never crashes. libavformat logs through av_log
// (the MP4 clip's faststart pass logs one line at AV_LOG_INFO): the process sets the level.
//
// Thread-safety: free functions with no shared state (one libavformat muxer per call); call from
// any thread. A 1 s 720p fragment remuxes in well under a millisecond (README.md, "Remuxing").
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
  std::string codecs;        // RFC 6381: "avc1.4d401f", "hvc1.1.6.L93.B0", "mp4a.40.2"
  uint32_t width = 0;        // video
  uint32_t height = 0;       // video
  double frame_rate = 0;     // video: DefaultDuration, else SPS/VPS timing info; 0 when unknown
  uint32_t sample_rate = 0;  // audio, decoded (HE-AAC with explicit SBR: the extension rate)
  uint32_t channels = 0;     // audio
};
// Any supported track (G.711 too: "ulaw" / "alaw"); size from the track, else the SPS. Errors as
// SelectPlayableTracks'.
Result<TrackDescription> DescribeTrack(const TrackInfo& track);

// ftyp (ISO brands) + moov for one output track (CMAF: one track per init segment), no samples, no
// edit list; track_ID = `output_track`; mvex/trex present. H.265 uses the hvc1 sample entry.
// G.711 is written by libavformat's QuickTime muxer (ulaw/alaw sample entries, ISO brand), as its
// mp4 muxer has no G.711 sample entry.
Result<std::string> Fmp4InitSegment(const TrackHeader& header, const PlayableTracks& tracks,
                                    uint64_t output_track);

// styp + moof + mdat holding the samples of one output track of one fragment (in storage order),
// with tfdt = the first sample's decode time on the output timeline (e.g. the key frame's pts
// at 90 kHz minus the reorder depth) and mfhd sequence = `sequence`. The first sample is flagged
// sync when the fragment starts with a key frame (continuation fragments do not). A timeline
// starting near 0 (RELATIVE producers) would need negative decode times for B-frames: those are
// raised to 0, 1, 2... ticks. InvalidArgument if the fragment has no sample of that track.
Result<std::string> Fmp4MediaSegment(const TrackHeader& header, const PlayableTracks& tracks,
                                     const Fragment& fragment, uint64_t output_track,
                                     uint32_t sequence);

// One self-contained MPEG-TS segment (PAT/PMT, H.264/H.265 in Annex B with parameter sets before
// each key frame, AAC in ADTS) holding all playable tracks of one fragment, interleaved by decode
// time. PTS/DTS are the stored times at 90 kHz modulo 2^33 (the first audio sample exact, the
// others at their offsets from it); PCR runs 0.7 s ahead of DTS. `continuity` seeds the
// continuity counters: every PID starts at `continuity` mod 16 (libavformat cannot seed them; they
// are rewritten after muxing). They do not continue the previous segment's counters; players
// (and ffmpeg reading consecutive segments concatenated) accept that. G.711 is FailedPrecondition
// (unsupported media: HLS has no G.711). InvalidArgument if no playable track has a sample.
Result<std::string> TsSegment(const TrackHeader& header, const PlayableTracks& tracks,
                              const Fragment& fragment, uint32_t continuity);

// A progressive MP4 (moov before mdat, "faststart") of the fragments in order, all playable
// tracks (selected with allow_g711; G.711 as in Fmp4InitSegment), timestamps starting at 0 (the
// earliest stored time of a playable frame of the first fragment; an edit list keeps B-frame
// video at pts 0). Fragments may need different headers: pass one header per fragment
// (`headers[i]` for `fragments[i]`); a change of codecs or codec private data inside a clip is
// FailedPrecondition naming the fragment index (the clip stops there: callers cut at header
// changes), a new header version with the same codec data is fine. A fragment that starts before
// the previous one ended (a restart reusing timecodes) is moved to follow it. InvalidArgument for
// no fragments, a header count that differs from the fragment count, or a null header.
Result<std::string> Mp4Clip(std::span<const TrackHeader* const> headers,
                            std::span<const Fragment> fragments);

}  // namespace sluice::media

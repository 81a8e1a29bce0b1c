// SPDX-License-Identifier: Apache-2.0
// Internal to remux*.cc (and their tests): the output timeline. Stored frames carry a pts in ns
// and no dts; this converts them to ticks of the output time base and derives decode times and
// sample durations, one track of one fragment at a time, so that fragments remuxed separately
// line up. Pure functions, no libav.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "media/fragment.h"
#include "media/remux_codec_config.h"

namespace sluice::media::remux {

// ns on the MKV timeline -> ticks of 1/timescale, rounded to nearest (half away from zero); exact
// for the whole int64 range.
int64_t NsToTicks(int64_t ns, int64_t timescale);

// Ticks of 1/from -> ticks of 1/to, rounded to nearest; exact for the whole int64 range.
int64_t RescaleTicks(int64_t ticks, int64_t from, int64_t to);

struct SampleTime {
  int64_t pts = 0;
  int64_t dts = 0;
  int64_t duration = 0;  // dts of the next sample - dts; the last one is estimated
};

// Video, frames in storage order, which is decode order. The reorder depth d is the smallest
// shift such that the sorted pts moved d places later never pass a frame's own pts; then
// dts[i] = sorted[i - d], the first d extrapolated one frame step apart before the first pts.
// Without B-frames d = 0 and dts = pts. dts strictly increase and dts <= pts (duplicate or
// garbage times are nudged by one tick). `step` is the frame duration in ticks, 0 when unknown
// (then the median gap of the sorted pts, else 1/30 s).
std::vector<SampleTime> VideoSampleTimes(std::span<const int64_t> pts, int64_t step,
                                         int64_t timescale);

// Audio: dts = pts, snapped to the previous sample's end when within half a frame of it (stored
// times are rounded to the MKV timecode scale; real gaps stay). `frame_ticks[i]` is the nominal
// duration of frame i (AAC: 1024 at the sampling rate; G.711: its byte count per channel), 0 when
// unknown (then the gap to the next frame, and for the last frame the one before's duration).
std::vector<SampleTime> AudioSampleTimes(std::span<const int64_t> pts,
                                         std::span<const int64_t> frame_ticks);

// Raises negative decode times to 0, 1, 2... ticks (keeping dts strictly increasing, dts <= pts)
// and recomputes the durations before them: an fMP4 tfdt cannot be negative, which a timeline
// starting at 0 with B-frames would need for its first frames.
void ClampDtsToZero(std::vector<SampleTime>* times);

// The frames of one track of a fragment, in storage order, with their output times.
struct TrackSamples {
  std::vector<const Frame*> frames;
  std::vector<SampleTime> times;
};

// Collects `track`'s frames from `fragment` (frames without a known pts get the previous frame's
// end, or are dropped when that is unknown too; empty frames and times beyond 2^62 ns are dropped)
// and times them in ticks of 1/timescale. `origin_ns` is subtracted first (0 for the stored
// timeline). Empty when the track has no frame there.
TrackSamples CollectSamples(const Fragment& fragment, const TrackInfo& track,
                            const CodecConfig& config, int64_t timescale, int64_t origin_ns);

// The output time base: 90 kHz for video, the sampling rate for audio.
int64_t TimescaleOf(const CodecConfig& config);

}  // namespace sluice::media::remux

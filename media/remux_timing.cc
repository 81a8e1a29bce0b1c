// SPDX-License-Identifier: Apache-2.0
// Output timeline: ns -> ticks, dts derivation from the pts order (B-frames), audio snapping and
// per-track sample collection (remux_timing.h).
#include "media/remux_timing.h"

#include <algorithm>
#include <numeric>

namespace sluice::media::remux {

int64_t RescaleTicks(int64_t ticks, int64_t from, int64_t to) {
  const __int128 num = static_cast<__int128>(ticks) * to;
  const __int128 half = from / 2;
  return static_cast<int64_t>((num >= 0 ? num + half : num - half) / from);
}

int64_t NsToTicks(int64_t ns, int64_t timescale) {
  return RescaleTicks(ns, 1'000'000'000, timescale);
}

int64_t TimescaleOf(const CodecConfig& config) {
  return IsVideo(config.codec) ? 90000 : config.sample_rate;
}

namespace {

// Median of the positive gaps of sorted values; 0 when there is none.
int64_t MedianGap(const std::vector<int64_t>& sorted) {
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i] > sorted[i - 1]) gaps.push_back(sorted[i] - sorted[i - 1]);
  }
  if (gaps.empty()) return 0;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<ptrdiff_t>(gaps.size() / 2),
                   gaps.end());
  return gaps[gaps.size() / 2];
}

// Makes dts strictly increasing and pts >= dts, then fills the durations (the last one given).
void Finish(std::vector<SampleTime>* times, int64_t last_duration) {
  for (size_t i = 0; i < times->size(); ++i) {
    SampleTime& t = (*times)[i];
    if (i > 0 && t.dts <= (*times)[i - 1].dts) t.dts = (*times)[i - 1].dts + 1;
    if (t.pts < t.dts) t.pts = t.dts;
  }
  for (size_t i = 0; i + 1 < times->size(); ++i) {
    (*times)[i].duration = (*times)[i + 1].dts - (*times)[i].dts;
  }
  if (!times->empty()) times->back().duration = std::max<int64_t>(last_duration, 1);
}

}  // namespace

std::vector<SampleTime> VideoSampleTimes(std::span<const int64_t> pts, int64_t step,
                                         int64_t timescale) {
  const size_t n = pts.size();
  std::vector<SampleTime> times(n);
  if (n == 0) return times;
  // Ranks in presentation order (stable for equal times).
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pts[a] < pts[b]; });
  std::vector<int64_t> sorted(n);
  size_t depth = 0;
  for (size_t rank = 0; rank < n; ++rank) {
    sorted[rank] = pts[order[rank]];
    if (order[rank] > rank) depth = std::max(depth, order[rank] - rank);
  }
  if (step <= 0) step = MedianGap(sorted);
  if (step <= 0) step = std::max<int64_t>(timescale / 30, 1);
  for (size_t i = 0; i < n; ++i) {
    times[i].pts = pts[i];
    times[i].dts =
        i >= depth ? sorted[i - depth] : sorted[0] - static_cast<int64_t>(depth - i) * step;
  }
  // The last sample in decode order lasts until the next sorted pts when there is one (B-frames),
  // else one frame step.
  int64_t last = step;
  if (depth > 0 && sorted[n - depth] > sorted[n - 1 - depth]) {
    last = sorted[n - depth] - sorted[n - 1 - depth];
  }
  Finish(&times, last);
  return times;
}

std::vector<SampleTime> AudioSampleTimes(std::span<const int64_t> pts,
                                         std::span<const int64_t> frame_ticks) {
  const size_t n = pts.size();
  std::vector<SampleTime> times(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t t = pts[i];
    const int64_t previous = i > 0 && i - 1 < frame_ticks.size() ? frame_ticks[i - 1] : 0;
    if (previous > 0) {
      const int64_t expected = times[i - 1].dts + previous;
      if (t - expected <= previous / 2 && expected - t <= previous / 2) t = expected;
    }
    times[i].pts = t;
    times[i].dts = t;
  }
  int64_t last = n > 0 && n - 1 < frame_ticks.size() ? frame_ticks[n - 1] : 0;
  if (last <= 0 && n >= 2) last = times[n - 1].dts - times[n - 2].dts;
  Finish(&times, last);
  return times;
}

void ClampDtsToZero(std::vector<SampleTime>* times) {
  if (times->empty() || times->front().dts >= 0) return;
  const int64_t last = times->back().duration;
  for (SampleTime& t : *times) t.dts = std::max<int64_t>(t.dts, 0);
  Finish(times, last);
}

namespace {

constexpr int64_t kMaxTime = int64_t{1} << 62;

// The nominal duration of an audio frame in samples (AAC: fixed; G.711: one byte per sample and
// channel); 0 for video.
int64_t AudioFrameSamples(const CodecConfig& config, const Frame& f) {
  switch (config.codec) {
    case Codec::kAac:
      return config.frame_samples;
    case Codec::kAlaw:
    case Codec::kMulaw:
      return f.size / std::max<uint32_t>(config.channels, 1);
    default:
      return 0;
  }
}

}  // namespace

TrackSamples CollectSamples(const Fragment& fragment, const TrackInfo& track,
                            const CodecConfig& config, int64_t timescale, int64_t origin_ns) {
  TrackSamples out;
  std::vector<int64_t> pts;
  std::vector<int64_t> frame_ticks;  // audio: nominal frame durations (timescale = sampling rate)
  int64_t next_ns = kUnknownTime;    // where the previous frame ends, when known
  const int64_t default_ns = track.default_duration_ns > 0 ? track.default_duration_ns : 0;
  for (const Frame& f : fragment.frames) {
    if (f.track_number != track.number || f.size == 0) continue;
    int64_t t = f.pts_ns;
    if (t == kUnknownTime) t = next_ns;
    // Unknown, or so far out (beyond +-146 years) that arithmetic on it could overflow.
    if (t == kUnknownTime || t > kMaxTime || t < -kMaxTime) continue;
    const int64_t samples = AudioFrameSamples(config, f);
    int64_t duration = f.duration_ns > 0 ? f.duration_ns : default_ns;
    if (duration == 0 && samples > 0) duration = samples * 1'000'000'000 / timescale;
    next_ns = duration > 0 ? t + duration : kUnknownTime;
    out.frames.push_back(&f);
    pts.push_back(NsToTicks(t - origin_ns, timescale));
    frame_ticks.push_back(samples);
  }
  if (IsVideo(config.codec)) {
    const int64_t step = default_ns > 0 ? NsToTicks(default_ns, timescale) : 0;
    out.times = VideoSampleTimes(pts, step, timescale);
  } else {
    out.times = AudioSampleTimes(pts, frame_ticks);
  }
  return out;
}

}  // namespace sluice::media::remux

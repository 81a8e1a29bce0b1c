// SPDX-License-Identifier: Apache-2.0
// One MPEG-TS segment per fragment with libavformat's mpegts muxer: all playable tracks, video
// turned into Annex B by the bitstream filter the muxer inserts (h264_mp4toannexb /
// hevc_mp4toannexb: parameter sets before every key frame), AAC wrapped in ADTS by the muxer.
// Timestamps are the stored times at 90 kHz; the continuity counters are offset afterwards.
#include "media/remux.h"
#include "media/remux_internal.h"

namespace sluice::media {

using remux::Codec;
using remux::Muxer;
using remux::OutputTrack;
using remux::SampleTime;

namespace {

constexpr int64_t kTsTimescale = 90000;
constexpr int64_t kWrap = int64_t{1} << 33;  // PTS/DTS/PCR base are 33-bit
constexpr int64_t kMaxDelayUs = 700'000;     // PCR runs this far ahead of DTS (as ffmpeg's default)
constexpr size_t kTsPacket = 188;

struct TsTrack {
  OutputTrack out;
  AVStream* stream = nullptr;
  remux::TrackSamples samples;  // times in 90 kHz ticks
};

// The timestamps are written modulo 2^33. Moving the whole segment by a multiple of 2^33 changes
// no written value but keeps every value the muxer computes from them (PCR = DTS - delay) above 0.
int64_t WrapShift(int64_t first_dts) {
  const int64_t delay = kMaxDelayUs * kTsTimescale / 1'000'000;
  int64_t base = first_dts % kWrap;
  if (base < 0) base += kWrap;
  if (base < delay) base += kWrap;
  return base - first_dts;
}

// Adds `seed` (mod 16) to the continuity counter of every packet: consistent per PID, so the
// counters still run on within the segment.
void SeedContinuityCounters(std::string* ts, uint32_t seed) {
  const auto add = static_cast<uint8_t>(seed & 0x0f);
  if (add == 0) return;
  for (size_t pos = 0; pos + kTsPacket <= ts->size(); pos += kTsPacket) {
    auto& b = reinterpret_cast<uint8_t&>((*ts)[pos + 3]);
    b = static_cast<uint8_t>((b & 0xf0) | ((b + add) & 0x0f));
  }
}

}  // namespace

Result<std::string> TsSegment(const TrackHeader& header, const PlayableTracks& tracks,
                              const Fragment& fragment, uint32_t continuity) {
  std::vector<TsTrack> ts_tracks;
  bool any = false;
  int64_t first_dts = INT64_MAX;
  for (uint64_t n = 1; n <= tracks.count(); ++n) {
    TsTrack t;
    ASSIGN_OR_RETURN(t.out, remux::ResolveOutputTrack(tracks, n));
    if (t.out.config.codec == Codec::kAlaw || t.out.config.codec == Codec::kMulaw) {
      return FailedPreconditionError(std::string(kUnsupportedMediaPrefix) +
                                     "G.711 audio does not play from MPEG-TS");
    }
    const int64_t timescale = remux::TimescaleOf(t.out.config);
    t.samples = remux::CollectSamples(fragment, *t.out.track, t.out.config, timescale, 0);
    if (timescale != kTsTimescale && !t.samples.frames.empty()) {
      // Audio is timed at its sampling rate; at 90 kHz the first sample keeps its exact stored
      // time and the others their offsets from it.
      const int64_t base = remux::NsToTicks(t.samples.frames.front()->pts_ns, kTsTimescale);
      const int64_t origin = t.samples.times.front().pts;
      for (SampleTime& s : t.samples.times) {
        s.pts = base + remux::RescaleTicks(s.pts - origin, timescale, kTsTimescale);
        s.dts = base + remux::RescaleTicks(s.dts - origin, timescale, kTsTimescale);
        s.duration = remux::RescaleTicks(s.duration, timescale, kTsTimescale);
      }
    }
    if (!t.samples.frames.empty()) {
      any = true;
      first_dts = std::min(first_dts, t.samples.times.front().dts);
    }
    ts_tracks.push_back(std::move(t));
  }
  if (!any) return InvalidArgumentError("the fragment has no sample of a playable track");
  const int64_t shift = WrapShift(first_dts);

  ASSIGN_OR_RETURN(std::unique_ptr<Muxer> muxer, Muxer::Open("mpegts", /*seekable=*/false));
  for (size_t i = 0; i < ts_tracks.size(); ++i) {
    ASSIGN_OR_RETURN(ts_tracks[i].stream,
                     muxer->AddStream(ts_tracks[i].out, static_cast<int>(i + 1), /*iso=*/false));
  }
  muxer->ctx()->max_delay = kMaxDelayUs;
  RETURN_IF_ERROR(muxer->WriteHeader({
      {"mpegts_copyts", "1"},
      {"avoid_negative_ts", "disabled"},
  }));
  // Interleave by decode time (two short sorted lists).
  std::vector<size_t> next(ts_tracks.size(), 0);
  while (true) {
    int best = -1;
    for (size_t i = 0; i < ts_tracks.size(); ++i) {
      const remux::TrackSamples& s = ts_tracks[i].samples;
      if (next[i] >= s.frames.size()) continue;
      if (best < 0 || s.times[next[i]].dts < ts_tracks[static_cast<size_t>(best)]
                                                 .samples.times[next[static_cast<size_t>(best)]]
                                                 .dts) {
        best = static_cast<int>(i);
      }
    }
    if (best < 0) break;
    TsTrack& t = ts_tracks[static_cast<size_t>(best)];
    const size_t k = next[static_cast<size_t>(best)]++;
    SampleTime time = t.samples.times[k];
    time.pts += shift;
    time.dts += shift;
    RETURN_IF_ERROR(
        muxer->WriteFrame(t.stream, fragment, *t.samples.frames[k], time, kTsTimescale));
  }
  RETURN_IF_ERROR(muxer->WriteTrailer());
  std::string& out = muxer->Output();
  SeedContinuityCounters(&out, continuity);
  return std::move(out);
}

}  // namespace sluice::media

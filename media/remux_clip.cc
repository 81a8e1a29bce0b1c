// SPDX-License-Identifier: Apache-2.0
// Progressive MP4 clips (GetClip): the fragments' playable tracks in one mp4, moov first
// (libavformat's faststart pass, which re-reads the in-memory output), times from 0.
#include "media/remux.h"
#include "media/remux_internal.h"

namespace sluice::media {

using remux::Codec;
using remux::Muxer;
using remux::OutputTrack;
using remux::SampleTime;

namespace {

struct ClipTrack {
  OutputTrack out;
  AVStream* stream = nullptr;
  int64_t timescale = 0;
  int64_t end = INT64_MIN;  // dts + duration of the last sample written
};

// The playable tracks of `header`, which must carry the same codecs and codec private data as
// the clip's first header.
Result<PlayableTracks> SameTracks(const TrackHeader& header, const PlayableTracks& first,
                                  size_t index) {
  auto changed = [&](std::string why) {
    return FailedPreconditionError("the media changes at fragment " + std::to_string(index) +
                                   " of the clip: " + why);
  };
  Result<PlayableTracks> p = SelectPlayableTracks(header, {.allow_g711 = true});
  if (!p.ok()) return changed(p.status().message());
  if (p->count() != first.count()) return changed("other tracks");
  for (uint64_t n = 1; n <= first.count(); ++n) {
    const TrackInfo& a = *first.Output(n);
    const TrackInfo& b = *p->Output(n);
    if (a.codec_id != b.codec_id || a.codec_private != b.codec_private) {
      return changed("new codec private data on track " + std::to_string(b.number));
    }
  }
  return p;
}

// The earliest stored time of a playable frame in `fragment`; kUnknownTime if none.
int64_t FirstTime(const Fragment& fragment, const PlayableTracks& tracks) {
  int64_t first = kUnknownTime;
  for (const Frame& f : fragment.frames) {
    const bool playable = (tracks.video != nullptr && f.track_number == tracks.video->number) ||
                          (tracks.audio != nullptr && f.track_number == tracks.audio->number);
    if (!playable || f.pts_ns == kUnknownTime) continue;
    if (first == kUnknownTime || f.pts_ns < first) first = f.pts_ns;
  }
  return first;
}

// a.dts / a_scale < b.dts / b_scale, exactly.
bool Before(const SampleTime& a, int64_t a_scale, const SampleTime& b, int64_t b_scale) {
  return static_cast<__int128>(a.dts) * b_scale < static_cast<__int128>(b.dts) * a_scale;
}

}  // namespace

Result<std::string> Mp4Clip(std::span<const TrackHeader* const> headers,
                            std::span<const Fragment> fragments) {
  if (fragments.empty()) return InvalidArgumentError("a clip needs at least one fragment");
  if (headers.size() != fragments.size()) {
    return InvalidArgumentError("one header per fragment is needed");
  }
  for (const TrackHeader* h : headers) {
    if (h == nullptr) return InvalidArgumentError("null header");
  }
  ASSIGN_OR_RETURN(const PlayableTracks first,
                   SelectPlayableTracks(*headers[0], {.allow_g711 = true}));
  std::vector<ClipTrack> tracks(first.count());
  bool g711 = false;
  for (uint64_t n = 1; n <= first.count(); ++n) {
    ClipTrack& t = tracks[n - 1];
    ASSIGN_OR_RETURN(t.out, remux::ResolveOutputTrack(first, n));
    t.timescale = remux::TimescaleOf(t.out.config);
    g711 |= t.out.config.codec == Codec::kAlaw || t.out.config.codec == Codec::kMulaw;
  }
  const int64_t origin = FirstTime(fragments[0], first);
  if (origin == kUnknownTime) {
    return InvalidArgumentError("the first fragment of the clip has no playable frame");
  }

  // As in fMP4: the QuickTime muxer for G.711 (the mp4 one has no sample entry for it).
  ASSIGN_OR_RETURN(std::unique_ptr<Muxer> muxer, Muxer::Open(g711 ? "mov" : "mp4", true));
  for (size_t i = 0; i < tracks.size(); ++i) {
    ASSIGN_OR_RETURN(tracks[i].stream,
                     muxer->AddStream(tracks[i].out, static_cast<int>(i + 1), /*iso=*/true));
  }
  remux::MuxerOptions options = {{"movflags", "faststart"}};
  if (g711) options.push_back({"brand", "isom"});
  RETURN_IF_ERROR(muxer->WriteHeader(options));

  for (size_t f = 0; f < fragments.size(); ++f) {
    ASSIGN_OR_RETURN(const PlayableTracks p,
                     f == 0 ? Result<PlayableTracks>(first) : SameTracks(*headers[f], first, f));
    std::vector<remux::TrackSamples> samples(tracks.size());
    for (size_t i = 0; i < tracks.size(); ++i) {
      ClipTrack& t = tracks[i];
      samples[i] =
          remux::CollectSamples(fragments[f], *p.Output(i + 1), t.out.config, t.timescale, origin);
      std::vector<SampleTime>& times = samples[i].times;
      if (times.empty()) continue;
      // A fragment that starts before the previous one ended (a producer restart, a timestamp
      // step back) is moved to follow it: decode times must increase.
      if (t.end != INT64_MIN && times.front().dts < t.end) {
        const int64_t shift = t.end - times.front().dts;
        for (SampleTime& s : times) {
          s.pts += shift;
          s.dts += shift;
        }
      }
      t.end = times.back().dts + times.back().duration;
    }
    // Interleave the tracks by decode time.
    std::vector<size_t> next(tracks.size(), 0);
    while (true) {
      size_t best = tracks.size();
      for (size_t i = 0; i < tracks.size(); ++i) {
        if (next[i] >= samples[i].frames.size()) continue;
        if (best == tracks.size() ||
            Before(samples[i].times[next[i]], tracks[i].timescale, samples[best].times[next[best]],
                   tracks[best].timescale)) {
          best = i;
        }
      }
      if (best == tracks.size()) break;
      const size_t k = next[best]++;
      RETURN_IF_ERROR(muxer->WriteFrame(tracks[best].stream, fragments[f], *samples[best].frames[k],
                                        samples[best].times[k], tracks[best].timescale));
    }
  }
  RETURN_IF_ERROR(muxer->WriteTrailer());
  return std::move(muxer->Output());
}

}  // namespace sluice::media

// SPDX-License-Identifier: Apache-2.0
// The session's text resources: HLS master and media playlists and the DASH manifest, built
// from the session's current listing with hls_playlist.h / dash_manifest.h; fragment timings
// (where each track's samples start) for DASH, and the discontinuity sequence of live playlists.
#include <algorithm>

#include "consumers/playback/dash_manifest.h"
#include "consumers/playback/hls_playlist.h"
#include "consumers/playback/playback_internal.h"

namespace sluice::consumers::playback {
namespace {

constexpr size_t kMaxTimings = 1 << 16;
constexpr size_t kMaxMemos = 4096;
constexpr std::string_view kM3u8 = "application/vnd.apple.mpegurl";
constexpr std::string_view kMpd = "application/dash+xml";

std::string CacheControl(const SessionParams& p) {
  return p.mode == PlaybackMode::kOnDemand ? "max-age=60" : "no-cache";
}

HlsSegment SegmentOf(const index::FragmentRow& r, index::TimeAxis axis) {
  return {r.fragment_number, TimestampMs(AxisTime(r, axis)), r.duration_ms, r.header_version};
}

}  // namespace

Result<media::TrackHeader> PlaybackService::Impl::NewestHeader(const OpenSession& s,
                                                               const SessionListing& listing) {
  if (listing.rows.empty()) {
    return NotFoundError("No fragments found in the stream for the streaming request.");
  }
  return reader->Header(s.stream.id, listing.rows.back().header_version);
}

Result<PlaybackResource> PlaybackService::Impl::MasterPlaylist(const OpenSession& s) {
  ASSIGN_OR_RETURN(SessionListing listing, List(s.params, clock->Now()));
  ASSIGN_OR_RETURN(media::TrackHeader header, NewestHeader(s, listing));
  ASSIGN_OR_RETURN(media::PlayableTracks tracks, media::SelectPlayableTracks(header, {}));
  HlsVariant v;
  v.session_token = sessions.Encode(s.params);
  v.container = s.params.container;
  if (tracks.video) {
    ASSIGN_OR_RETURN(v.video, media::DescribeTrack(*tracks.video));
  }
  if (tracks.audio) {
    ASSIGN_OR_RETURN(v.audio, media::DescribeTrack(*tracks.audio));
  }
  v.bandwidth = PeakBandwidth(listing.rows);
  ++playlists;
  metric_playlists->Add();
  return PlaybackResource{std::string(kM3u8), RenderMasterPlaylist(v), CacheControl(s.params)};
}

Result<PlaybackResource> PlaybackService::Impl::MediaPlaylist(const OpenSession& s,
                                                              const PlaybackRequest& request) {
  ASSIGN_OR_RETURN(uint64_t track, TrackNumber(request));
  ASSIGN_OR_RETURN(SessionListing listing, List(s.params, clock->Now()));
  const SessionParams& p = s.params;
  if (track == 2 && !listing.rows.empty()) {
    ASSIGN_OR_RETURN(media::TrackHeader header, NewestHeader(s, listing));
    ASSIGN_OR_RETURN(media::PlayableTracks tracks, media::SelectPlayableTracks(header, {}));
    if (tracks.Output(2) == nullptr) return NotFoundError("The stream has no track 2.");
  }
  HlsMediaPlaylist m;
  m.session_token = request.query.at("SessionToken");
  m.container = p.container;
  m.track = p.container == ContainerFormat::kMpegTs ? 1 : track;
  m.discontinuity = p.discontinuity;
  m.program_date_time = p.display_timestamp;
  m.vod = p.mode == PlaybackMode::kOnDemand;
  m.ended = listing.complete;
  m.can_block_reload = p.low_latency;
  if (!listing.rows.empty()) {
    m.media_sequence = listing.rows.front().counter.value();
    m.discontinuity_sequence = DiscontinuitySequence(s, m.session_token, listing.rows);
  }
  for (const index::FragmentRow& r : listing.rows) m.segments.push_back(SegmentOf(r, p.axis));
  ++playlists;
  metric_playlists->Add();
  return PlaybackResource{std::string(kM3u8), RenderMediaPlaylist(m), CacheControl(p)};
}

uint64_t PlaybackService::Impl::DiscontinuitySequence(const OpenSession& s,
                                                      const std::string& token,
                                                      const std::vector<index::FragmentRow>& rows) {
  const SessionParams& p = s.params;
  const index::FragmentRow& first = rows.front();
  if (p.mode == PlaybackMode::kOnDemand) return 0;  // the playlist never slides
  // ALWAYS: one discontinuity before every fragment, so the count is the fragment's position.
  if (p.discontinuity == DiscontinuityMode::kAlways) return first.counter.value();
  // NEVER: only header changes, and each new header takes the next version number.
  const uint64_t by_header = first.header_version > 0 ? first.header_version - 1 : 0;
  if (p.discontinuity == DiscontinuityMode::kNever) return by_header;

  // ON_DISCONTINUITY: count the discontinuities between the first fragment of the previous
  // answer to this session and today's first.
  std::unique_lock<std::mutex> l(memo_mu);
  auto it = memos.find(token);
  if (it == memos.end()) {
    memo_lru.push_front(token);
    it = memos
             .emplace(token, SequenceMemo{first.counter.value(), AxisTime(first, p.axis), by_header,
                                          memo_lru.begin()})
             .first;
    if (memos.size() > kMaxMemos) {
      memos.erase(memo_lru.back());
      memo_lru.pop_back();
    }
    return by_header;
  }
  memo_lru.splice(memo_lru.begin(), memo_lru, it->second.lru);
  SequenceMemo memo = it->second;
  if (first.counter.value() <= memo.first_counter) return memo.sequence;
  l.unlock();
  Result<std::vector<index::FragmentRow>> between =
      AllFragments(Lister(p.stream), p.axis, TimestampMs(memo.first_time),
                   TimestampMs(AxisTime(first, p.axis)), 100000);
  uint64_t sequence = memo.sequence;
  if (between.ok()) {
    const std::vector<index::FragmentRow>& b = *between;
    auto start = std::find_if(b.begin(), b.end(), [&](const index::FragmentRow& r) {
      return r.counter.value() == memo.first_counter;
    });
    for (auto i = start; i != b.end() && i + 1 != b.end(); ++i) {
      if (i->counter == first.counter) break;
      if (IsDiscontinuity(p.discontinuity, SegmentOf(*i, p.axis), SegmentOf(*(i + 1), p.axis))) {
        ++sequence;
      }
    }
  }
  l.lock();
  it = memos.find(token);
  if (it != memos.end()) {
    it->second.first_counter = first.counter.value();
    it->second.first_time = AxisTime(first, p.axis);
    it->second.sequence = sequence;
  }
  return sequence;
}

Result<FragmentTiming> PlaybackService::Impl::Timing(const engine::StreamInfo& stream,
                                                     const index::FragmentRow& row) {
  const auto key = std::make_pair(stream.id.value(), row.counter.value());
  {
    std::lock_guard<std::mutex> l(timing_mu);
    auto it = timings.find(key);
    if (it != timings.end()) {
      timing_lru.splice(timing_lru.begin(), timing_lru, it->second.second);
      return it->second.first;
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ParsedFragment> f, Parse(stream, row, /*allow_g711=*/true));
  FragmentTiming t;
  for (uint64_t track = 1; track <= 2; ++track) {
    const media::TrackInfo* info = f->tracks.Output(track);
    if (info == nullptr) continue;
    for (const media::Frame& frame : f->fragment.frames) {
      if (frame.track_number != info->number || frame.pts_ns == media::kUnknownTime) continue;
      int64_t& start = t.start_ns[track - 1];
      start = start == media::kUnknownTime ? frame.pts_ns : std::min(start, frame.pts_ns);
    }
  }
  std::lock_guard<std::mutex> l(timing_mu);
  if (timings.find(key) == timings.end()) {
    timing_lru.push_front(key);
    timings.emplace(key, std::make_pair(t, timing_lru.begin()));
    if (timings.size() > kMaxTimings) {
      timings.erase(timing_lru.back());
      timing_lru.pop_back();
    }
  }
  return t;
}

Result<PlaybackResource> PlaybackService::Impl::DashManifest(const OpenSession& s) {
  const TimestampMs now = clock->Now();
  ASSIGN_OR_RETURN(SessionListing listing, List(s.params, now));
  const SessionParams& p = s.params;
  ASSIGN_OR_RETURN(media::TrackHeader header, NewestHeader(s, listing));
  // One period, one header: fragments of an older header version are left out (codec private
  // data must not change within a DASH session).
  std::erase_if(listing.rows,
                [&](const index::FragmentRow& r) { return r.header_version != header.version; });
  ASSIGN_OR_RETURN(media::PlayableTracks tracks,
                   media::SelectPlayableTracks(header, {.allow_g711 = true}));
  playback::DashManifest m;
  m.session_token = sessions.Encode(p);
  m.dynamic = p.mode != PlaybackMode::kOnDemand;
  m.availability_start = TimestampMs(p.availability_start_ms);
  m.publish_time = now;
  m.display_timestamp = p.display_timestamp;
  m.display_number = p.display_number;
  const uint64_t bandwidth = PeakBandwidth(listing.rows);
  for (uint64_t n = 1; n <= 2; ++n) {
    const media::TrackInfo* info = tracks.Output(n);
    if (info == nullptr) continue;
    DashTrack t;
    t.output_track = n;
    t.video = info->type == media::TrackType::kVideo;
    ASSIGN_OR_RETURN(t.description, media::DescribeTrack(*info));
    t.timescale = t.video ? 90000 : std::max<uint32_t>(1, t.description.sample_rate);
    t.header_version = header.version;
    t.bandwidth = bandwidth;
    m.tracks.push_back(std::move(t));
  }
  for (const index::FragmentRow& r : listing.rows) {
    ASSIGN_OR_RETURN(FragmentTiming timing, Timing(s.stream, r));
    DashSegment seg;
    seg.fragment_number = r.fragment_number;
    seg.time = TimestampMs(AxisTime(r, p.axis));
    seg.duration_ms = r.duration_ms;
    seg.start_ns[0] = timing.start_ns[0];
    seg.start_ns[1] = timing.start_ns[1];
    m.segments.push_back(std::move(seg));
  }
  ++playlists;
  metric_playlists->Add();
  return PlaybackResource{std::string(kMpd), RenderMpd(m), CacheControl(p)};
}

}  // namespace sluice::consumers::playback

// SPDX-License-Identifier: Apache-2.0
// PlaybackService::Impl, shared by the service's source files (sessions, playlists, segments,
// waits, clips, images). Not part of the public interface.
#pragma once

#include <atomic>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/metrics.h"
#include "base/thread_annotations.h"
#include "consumers/playback/fragment_listing.h"
#include "consumers/playback/playback_service.h"
#include "consumers/playback/segment_cache.h"
#include "consumers/playback/session_token.h"
#include "engine/stream_store.h"
#include "media/remux.h"
#include "media/stored_format.h"

namespace sluice::consumers::playback {

class SequenceWaiters;  // playback_wait.cc

// The fragments a session lists right now.
struct SessionListing {
  std::vector<index::FragmentRow> rows;  // in playlist order
  bool complete = false;  // no fragment will be added (ON_DEMAND, LIVE_REPLAY past its end)
};

// Where each output track's samples start in one fragment (ns on the media timeline).
struct FragmentTiming {
  int64_t start_ns[2] = {media::kUnknownTime, media::kUnknownTime};
};

// A stored fragment re-parsed with its header and playable tracks: what every remux needs.
struct ParsedFragment {
  index::FragmentRow row;
  media::TrackHeader header;
  media::PlayableTracks tracks;  // points into `header`
  media::Fragment fragment;
  ParsedFragment() = default;
  ParsedFragment(const ParsedFragment&) = delete;
  ParsedFragment& operator=(const ParsedFragment&) = delete;
};

// A session token checked against the stream it names.
struct OpenSession {
  SessionParams params;
  engine::StreamInfo stream;
};

struct PlaybackService::Impl {
  Impl(ingest::FragmentReader* reader, PlaybackOptions options);
  ~Impl();

  // --- streams and sessions (playback_sessions.cc) ---------------------------------------------
  // The stream as playback needs it: NotFound unless it is a video stream, NoDataRetention when
  // its retention is 0.
  Result<engine::StreamInfo> PlayableStream(std::string_view name);
  ListFn Lister(const std::string& stream);
  // Decodes the request's SessionToken and checks that its stream still exists (same id).
  Result<OpenSession> Open(const PlaybackRequest& request);
  Result<SessionListing> List(const SessionParams& params, TimestampMs now);
  // LL-HLS: whether the request's media playlist lists `msn` now, or never will list more, or
  // cannot be built (true: answer the waiter).
  bool Lists(const PlaybackRequest& request, uint64_t msn);
  Result<std::string> CreateSession(SessionParams params, std::string_view endpoint,
                                    std::string_view path);

  // --- playlists (playback_playlists.cc) -------------------------------------------------------
  Result<PlaybackResource> MasterPlaylist(const OpenSession& s);
  Result<PlaybackResource> MediaPlaylist(const OpenSession& s, const PlaybackRequest& request);
  Result<PlaybackResource> DashManifest(const OpenSession& s);
  Result<FragmentTiming> Timing(const engine::StreamInfo& stream, const index::FragmentRow& row);
  // The header of the newest listed fragment (NotFound when the listing is empty).
  Result<media::TrackHeader> NewestHeader(const OpenSession& s, const SessionListing& listing);
  uint64_t DiscontinuitySequence(const OpenSession& s, const std::string& token,
                                 const std::vector<index::FragmentRow>& rows);

  // --- segments (playback_segments.cc) ---------------------------------------------------------
  Result<PlaybackResource> InitSegment(const OpenSession& s, const PlaybackRequest& request);
  Result<PlaybackResource> MediaSegment(const OpenSession& s, const PlaybackRequest& request,
                                        bool ts);
  // Reads and re-parses one fragment; `allow_g711` as for SelectPlayableTracks.
  Result<std::unique_ptr<ParsedFragment>> Parse(const engine::StreamInfo& stream,
                                                const index::FragmentRow& row, bool allow_g711);

  // Constant after construction.
  ingest::FragmentReader* const reader;
  Clock* const clock;
  const SessionTokenCodec sessions;
  const TokenSigner signer;

  SegmentCache segments;
  std::unique_ptr<SequenceWaiters> waiters;

  std::atomic<uint64_t> playlists{0};
  std::atomic<uint64_t> clips{0};
  std::atomic<uint64_t> images{0};
  Counter* const metric_hits;
  Counter* const metric_misses;
  Counter* const metric_playlists;

  // Fragment timings by (stream id, counter), LRU-bounded.
  std::mutex timing_mu;
  std::map<std::pair<int64_t, uint64_t>,
           std::pair<FragmentTiming, std::list<std::pair<int64_t, uint64_t>>::iterator>>
      timings GUARDED_BY(timing_mu);
  std::list<std::pair<int64_t, uint64_t>> timing_lru GUARDED_BY(timing_mu);

  // ON_DISCONTINUITY sessions: the discontinuity sequence at the first fragment last listed, by
  // session token, so that a sliding window counts only the discontinuities that slid out.
  struct SequenceMemo {
    uint64_t first_counter = 0;
    int64_t first_time = 0;
    uint64_t sequence = 0;
    std::list<std::string>::iterator lru;
  };
  std::mutex memo_mu;
  std::map<std::string, SequenceMemo> memos GUARDED_BY(memo_mu);
  std::list<std::string> memo_lru GUARDED_BY(memo_mu);
};

// Query parameter helpers shared by the resource handlers.
Result<uint64_t> RequiredNumber(const PlaybackRequest& request, const std::string& name);
Result<std::optional<uint64_t>> OptionalNumber(const PlaybackRequest& request,
                                               const std::string& name);
// TrackNumber: 1 or 2, default 1.
Result<uint64_t> TrackNumber(const PlaybackRequest& request);
// Bits per second at the peak of the listed fragments (cluster bytes over duration).
uint64_t PeakBandwidth(const std::vector<index::FragmentRow>& rows);

}  // namespace sluice::consumers::playback

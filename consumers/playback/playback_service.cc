// SPDX-License-Identifier: Apache-2.0
// PlaybackService: construction, Serve's routing of session resources by path, statistics, and
// the query parameter helpers the resource handlers share.
#include "consumers/playback/playback_service.h"

#include <openssl/rand.h>

#include <charconv>

#include "consumers/playback/playback_internal.h"
#include "consumers/playback/playback_wait.h"

namespace sluice::consumers::playback {
namespace {

// Without a configured secret tokens are signed with a random one: valid until a restart.
std::string SecretOrRandom(const std::string& secret) {
  if (!secret.empty()) return secret;
  std::string random(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(random.data()), 32) != 1) {
    random = std::to_string(reinterpret_cast<uintptr_t>(&random)) +
             std::to_string(SystemClock()->Now().value());
  }
  return random;
}

std::string_view Basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

Status WrongSessionKind(std::string_view resource) {
  return NotFoundError("The resource " + std::string(resource) +
                       " is not part of this kind of streaming session.");
}

}  // namespace

PlaybackService::Impl::Impl(ingest::FragmentReader* r, PlaybackOptions options)
    : reader(r),
      clock(options.clock != nullptr ? options.clock : SystemClock()),
      sessions(options.token_secret),
      signer(options.token_secret),
      segments(options.segment_cache_bytes),
      metric_hits(Metrics::Global().GetCounter("sluice_playback_segment_cache_hits_total",
                                               "Playback segments served from the cache", {})),
      metric_misses(Metrics::Global().GetCounter("sluice_playback_segments_produced_total",
                                                 "Playback segments remuxed", {})),
      metric_playlists(Metrics::Global().GetCounter(
          "sluice_playback_playlists_total", "HLS playlists and DASH manifests served", {})) {
  waiters = std::make_unique<SequenceWaiters>(
      reader->store(),
      [this](const PlaybackRequest& request) -> Result<std::string> {
        ASSIGN_OR_RETURN(OpenSession s, Open(request));
        return s.params.stream;
      },
      [this](const PlaybackRequest& request, uint64_t msn) { return Lists(request, msn); });
}

bool PlaybackService::Impl::Lists(const PlaybackRequest& request, uint64_t msn) {
  Result<OpenSession> session = Open(request);
  if (!session.ok()) return true;
  Result<SessionListing> listing = List(session->params, clock->Now());
  if (!listing.ok() || listing->complete) return true;
  if (listing->rows.empty()) return false;
  const uint64_t last = listing->rows.front().counter.value() + listing->rows.size() - 1;
  return last >= msn;
}

PlaybackService::Impl::~Impl() { waiters->Stop(); }

PlaybackService::PlaybackService(ingest::FragmentReader* reader, PlaybackOptions options) {
  options.token_secret = SecretOrRandom(options.token_secret);
  impl_ = std::make_unique<Impl>(reader, std::move(options));
}

PlaybackService::~PlaybackService() = default;

Result<PlaybackResource> PlaybackService::Serve(const PlaybackRequest& request) {
  const bool hls = request.path.starts_with("/hls/v1/");
  const bool dash = request.path.starts_with("/dash/v1/");
  const std::string_view name = Basename(request.path);
  if (!hls && !dash) return NotFoundError("Unknown playback resource " + request.path);
  ASSIGN_OR_RETURN(OpenSession s, impl_->Open(request));
  const bool hls_session = s.params.kind == TokenKind::kHlsSession;
  if (name == "getHLSMasterPlaylist.m3u8" && hls) {
    if (!hls_session) return WrongSessionKind(name);
    return impl_->MasterPlaylist(s);
  }
  if (name == "getHLSMediaPlaylist.m3u8" && hls) {
    if (!hls_session) return WrongSessionKind(name);
    return impl_->MediaPlaylist(s, request);
  }
  if (name == "getDASHManifest.mpd" && dash) {
    if (hls_session) return WrongSessionKind(name);
    return impl_->DashManifest(s);
  }
  if (name == "getMP4InitFragment.mp4") return impl_->InitSegment(s, request);
  if (name == "getMP4MediaFragment.mp4") return impl_->MediaSegment(s, request, /*ts=*/false);
  if (name == "getTSFragment.ts" && hls) {
    if (!hls_session) return WrongSessionKind(name);
    return impl_->MediaSegment(s, request, /*ts=*/true);
  }
  return NotFoundError("Unknown playback resource " + request.path);
}

uint64_t PlaybackService::WaitForSequence(const PlaybackRequest& request, uint64_t msn,
                                          int64_t timeout_ms, std::function<void()> ready) {
  return impl_->waiters->Add(request, msn, timeout_ms, std::move(ready));
}

void PlaybackService::CancelWait(uint64_t id) { impl_->waiters->Cancel(id); }

PlaybackStats PlaybackService::Stats() const {
  const SegmentCacheStats c = impl_->segments.stats();
  PlaybackStats s;
  s.segment_hits = c.hits;
  s.segment_misses = c.misses;
  s.segment_joins = c.joins;
  s.segment_evictions = c.evictions;
  s.segment_cache_bytes = c.bytes;
  s.segment_cache_entries = c.entries;
  s.playlists = impl_->playlists.load();
  s.clips = impl_->clips.load();
  s.images = impl_->images.load();
  return s;
}

Result<std::optional<uint64_t>> OptionalNumber(const PlaybackRequest& request,
                                               const std::string& name) {
  auto it = request.query.find(name);
  if (it == request.query.end()) return std::optional<uint64_t>();
  const std::string& text = it->second;
  uint64_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    return InvalidArgumentError(name + " must be a non-negative integer.");
  }
  return std::optional<uint64_t>(v);
}

Result<uint64_t> RequiredNumber(const PlaybackRequest& request, const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> v, OptionalNumber(request, name));
  if (!v) return InvalidArgumentError(name + " must be specified.");
  return *v;
}

Result<uint64_t> TrackNumber(const PlaybackRequest& request) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> track, OptionalNumber(request, "TrackNumber"));
  if (track && *track != 1 && *track != 2) {
    return InvalidArgumentError("TrackNumber must be 1 or 2.");
  }
  return track.value_or(1);
}

uint64_t PeakBandwidth(const std::vector<index::FragmentRow>& rows) {
  uint64_t peak = 0;
  for (const index::FragmentRow& r : rows) {
    if (r.duration_ms <= 0) continue;
    peak = std::max(peak, r.size_bytes * 8 * 1000 / static_cast<uint64_t>(r.duration_ms));
  }
  return std::max<uint64_t>(peak, 1);
}

}  // namespace sluice::consumers::playback

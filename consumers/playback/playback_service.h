// SPDX-License-Identifier: Apache-2.0
// PlaybackService: HLS, DASH, GetClip and GetImages over stored video, transport-free. It issues
// session URLs with signed, expiring session tokens, builds HLS playlists and DASH manifests from
// the fragment index, serves init/media/TS segments remuxed by media/remux.h (a bounded cache
// keeps recently produced segments, so many viewers of one live stream cost one remux), cuts
// progressive MP4 clips and samples images with media/frame_decoder.h. Every byte it serves is
// read through ingest's FragmentReader: the one read path GetMedia and the consumers use.
//
// Errors are Status values whose code and message prefix name the KVS exception (the API layer
// maps them in one place): NotFound -> ResourceNotFoundException; InvalidArgument ->
// InvalidArgumentException; FailedPrecondition with media/remux.h's prefixes ->
// UnsupportedStreamMediaType / MissingCodecPrivateData / InvalidCodecPrivateData;
// FailedPrecondition with kNoDataRetentionPrefix -> NoDataRetentionException;
// DeadlineExceeded -> HTTP 403 (an expired or forged session token; base/status.h has no
// PermissionDenied code). Messages are AWS's wording where AWS has one (README.md, "Playback").
// Thread-safety: every method may be called from any thread concurrently.
// Example:
//   PlaybackService playback(&reader, {.token_secret = secret});
//   ASSIGN_OR_RETURN(std::string url, playback.CreateHlsSession(request, "http://127.0.0.1:8080"));
//   ASSIGN_OR_RETURN(PlaybackResource r, playback.Serve({.path =
//   "/hls/v1/getHLSMasterPlaylist.m3u8",
//                                                        .query = {{"SessionToken", token}}}));
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/ids.h"
#include "base/result.h"
#include "index/fragment_index.h"
#include "ingest/fragment_reader.h"

namespace sluice::consumers::playback {

inline constexpr std::string_view kNoDataRetentionPrefix = "no data retention: ";
// The DeadlineExceeded messages for session tokens (AWS answers an expired one with the first).
inline constexpr std::string_view kSessionExpiredMessage = "Streaming session token is expired";
inline constexpr std::string_view kSessionInvalidMessage = "Streaming session token is invalid";

enum class PlaybackMode { kLive, kLiveReplay, kOnDemand };
enum class ContainerFormat { kFragmentedMp4, kMpegTs };
enum class DiscontinuityMode { kAlways, kNever, kOnDiscontinuity };

// A time range on an axis (HLSFragmentSelector / DASHFragmentSelector / ClipFragmentSelector).
struct FragmentSelector {
  index::TimeAxis axis = index::TimeAxis::kServer;  // SERVER_TIMESTAMP unless told otherwise
  std::optional<TimestampMs> start;
  std::optional<TimestampMs> end;
};

// GetHLSStreamingSessionURL's input, already decoded from JSON (kinesis-wire.md B8); the service
// applies defaults and validates every rule (InvalidArgument with AWS's wording).
struct HlsSessionRequest {
  std::string stream;  // engine name (the API layer resolved StreamName/StreamARN)
  PlaybackMode mode = PlaybackMode::kLive;
  std::optional<FragmentSelector> selector;
  ContainerFormat container = ContainerFormat::kFragmentedMp4;
  std::optional<DiscontinuityMode> discontinuity;  // default: per selector axis
  bool display_fragment_timestamp = false;
  std::optional<int64_t> expires_s;       // 300..43200, default 300
  std::optional<uint32_t> max_fragments;  // MaxMediaPlaylistFragmentResults 1..5000
  bool low_latency = false;               // Sluice extension: LL-HLS blocking reload (see README)
};

// GetDASHStreamingSessionURL's input (B9).
struct DashSessionRequest {
  std::string stream;
  PlaybackMode mode = PlaybackMode::kLive;
  std::optional<FragmentSelector> selector;
  bool display_fragment_timestamp = false;
  bool display_fragment_number = false;
  std::optional<int64_t> expires_s;
  std::optional<uint32_t> max_fragments;  // MaxManifestFragmentResults
};

// GetClip (B10).
struct ClipRequest {
  std::string stream;
  FragmentSelector selector;  // both ends required
};
struct Clip {
  std::string content_type = "video/mp4";
  std::string body;
};

// GetImages (B11).
struct ImagesRequest {
  std::string stream;
  index::TimeAxis axis = index::TimeAxis::kServer;
  TimestampMs start;
  TimestampMs end;
  int64_t sampling_interval_ms = 3000;  // >= 200
  bool png = false;                     // Format PNG (else JPEG)
  int jpeg_quality = 80;
  uint32_t width = 0;         // 0: not given
  uint32_t height = 0;        // 0: not given
  uint32_t max_results = 25;  // 1..100
  std::string next_token;
};
enum class ImageError { kNone, kNoMedia, kMediaError };
struct Image {
  TimestampMs timestamp;
  ImageError error = ImageError::kNone;
  std::string content;  // raw JPEG/PNG bytes (the API layer base64-encodes)
};
struct ImagesPage {
  std::vector<Image> images;
  std::string next_token;  // empty on the last page
};

// A GET under /hls/v1/ or /dash/v1/ (path as requested, query decoded).
struct PlaybackRequest {
  std::string path;  // "/hls/v1/getHLSMediaPlaylist.m3u8"
  std::map<std::string, std::string> query;
};
struct PlaybackResource {
  std::string
      content_type;  // application/vnd.apple.mpegurl, application/dash+xml, video/mp4, video/mp2t
  std::string body;
  std::string cache_control;  // "no-cache" for live playlists, "max-age=..." for segments
};

// What the service did since it was built. Segment counters cover init, fMP4 and TS segments.
struct PlaybackStats {
  uint64_t segment_hits = 0;    // served from the segment cache
  uint64_t segment_misses = 0;  // produced (one remux each)
  uint64_t segment_joins = 0;   // waited for a remux another request had started
  uint64_t segment_evictions = 0;
  uint64_t segment_cache_bytes = 0;
  uint64_t segment_cache_entries = 0;
  uint64_t playlists = 0;  // HLS master/media playlists and DASH manifests served
  uint64_t clips = 0;
  uint64_t images = 0;  // images produced (NO_MEDIA / MEDIA_ERROR entries not counted)
};

struct PlaybackOptions {
  // Signs session tokens (HMAC-SHA256); tokens survive a restart only if it does. Empty: a
  // random secret drawn at construction.
  std::string token_secret;
  Clock* clock = nullptr;                    // null: SystemClock(). Not owned.
  uint64_t segment_cache_bytes = 256 << 20;  // bounded cache of produced segments
};

class PlaybackService {
 public:
  // `reader` must outlive the service.
  PlaybackService(ingest::FragmentReader* reader, PlaybackOptions options);
  ~PlaybackService();
  PlaybackService(const PlaybackService&) = delete;
  PlaybackService& operator=(const PlaybackService&) = delete;

  // `endpoint` is "http://host:port" (no trailing slash); the URL is
  // <endpoint>/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=<token>.
  Result<std::string> CreateHlsSession(const HlsSessionRequest& request, std::string_view endpoint);
  // <endpoint>/dash/v1/getDASHManifest.mpd?SessionToken=<token>
  Result<std::string> CreateDashSession(const DashSessionRequest& request,
                                        std::string_view endpoint);

  // Serves one session resource. DeadlineExceeded (403) for a forged or expired token
  // (kSessionExpiredMessage / kSessionInvalidMessage), NotFound for an unknown resource or a
  // fragment not in the session, InvalidArgument for bad parameters. Unknown query parameters
  // (_HLS_msn, _HLS_part, ...) are ignored.
  Result<PlaybackResource> Serve(const PlaybackRequest& request);

  // LL-HLS blocking playlist reload: calls `ready` exactly once when the media playlist of the
  // request's session would list media sequence number `msn`, when the session can list no
  // more (ON_DEMAND, LIVE_REPLAY past its end), or after `timeout_ms`; the caller then calls
  // Serve. `ready` runs on the service's waiter thread, or inline (inside this call) when the
  // token or its stream is unusable (Serve then answers the error); keep it cheap (post the
  // Serve to a pool). Pending waits are answered when the service is destroyed. Returns an id
  // for CancelWait.
  uint64_t WaitForSequence(const PlaybackRequest& request, uint64_t msn, int64_t timeout_ms,
                           std::function<void()> ready);
  // Forgets a pending wait: its `ready` is not called after CancelWait returns (if it is running
  // on the waiter thread, CancelWait waits for it to finish). No-op for an answered wait.
  void CancelWait(uint64_t id);

  Result<Clip> GetClip(const ClipRequest& request);
  Result<ImagesPage> GetImages(const ImagesRequest& request);

  // Counters since construction (tests, /metrics).
  PlaybackStats Stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::consumers::playback

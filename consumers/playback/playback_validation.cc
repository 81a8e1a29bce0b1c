// SPDX-License-Identifier: Apache-2.0
// Request validation and defaults for the playback operations (see playback_validation.h).
#include "consumers/playback/playback_validation.h"

#include <string>

namespace sluice::consumers::playback {
namespace {

Status Invalid(std::string_view m) { return InvalidArgumentError(std::string(m)); }

// The rules HLS and DASH share: mode vs range, range bounds, Expires, result count.
Status CheckSession(PlaybackMode mode, const std::optional<FragmentSelector>& selector,
                    std::optional<int64_t> expires_s, std::optional<uint32_t> max_fragments,
                    std::string_view max_message, TimestampMs now) {
  const std::optional<TimestampMs> start = selector ? selector->start : std::nullopt;
  const std::optional<TimestampMs> end = selector ? selector->end : std::nullopt;
  switch (mode) {
    case PlaybackMode::kLive:
      if (start || end) return Invalid(msg::kLiveWithRange);
      break;
    case PlaybackMode::kLiveReplay:
      if (!start) return Invalid(msg::kReplayNeedsStart);
      break;
    case PlaybackMode::kOnDemand:
      if (!start || !end) return Invalid(msg::kOnDemandNeedsRange);
      break;
  }
  if (start && end) {
    if (*end <= *start) return Invalid(msg::kEndNotAfterStart);
    if (end->value() - start->value() > kMaxSessionRangeMs) return Invalid(msg::kRangeOver24h);
  }
  if (end && selector->axis == index::TimeAxis::kServer && *end > now) {
    return Invalid(msg::kEndInFuture);
  }
  if (expires_s && (*expires_s < kMinExpiresS || *expires_s > kMaxExpiresS)) {
    return Invalid(msg::kExpires);
  }
  if (max_fragments && (*max_fragments < 1 || *max_fragments > kMaxFragmentResults)) {
    return Invalid(max_message);
  }
  return OkStatus();
}

SessionParams CommonParams(TokenKind kind, const std::string& stream, PlaybackMode mode,
                           const std::optional<FragmentSelector>& selector,
                           std::optional<uint32_t> max_fragments) {
  SessionParams p;
  p.kind = kind;
  p.stream = stream;
  p.mode = mode;
  if (selector) {
    p.axis = selector->axis;
    p.start = selector->start;
    p.end = selector->end;
  }
  p.max_fragments = max_fragments.value_or(
      mode == PlaybackMode::kOnDemand ? kDefaultOnDemandFragments : kDefaultLiveFragments);
  return p;
}

}  // namespace

Result<SessionParams> HlsSessionParams(const HlsSessionRequest& r, TimestampMs now) {
  RETURN_IF_ERROR(CheckSession(r.mode, r.selector, r.expires_s, r.max_fragments,
                               msg::kMaxPlaylistResults, now));
  SessionParams p =
      CommonParams(TokenKind::kHlsSession, r.stream, r.mode, r.selector, r.max_fragments);
  p.container = r.container;
  p.discontinuity = r.discontinuity.value_or(
      p.axis == index::TimeAxis::kServer ? DiscontinuityMode::kAlways : DiscontinuityMode::kNever);
  p.display_timestamp = r.display_fragment_timestamp;
  p.low_latency = r.low_latency;
  p.issued = now;
  p.expires = TimestampMs(now.value() + r.expires_s.value_or(kMinExpiresS) * 1000);
  return p;
}

Result<SessionParams> DashSessionParams(const DashSessionRequest& r, TimestampMs now) {
  RETURN_IF_ERROR(CheckSession(r.mode, r.selector, r.expires_s, r.max_fragments,
                               msg::kMaxManifestResults, now));
  SessionParams p =
      CommonParams(TokenKind::kDashSession, r.stream, r.mode, r.selector, r.max_fragments);
  p.display_timestamp = r.display_fragment_timestamp;
  p.display_number = r.display_fragment_number;
  p.issued = now;
  p.expires = TimestampMs(now.value() + r.expires_s.value_or(kMinExpiresS) * 1000);
  return p;
}

Status ValidateClipRequest(const ClipRequest& r) {
  const FragmentSelector& s = r.selector;
  if (!s.start || !s.end) return Invalid(msg::kClipNeedsRange);
  if (*s.end <= *s.start) return Invalid(msg::kEndNotAfterStart);
  if (s.end->value() - s.start->value() > kMaxSessionRangeMs) return Invalid(msg::kRangeOver24h);
  return OkStatus();
}

Status ValidateImagesRequest(const ImagesRequest& r) {
  if (r.end < r.start) return Invalid(msg::kImagesRangeOrder);
  if (r.end.value() - r.start.value() > kMaxImagesRangeMs) {
    return Invalid(msg::kImagesRangeOver300s);
  }
  if (r.sampling_interval_ms < kMinSamplingIntervalMs) return Invalid(msg::kSamplingInterval);
  if (r.max_results < 1 || r.max_results > kMaxImageResults) {
    return Invalid(msg::kMaxImagesResults);
  }
  if (r.width > kMaxImageWidth) return Invalid(msg::kImageWidth);
  if (r.height > kMaxImageHeight) return Invalid(msg::kImageHeight);
  if (!r.png && (r.jpeg_quality < 1 || r.jpeg_quality > 100)) return Invalid(msg::kJpegQuality);
  return OkStatus();
}

}  // namespace sluice::consumers::playback

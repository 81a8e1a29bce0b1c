// SPDX-License-Identifier: Apache-2.0
// Session creation (GetHLSStreamingSessionURL, GetDASHStreamingSessionURL) and what every session
// resource starts with: the token checked against its stream, and the fragments the session
// lists at a given time (LIVE: the newest N; LIVE_REPLAY: the newest N of those whose start,
// replayed at real-time pace from StartTimestamp, has come; ON_DEMAND: the oldest N of the range).
#include <algorithm>

#include "consumers/playback/playback_internal.h"
#include "consumers/playback/playback_validation.h"

namespace sluice::consumers::playback {
namespace {

constexpr int64_t kLiveRecencyMs = 30'000;  // LIVE needs a fragment this recent

Status NoFragments() { return NotFoundError(std::string(msg::kNoFragmentsSession)); }

}  // namespace

Result<engine::StreamInfo> PlaybackService::Impl::PlayableStream(std::string_view name) {
  Result<engine::StreamInfo> info = reader->store()->DescribeStream(name);
  if (!info.ok() || info->kind != engine::StreamKind::kVideo) {
    if (info.ok() || info.status().code() == StatusCode::kNotFound) {
      return NotFoundError("The requested stream " + std::string(name) + " is not found.");
    }
    return info.status();
  }
  if (info->retention_hours == 0) {
    return FailedPreconditionError(std::string(kNoDataRetentionPrefix) + "The stream " +
                                   std::string(name) +
                                   " does not retain data (DataRetentionInHours is 0).");
  }
  return info;
}

ListFn PlaybackService::Impl::Lister(const std::string& stream) {
  return [this, stream](const index::TimeRangeQuery& q) { return reader->List(stream, q); };
}

Result<OpenSession> PlaybackService::Impl::Open(const PlaybackRequest& request) {
  auto token = request.query.find("SessionToken");
  if (token == request.query.end()) {
    return DeadlineExceededError(std::string(kSessionInvalidMessage));
  }
  OpenSession s;
  ASSIGN_OR_RETURN(s.params, sessions.Decode(token->second, clock->Now()));
  ASSIGN_OR_RETURN(s.stream, PlayableStream(s.params.stream));
  if (s.stream.id != s.params.stream_id) {
    // Deleted and created again under the same name: a different stream.
    return NotFoundError("The requested stream " + s.params.stream + " is not found.");
  }
  return s;
}

Result<SessionListing> PlaybackService::Impl::List(const SessionParams& p, TimestampMs now) {
  SessionListing out;
  const ListFn list = Lister(p.stream);
  switch (p.mode) {
    case PlaybackMode::kOnDemand: {
      ASSIGN_OR_RETURN(out.rows, OldestFragments(list, p.axis, *p.start, *p.end, p.max_fragments));
      out.complete = true;
      break;
    }
    case PlaybackMode::kLive: {
      ASSIGN_OR_RETURN(out.rows, NewestFragments(list, p.axis, kEarliestTime, kLatestTime, now,
                                                 p.max_fragments));
      break;
    }
    case PlaybackMode::kLiveReplay: {
      // A fragment joins once the time since the session began reaches its offset from Start.
      const int64_t elapsed = std::max<int64_t>(0, now.value() - p.issued.value());
      TimestampMs ceiling(p.start->value() + elapsed);
      if (p.end && *p.end <= ceiling) {
        ceiling = *p.end;
        out.complete = true;
      }
      ASSIGN_OR_RETURN(out.rows,
                       NewestFragments(list, p.axis, *p.start, ceiling, ceiling, p.max_fragments));
      break;
    }
  }
  return out;
}

Result<std::string> PlaybackService::Impl::CreateSession(SessionParams p, std::string_view endpoint,
                                                         std::string_view path) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, PlayableStream(p.stream));
  p.stream_id = info.id;
  const TimestampMs now = p.issued;
  const ListFn list = Lister(p.stream);
  // The fragment that proves the session has media, and whose header must be playable.
  std::vector<index::FragmentRow> found;
  if (p.mode == PlaybackMode::kLive) {
    ASSIGN_OR_RETURN(
        found, NewestFragments(list, index::TimeAxis::kServer,
                               TimestampMs(now.value() - kLiveRecencyMs), kLatestTime, now, 1));
  } else {
    ASSIGN_OR_RETURN(found,
                     OldestFragments(list, p.axis, *p.start, p.end.value_or(kLatestTime), 1));
  }
  if (found.empty()) return NoFragments();
  const index::FragmentRow& anchor = found.front();
  ASSIGN_OR_RETURN(media::TrackHeader header, reader->Header(info.id, anchor.header_version));
  const bool dash = p.kind == TokenKind::kDashSession;
  RETURN_IF_ERROR(media::SelectPlayableTracks(header, {.allow_g711 = dash}).status());
  if (dash && p.mode != PlaybackMode::kOnDemand) {
    // Media time 0 on the wall clock: where the anchor fragment is available (LIVE: when it
    // arrived; LIVE_REPLAY: when the replay reaches it).
    ASSIGN_OR_RETURN(FragmentTiming timing, Timing(info, anchor));
    const int64_t media_ms =
        timing.start_ns[0] == media::kUnknownTime ? 0 : timing.start_ns[0] / 1'000'000;
    const int64_t available = p.mode == PlaybackMode::kLive
                                  ? anchor.server_time.value()
                                  : now.value() + AxisTime(anchor, p.axis) - p.start->value();
    p.availability_start_ms = available - media_ms;
  }
  return std::string(endpoint) + std::string(path) + "?SessionToken=" + sessions.Encode(p);
}

Result<std::string> PlaybackService::CreateHlsSession(const HlsSessionRequest& request,
                                                      std::string_view endpoint) {
  ASSIGN_OR_RETURN(SessionParams p, HlsSessionParams(request, impl_->clock->Now()));
  return impl_->CreateSession(std::move(p), endpoint, "/hls/v1/getHLSMasterPlaylist.m3u8");
}

Result<std::string> PlaybackService::CreateDashSession(const DashSessionRequest& request,
                                                       std::string_view endpoint) {
  ASSIGN_OR_RETURN(SessionParams p, DashSessionParams(request, impl_->clock->Now()));
  return impl_->CreateSession(std::move(p), endpoint, "/dash/v1/getDASHManifest.mpd");
}

}  // namespace sluice::consumers::playback

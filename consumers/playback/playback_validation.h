// SPDX-License-Identifier: Apache-2.0
// The request rules of GetHLSStreamingSessionURL, GetDASHStreamingSessionURL, GetClip and
// GetImages that need no stored data: required and forbidden members per playback mode, range
// bounds, defaults. Pure functions; InvalidArgument with the messages below (AWS's wording where
// it is documented).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/ids.h"
#include "base/result.h"
#include "consumers/playback/playback_service.h"
#include "consumers/playback/session_token.h"

namespace sluice::consumers::playback {

inline constexpr int64_t kMinExpiresS = 300;
inline constexpr int64_t kMaxExpiresS = 43200;
inline constexpr uint32_t kMaxFragmentResults = 5000;
inline constexpr uint32_t kDefaultLiveFragments = 5;
inline constexpr uint32_t kDefaultOnDemandFragments = 1000;
inline constexpr int64_t kMaxSessionRangeMs = 24LL * 3600 * 1000;
inline constexpr int64_t kMaxImagesRangeMs = 300 * 1000;
inline constexpr int64_t kMinSamplingIntervalMs = 200;
inline constexpr uint32_t kMaxImageResults = 100;
inline constexpr uint32_t kMaxImageWidth = 3840;
inline constexpr uint32_t kMaxImageHeight = 2160;

namespace msg {
inline constexpr std::string_view kLiveWithRange =
    "TimestampRange must not be specified when PlaybackMode is LIVE.";
inline constexpr std::string_view kReplayNeedsStart =
    "StartTimestamp must be specified when PlaybackMode is LIVE_REPLAY.";
inline constexpr std::string_view kOnDemandNeedsRange =
    "StartTimestamp and EndTimestamp must be specified when PlaybackMode is ON_DEMAND.";
inline constexpr std::string_view kEndNotAfterStart =
    "EndTimestamp must be later than StartTimestamp.";
inline constexpr std::string_view kRangeOver24h =
    "EndTimestamp must be within 24 hours of StartTimestamp.";
inline constexpr std::string_view kEndInFuture =
    "EndTimestamp must be in the past when FragmentSelectorType is SERVER_TIMESTAMP.";
inline constexpr std::string_view kExpires = "Expires must be between 300 and 43200 seconds.";
inline constexpr std::string_view kMaxPlaylistResults =
    "MaxMediaPlaylistFragmentResults must be between 1 and 5000.";
inline constexpr std::string_view kMaxManifestResults =
    "MaxManifestFragmentResults must be between 1 and 5000.";
inline constexpr std::string_view kClipNeedsRange =
    "StartTimestamp and EndTimestamp must be specified for a clip.";
inline constexpr std::string_view kImagesRangeOrder =
    "EndTimestamp must not be earlier than StartTimestamp.";
inline constexpr std::string_view kImagesRangeOver300s =
    "The time range between StartTimestamp and EndTimestamp must not exceed 300 seconds.";
inline constexpr std::string_view kSamplingInterval =
    "SamplingInterval must be at least 200 milliseconds.";
inline constexpr std::string_view kMaxImagesResults = "MaxResults must be between 1 and 100.";
inline constexpr std::string_view kImageWidth = "WidthPixels must be between 1 and 3840.";
inline constexpr std::string_view kImageHeight = "HeightPixels must be between 1 and 2160.";
inline constexpr std::string_view kJpegQuality = "JPEGQuality must be between 1 and 100.";
inline constexpr std::string_view kNoFragmentsSession =
    "No fragments found in the stream for the streaming request.";
inline constexpr std::string_view kNoFragmentsClip =
    "No fragments found in the stream for the clip request.";
}  // namespace msg

// The session an HLS request describes, defaults applied (stream id, expiry and the DASH
// availability start are left for the service). `now` judges "EndTimestamp in the past".
Result<SessionParams> HlsSessionParams(const HlsSessionRequest& request, TimestampMs now);
Result<SessionParams> DashSessionParams(const DashSessionRequest& request, TimestampMs now);

Status ValidateClipRequest(const ClipRequest& request);
Status ValidateImagesRequest(const ImagesRequest& request);

}  // namespace sluice::consumers::playback

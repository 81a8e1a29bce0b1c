// SPDX-License-Identifier: Apache-2.0
// Session, clip and images request rules: each violation with its message, and the defaults.
#include "consumers/playback/playback_validation.h"

#include <gtest/gtest.h>

namespace sluice::consumers::playback {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kHour = 3'600'000;

FragmentSelector Range(std::optional<int64_t> start, std::optional<int64_t> end,
                       index::TimeAxis axis = index::TimeAxis::kServer) {
  FragmentSelector s;
  s.axis = axis;
  if (start) s.start = TimestampMs(*start);
  if (end) s.end = TimestampMs(*end);
  return s;
}

std::string HlsError(const HlsSessionRequest& r) {
  auto p = HlsSessionParams(r, TimestampMs(kNow));
  if (p.ok()) return "ok";
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  return p.status().message();
}

TEST(PlaybackValidationTest, HlsModeAndRangeRules) {
  using M = PlaybackMode;
  EXPECT_EQ(HlsError({.mode = M::kLive}), "ok");
  EXPECT_EQ(HlsError({.mode = M::kLive, .selector = Range(std::nullopt, std::nullopt)}), "ok");
  EXPECT_EQ(HlsError({.mode = M::kLive, .selector = Range(kNow - kHour, std::nullopt)}),
            msg::kLiveWithRange);
  EXPECT_EQ(HlsError({.mode = M::kLiveReplay}), msg::kReplayNeedsStart);
  EXPECT_EQ(HlsError({.mode = M::kLiveReplay, .selector = Range(std::nullopt, kNow - 1)}),
            msg::kReplayNeedsStart);
  EXPECT_EQ(HlsError({.mode = M::kLiveReplay, .selector = Range(kNow - kHour, std::nullopt)}),
            "ok");
  EXPECT_EQ(HlsError({.mode = M::kOnDemand, .selector = Range(kNow - kHour, std::nullopt)}),
            msg::kOnDemandNeedsRange);
  EXPECT_EQ(HlsError({.mode = M::kOnDemand}), msg::kOnDemandNeedsRange);
  EXPECT_EQ(HlsError({.mode = M::kOnDemand, .selector = Range(kNow - kHour, kNow - kHour)}),
            msg::kEndNotAfterStart);
  EXPECT_EQ(
      HlsError({.mode = M::kOnDemand, .selector = Range(kNow - 30 * kHour, kNow - 5 * kHour - 1)}),
      msg::kRangeOver24h);
  EXPECT_EQ(
      HlsError({.mode = M::kOnDemand, .selector = Range(kNow - 30 * kHour, kNow - 6 * kHour)}),
      "ok");
  EXPECT_EQ(HlsError({.mode = M::kOnDemand, .selector = Range(kNow - kHour, kNow + 1)}),
            msg::kEndInFuture);
  EXPECT_EQ(HlsError({.mode = M::kOnDemand,
                      .selector = Range(kNow - kHour, kNow + kHour, index::TimeAxis::kProducer)}),
            "ok");
}

TEST(PlaybackValidationTest, HlsExpiresAndResultCount) {
  EXPECT_EQ(HlsError({.expires_s = 299}), msg::kExpires);
  EXPECT_EQ(HlsError({.expires_s = 43201}), msg::kExpires);
  EXPECT_EQ(HlsError({.expires_s = 43200}), "ok");
  EXPECT_EQ(HlsError({.max_fragments = 0}), msg::kMaxPlaylistResults);
  EXPECT_EQ(HlsError({.max_fragments = 5001}), msg::kMaxPlaylistResults);
  EXPECT_EQ(HlsError({.max_fragments = 5000}), "ok");
}

TEST(PlaybackValidationTest, HlsDefaults) {
  auto live = HlsSessionParams({.stream = "cam"}, TimestampMs(kNow));
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(live->stream, "cam");
  EXPECT_EQ(live->kind, TokenKind::kHlsSession);
  EXPECT_EQ(live->max_fragments, 5u);
  EXPECT_EQ(live->axis, index::TimeAxis::kServer);
  EXPECT_EQ(live->discontinuity, DiscontinuityMode::kAlways);
  EXPECT_EQ(live->issued, TimestampMs(kNow));
  EXPECT_EQ(live->expires, TimestampMs(kNow + 300'000));
  auto vod =
      HlsSessionParams({.mode = PlaybackMode::kOnDemand,
                        .selector = Range(kNow - kHour, kNow - 1, index::TimeAxis::kProducer),
                        .expires_s = 600},
                       TimestampMs(kNow));
  ASSERT_TRUE(vod.ok());
  EXPECT_EQ(vod->max_fragments, 1000u);
  EXPECT_EQ(vod->discontinuity, DiscontinuityMode::kNever);
  EXPECT_EQ(vod->expires, TimestampMs(kNow + 600'000));
  EXPECT_EQ(vod->start, TimestampMs(kNow - kHour));
}

TEST(PlaybackValidationTest, DashRules) {
  auto bad = DashSessionParams({.max_fragments = 5001}, TimestampMs(kNow));
  EXPECT_EQ(bad.status().message(), msg::kMaxManifestResults);
  auto live = DashSessionParams({.display_fragment_number = true}, TimestampMs(kNow));
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(live->kind, TokenKind::kDashSession);
  EXPECT_TRUE(live->display_number);
  EXPECT_EQ(
      DashSessionParams({.mode = PlaybackMode::kLiveReplay}, TimestampMs(kNow)).status().message(),
      msg::kReplayNeedsStart);
}

TEST(PlaybackValidationTest, ClipRules) {
  auto clip = [](std::optional<int64_t> a, std::optional<int64_t> b) {
    Status s = ValidateClipRequest({.stream = "c", .selector = Range(a, b)});
    return s.ok() ? std::string("ok") : s.message();
  };
  EXPECT_EQ(clip(std::nullopt, kNow), msg::kClipNeedsRange);
  EXPECT_EQ(clip(kNow, std::nullopt), msg::kClipNeedsRange);
  EXPECT_EQ(clip(kNow, kNow), msg::kEndNotAfterStart);
  EXPECT_EQ(clip(kNow, kNow + 24 * kHour + 1), msg::kRangeOver24h);
  EXPECT_EQ(clip(kNow, kNow + 24 * kHour), "ok");
}

TEST(PlaybackValidationTest, ImagesRules) {
  auto images = [](ImagesRequest r) {
    r.start = TimestampMs(r.start.value() + kNow);
    r.end = TimestampMs(r.end.value() + kNow);
    Status s = ValidateImagesRequest(r);
    return s.ok() ? std::string("ok") : s.message();
  };
  EXPECT_EQ(images({.start = TimestampMs(0), .end = TimestampMs(300'000)}), "ok");
  EXPECT_EQ(images({.start = TimestampMs(0), .end = TimestampMs(0)}), "ok");
  EXPECT_EQ(images({.start = TimestampMs(0), .end = TimestampMs(300'001)}),
            msg::kImagesRangeOver300s);
  EXPECT_EQ(images({.start = TimestampMs(1), .end = TimestampMs(0)}), msg::kImagesRangeOrder);
  EXPECT_EQ(images({.start = TimestampMs(0), .end = TimestampMs(1), .sampling_interval_ms = 199}),
            msg::kSamplingInterval);
  EXPECT_EQ(images({.start = TimestampMs(0), .end = TimestampMs(1), .max_results = 0}),
            msg::kMaxImagesResults);
  EXPECT_EQ(images({.start = TimestampMs(0), .end = TimestampMs(1), .max_results = 101}),
            msg::kMaxImagesResults);
  EXPECT_EQ(images({.start = TimestampMs(0), .end = TimestampMs(1), .width = 3841}),
            msg::kImageWidth);
  EXPECT_EQ(images({.start = TimestampMs(0), .end = TimestampMs(1), .height = 2161}),
            msg::kImageHeight);
  EXPECT_EQ(images({.start = TimestampMs(0), .end = TimestampMs(1), .jpeg_quality = 0}),
            msg::kJpegQuality);
  EXPECT_EQ(
      images({.start = TimestampMs(0), .end = TimestampMs(1), .png = true, .jpeg_quality = 0}),
      "ok");
}

}  // namespace
}  // namespace sluice::consumers::playback

// SPDX-License-Identifier: Apache-2.0
// PlaybackService sessions over real ingested H.264: session creation errors (AWS's types and
// messages), HLS playlists for LIVE / LIVE_REPLAY / ON_DEMAND, live playlists that show a new
// fragment at once, token expiry and forgery through Serve, and which fragments a session serves.
#include <gtest/gtest.h>

#include "consumers/playback/playback_validation.h"
#include "media/remux.h"
#include "tests/consumers/playback_fixture.h"
#include "tests/consumers/playback_golden.h"

namespace sluice::consumers::playback {
namespace {

constexpr char kEndpoint[] = "http://127.0.0.1:8080";
constexpr char kMaster[] = "/hls/v1/getHLSMasterPlaylist.m3u8";
constexpr char kMedia[] = "/hls/v1/getHLSMediaPlaylist.m3u8";

class PlaybackSessionTest : public PlaybackTest {
 protected:
  std::string Hls(HlsSessionRequest r) {
    auto url = service_->CreateHlsSession(r, kEndpoint);
    EXPECT_TRUE(url.ok()) << url.status().ToString();
    return url.ok() ? TokenOf(*url) : "";
  }
  Status HlsError(HlsSessionRequest r) {
    auto url = service_->CreateHlsSession(r, kEndpoint);
    return url.ok() ? OkStatus() : url.status();
  }
  // The fragment numbers a media playlist lists, in order.
  static std::vector<std::string> Listed(const std::string& playlist) {
    std::vector<std::string> out;
    for (const std::string& line : LinesWith(playlist, "getMP4MediaFragment.mp4")) {
      out.push_back(line.substr(line.find("FragmentNumber=") + 15));
    }
    for (const std::string& line : LinesWith(playlist, "getTSFragment.ts")) {
      out.push_back(line.substr(line.find("FragmentNumber=") + 15));
    }
    return out;
  }
  // Replaces the token and each fragment number by stable names, for golden files.
  static std::string Masked(std::string text, const std::string& token,
                            const std::vector<std::string>& numbers) {
    text = testing::MaskToken(text, token);
    for (size_t i = 0; i < numbers.size(); ++i) {
      for (size_t at = text.find(numbers[i]); at != std::string::npos;
           at = text.find(numbers[i], at)) {
        text.replace(at, numbers[i].size(), "F" + std::to_string(i));
      }
    }
    return text;
  }
};

TEST_F(PlaybackSessionTest, SessionUrlNamesTheMasterPlaylist) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  auto url = service_->CreateHlsSession({.stream = "cam"}, kEndpoint);
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->rfind("http://127.0.0.1:8080/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken=", 0),
            0u);
  auto dash = service_->CreateDashSession({.stream = "cam"}, kEndpoint);
  ASSERT_TRUE(dash.ok()) << dash.status().ToString();
  EXPECT_EQ(dash->rfind("http://127.0.0.1:8080/dash/v1/getDASHManifest.mpd?SessionToken=", 0), 0u);
}

TEST_F(PlaybackSessionTest, CreationErrors) {
  const int64_t now = clock_.Now().value();
  // The stream: missing, or without retention.
  Status s = HlsError({.stream = "nope"});
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "The requested stream nope is not found.");
  CreateVideo("unkept", 0);
  s = HlsError({.stream = "unkept"});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message().rfind(kNoDataRetentionPrefix, 0), 0u) << s.message();
  // No fragments: LIVE, ON_DEMAND and LIVE_REPLAY.
  CreateVideo("empty");
  s = HlsError({.stream = "empty"});
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), msg::kNoFragmentsSession);
  FragmentSelector range{.start = TimestampMs(now - 60'000), .end = TimestampMs(now - 1)};
  s = HlsError({.stream = "empty", .mode = PlaybackMode::kOnDemand, .selector = range});
  EXPECT_EQ(s.message(), msg::kNoFragmentsSession);
  // Validation comes first, with its own message.
  s = HlsError({.stream = "empty", .mode = PlaybackMode::kLiveReplay});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), msg::kReplayNeedsStart);
  s = HlsError({.stream = "nope", .expires_s = 10});
  EXPECT_EQ(s.message(), msg::kExpires);

  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  EXPECT_TRUE(HlsError({.stream = "cam"}).ok());
  // LIVE needs a fragment from the last 30 s.
  clock_.Advance(31'000);
  s = HlsError({.stream = "cam"});
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), msg::kNoFragmentsSession);
  EXPECT_TRUE(HlsError({.stream = "cam",
                        .mode = PlaybackMode::kOnDemand,
                        .selector = FragmentSelector{.start = TimestampMs(now),
                                                     .end = TimestampMs(now + 10'000)}})
                  .ok());
  // A range with nothing in it.
  s = HlsError({.stream = "cam",
                .mode = PlaybackMode::kOnDemand,
                .selector = FragmentSelector{.start = TimestampMs(now - 20'000),
                                             .end = TimestampMs(now - 10'000)}});
  EXPECT_EQ(s.message(), msg::kNoFragmentsSession);
}

TEST_F(PlaybackSessionTest, UnplayableMediaIsNamed) {
  CreateVideo("vp9");
  auto numbers = PutFile("vp9", "vp9");
  REQUIRE_FRAGMENTS(numbers, 6u);
  Status s = HlsError({.stream = "vp9"});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message().rfind(media::kUnsupportedMediaPrefix, 0), 0u) << s.message();
}

TEST_F(PlaybackSessionTest, MasterPlaylistDescribesTheStream) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  const std::string token = Hls({.stream = "cam"});
  auto master = Get(kMaster, token);
  ASSERT_TRUE(master.ok()) << master.status().ToString();
  EXPECT_EQ(master->content_type, "application/vnd.apple.mpegurl");
  EXPECT_EQ(master->cache_control, "no-cache");
  const auto inf = LinesWith(master->body, "#EXT-X-STREAM-INF:");
  ASSERT_EQ(inf.size(), 1u) << master->body;
  EXPECT_NE(inf[0].find("CODECS=\"avc1."), std::string::npos) << inf[0];
  EXPECT_NE(inf[0].find("RESOLUTION=320x240"), std::string::npos) << inf[0];
  EXPECT_NE(inf[0].find("FRAME-RATE=25.000"), std::string::npos) << inf[0];
  EXPECT_NE(master->body.find("getHLSMediaPlaylist.m3u8?SessionToken=" + token + "&TrackNumber=1"),
            std::string::npos);
  EXPECT_TRUE(LinesWith(master->body, "#EXT-X-MEDIA:").empty());
}

TEST_F(PlaybackSessionTest, LivePlaylistListsTheNewestAndShowsNewFragmentsAtOnce) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  const std::string token = Hls({.stream = "cam", .max_fragments = 3});
  std::string playlist = Body(kMedia, token, {{"TrackNumber", "1"}});
  EXPECT_EQ(Listed(playlist), std::vector<std::string>(numbers.begin() + 3, numbers.end()));
  EXPECT_TRUE(LinesWith(playlist, "#EXT-X-ENDLIST").empty());
  EXPECT_EQ(LinesWith(playlist, "#EXT-X-MEDIA-SEQUENCE:")[0], "#EXT-X-MEDIA-SEQUENCE:3");
  EXPECT_EQ(LinesWith(playlist, "#EXT-X-DISCONTINUITY-SEQUENCE:")[0],
            "#EXT-X-DISCONTINUITY-SEQUENCE:3");
  EXPECT_EQ(LinesWith(playlist, "#EXT-X-DISCONTINUITY").size(), 3u);  // 2 tags + the sequence
  testing::ExpectGolden("service_live.m3u8", Masked(playlist, token, numbers));

  // The next fragments are listed as soon as they are persisted.
  auto more = PutFile("cam", "h264_b");
  ASSERT_EQ(more.size(), 6u);
  playlist = Body(kMedia, token, {{"TrackNumber", "1"}});
  EXPECT_EQ(Listed(playlist), std::vector<std::string>(more.begin() + 3, more.end()));
  EXPECT_EQ(LinesWith(playlist, "#EXT-X-MEDIA-SEQUENCE:")[0], "#EXT-X-MEDIA-SEQUENCE:9");
}

TEST_F(PlaybackSessionTest, OnDemandListsTheOldestOfTheRange) {
  const int64_t t0 = clock_.Now().value();
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  // Fragment i arrived at t0 + (i + 1) s.
  const std::string all =
      Hls({.stream = "cam",
           .mode = PlaybackMode::kOnDemand,
           .selector = FragmentSelector{.start = TimestampMs(t0), .end = TimestampMs(t0 + 6000)},
           .discontinuity = DiscontinuityMode::kNever,
           .display_fragment_timestamp = true});
  auto playlist = Get(kMedia, all, {{"TrackNumber", "1"}});
  ASSERT_TRUE(playlist.ok());
  EXPECT_EQ(playlist->cache_control, "max-age=60");
  EXPECT_EQ(Listed(playlist->body), numbers);
  testing::ExpectGolden("service_on_demand.m3u8", Masked(playlist->body, all, numbers));

  // Start and end are inclusive and compared with the fragment's start; N takes the oldest.
  const std::string part = Hls(
      {.stream = "cam",
       .mode = PlaybackMode::kOnDemand,
       .selector = FragmentSelector{.start = TimestampMs(t0 + 2000), .end = TimestampMs(t0 + 5000)},
       .max_fragments = 3});
  EXPECT_EQ(Listed(Body(kMedia, part)),
            std::vector<std::string>(numbers.begin() + 1, numbers.begin() + 4));
  // A fragment outside the session's range is not served by it.
  auto outside = Get("/hls/v1/getMP4MediaFragment.mp4", part,
                     {{"TrackNumber", "1"}, {"FragmentNumber", numbers[5]}});
  EXPECT_EQ(outside.status().code(), StatusCode::kNotFound);
}

TEST_F(PlaybackSessionTest, LiveReplayAddsFragmentsAtRealTimePace) {
  const int64_t t0 = clock_.Now().value();
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  // Replay from the second fragment's arrival (t0 + 2 s) to the fifth's (t0 + 5 s).
  const std::string token = Hls(
      {.stream = "cam",
       .mode = PlaybackMode::kLiveReplay,
       .selector = FragmentSelector{.start = TimestampMs(t0 + 2000), .end = TimestampMs(t0 + 5000)},
       .max_fragments = 2});
  auto listed = [&] { return Listed(Body(kMedia, token)); };
  using V = std::vector<std::string>;
  EXPECT_EQ(listed(), (V{numbers[1]}));
  clock_.Advance(999);
  EXPECT_EQ(listed(), (V{numbers[1]}));
  clock_.Advance(1);
  EXPECT_EQ(listed(), (V{numbers[1], numbers[2]}));
  clock_.Advance(1000);
  const std::string window = Body(kMedia, token);
  EXPECT_EQ(Listed(window), (V{numbers[2], numbers[3]}));
  EXPECT_TRUE(LinesWith(window, "#EXT-X-ENDLIST").empty());
  clock_.Advance(1000);  // the end is reached
  const std::string ended = Body(kMedia, token);
  EXPECT_EQ(Listed(ended), (V{numbers[3], numbers[4]}));
  EXPECT_EQ(LinesWith(ended, "#EXT-X-ENDLIST").size(), 1u);
  EXPECT_TRUE(LinesWith(ended, "#EXT-X-PLAYLIST-TYPE").empty());
}

TEST_F(PlaybackSessionTest, DiscontinuitySequenceCountsWhatSlidOut) {
  auto first = PutFile("cam", "h264");  // arrivals t0 + 1..6 s, back to back
  REQUIRE_FRAGMENTS(first, 6u);
  const std::string gaps = Hls(
      {.stream = "cam", .discontinuity = DiscontinuityMode::kOnDiscontinuity, .max_fragments = 3});
  const std::string always = Hls({.stream = "cam", .max_fragments = 3});
  const std::string never =
      Hls({.stream = "cam", .discontinuity = DiscontinuityMode::kNever, .max_fragments = 3});
  auto sequence = [&](const std::string& token) {
    return LinesWith(Body(kMedia, token), "#EXT-X-DISCONTINUITY-SEQUENCE:")[0];
  };
  EXPECT_EQ(sequence(gaps), "#EXT-X-DISCONTINUITY-SEQUENCE:0");
  EXPECT_EQ(LinesWith(Body(kMedia, gaps), "#EXT-X-DISCONTINUITY").size(), 1u);  // no gap yet
  clock_.Advance(10'000);
  auto second = PutFile("cam", "h264");  // the same header 10 s later: one gap
  ASSERT_EQ(second.size(), 6u);
  std::string playlist = Body(kMedia, gaps);
  EXPECT_EQ(Listed(playlist), std::vector<std::string>(second.begin() + 3, second.end()));
  // The gap between the two files slid out of the window: counted once.
  EXPECT_EQ(LinesWith(playlist, "#EXT-X-DISCONTINUITY-SEQUENCE:")[0],
            "#EXT-X-DISCONTINUITY-SEQUENCE:1");
  EXPECT_EQ(sequence(gaps), "#EXT-X-DISCONTINUITY-SEQUENCE:1");  // stable on refresh
  EXPECT_EQ(sequence(always), "#EXT-X-DISCONTINUITY-SEQUENCE:9");
  EXPECT_EQ(sequence(never), "#EXT-X-DISCONTINUITY-SEQUENCE:0");
}

TEST_F(PlaybackSessionTest, HeaderChangeBringsANewMapAndADiscontinuity) {
  const int64_t t0 = clock_.Now().value();
  auto first = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(first, 6u);
  auto second = PutFile("cam", "h264_640");  // new codec private data: header version 2
  ASSERT_EQ(second.size(), 6u);
  const std::string token =
      Hls({.stream = "cam",
           .mode = PlaybackMode::kOnDemand,
           .selector = FragmentSelector{.start = TimestampMs(t0), .end = clock_.Now()},
           .discontinuity = DiscontinuityMode::kNever});
  const std::string playlist = Body(kMedia, token);
  EXPECT_EQ(Listed(playlist).size(), 12u);
  const auto maps = LinesWith(playlist, "#EXT-X-MAP:");
  ASSERT_EQ(maps.size(), 2u) << playlist;
  EXPECT_NE(maps[0].find("SequenceNumber=1\""), std::string::npos);
  EXPECT_NE(maps[1].find("SequenceNumber=2\""), std::string::npos);
  // The tag sits right before the new map.
  EXPECT_NE(playlist.find("#EXT-X-DISCONTINUITY\n#EXT-X-MAP"), std::string::npos) << playlist;
  EXPECT_EQ(playlist.find("#EXT-X-DISCONTINUITY\n#EXTINF"), std::string::npos) << playlist;
  // The master playlist describes the newest header.
  EXPECT_NE(Body(kMaster, token).find("RESOLUTION=640x480"), std::string::npos);
}

TEST_F(PlaybackSessionTest, TokensExpireAndCannotBeForged) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  const std::string token = Hls({.stream = "cam", .expires_s = 300});
  ASSERT_TRUE(Get(kMaster, token).ok());
  std::string forged = token;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  auto r = Get(kMaster, forged);
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), kSessionInvalidMessage);
  EXPECT_EQ(service_->Serve({.path = kMaster}).status().code(), StatusCode::kDeadlineExceeded);
  clock_.Advance(300'000);
  r = Get(kMedia, token);
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), kSessionExpiredMessage);
}

TEST_F(PlaybackSessionTest, ResourcesAndParametersAreChecked) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  auto other = PutFile("other", "h264");
  ASSERT_EQ(other.size(), 6u);
  const std::string token = Hls({.stream = "cam"});
  EXPECT_EQ(Get("/hls/v1/nope.m3u8", token).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Get("/dash/v1/getDASHManifest.mpd", token).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Get(kMedia, token, {{"TrackNumber", "3"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Get(kMedia, token, {{"TrackNumber", "2"}}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Get("/hls/v1/getMP4MediaFragment.mp4", token, {{"TrackNumber", "1"}}).status().code(),
            StatusCode::kInvalidArgument);
  // A fragment of another stream, and a number that is no fragment at all.
  EXPECT_EQ(Get("/hls/v1/getMP4MediaFragment.mp4", token,
                {{"TrackNumber", "1"}, {"FragmentNumber", other[0]}})
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Get("/hls/v1/getTSFragment.ts", token, {{"FragmentNumber", "12345"}}).status().code(),
            StatusCode::kNotFound);
  // LL-HLS query parameters are not the service's business.
  EXPECT_TRUE(Get(kMedia, token, {{"_HLS_msn", "9"}, {"_HLS_part", "0"}}).ok());
  // A deleted stream ends its sessions.
  ASSERT_TRUE(streams_->Delete({.name = "cam"}, std::nullopt).ok());
  EXPECT_EQ(Get(kMedia, token).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sluice::consumers::playback

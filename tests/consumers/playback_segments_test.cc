// SPDX-License-Identifier: Apache-2.0
// Segments decoded by a real player: init + media segments and TS segments checked with
// ffprobe, whole HLS (fMP4 and TS) and DASH sessions read by ffprobe over HTTP, audio tracks,
// and the segment cache's counters.
#include <gtest/gtest.h>

#include <regex>

#include "tests/consumers/playback_fixture.h"
#include "tests/consumers/playback_http.h"

namespace sluice::consumers::playback {
namespace {

using media::testing::DecodedVideoFrames;
using media::testing::HaveTool;
using media::testing::Run;

constexpr char kEndpoint[] = "http://127.0.0.1:8080";

// Frames of a stream type ffprobe decodes from a file or URL (-1 on failure).
int DecodedFrames(const std::string& what, const std::string& stream = "v:0") {
  std::string out;
  const int rc = Run("ffprobe -v error -count_frames -select_streams " + stream +
                         " -show_entries stream=nb_read_frames -of csv=p=0 '" + what + "'",
                     &out);
  if (rc != 0 || out.empty()) return -1;
  return std::atoi(out.c_str());
}

class PlaybackSegmentsTest : public PlaybackTest {
 protected:
  void SetUp() override {
    if (!HaveTool("ffprobe")) GTEST_SKIP() << "no ffprobe";
  }
  std::string OnDemand(const std::vector<std::string>& numbers, ContainerFormat container,
                       int64_t t0) {
    auto url = service_->CreateHlsSession(
        {.stream = "cam",
         .mode = PlaybackMode::kOnDemand,
         .selector = FragmentSelector{.start = TimestampMs(t0), .end = clock_.Now()},
         .container = container},
        kEndpoint);
    EXPECT_TRUE(url.ok()) << url.status().ToString();
    return url.ok() ? TokenOf(*url) : "";
  }
};

TEST_F(PlaybackSegmentsTest, InitAndMediaSegmentsDecode) {
  const int64_t t0 = clock_.Now().value();
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  const std::string token = OnDemand(numbers, ContainerFormat::kFragmentedMp4, t0);
  auto init =
      Get("/hls/v1/getMP4InitFragment.mp4", token, {{"TrackNumber", "1"}, {"SequenceNumber", "1"}});
  ASSERT_TRUE(init.ok()) << init.status().ToString();
  EXPECT_EQ(init->content_type, "video/mp4");
  EXPECT_EQ(init->body.substr(4, 4), "ftyp");
  auto seg = Get("/hls/v1/getMP4MediaFragment.mp4", token,
                 {{"TrackNumber", "1"}, {"FragmentNumber", numbers[2]}});
  ASSERT_TRUE(seg.ok()) << seg.status().ToString();
  EXPECT_EQ(seg->content_type, "video/mp4");
  EXPECT_EQ(seg->cache_control, "max-age=86400");
  EXPECT_EQ(DecodedVideoFrames(WriteTemp("one.mp4", init->body + seg->body)), 25);
  // Consecutive segments after one init play as one stream.
  std::string all = init->body;
  for (const std::string& n : numbers) {
    all += Body("/hls/v1/getMP4MediaFragment.mp4", token,
                {{"TrackNumber", "1"}, {"FragmentNumber", n}});
  }
  EXPECT_EQ(DecodedVideoFrames(WriteTemp("all.mp4", all)), 150);
  // Without SequenceNumber the init segment is the newest header's.
  EXPECT_EQ(Body("/hls/v1/getMP4InitFragment.mp4", token, {{"TrackNumber", "1"}}), init->body);
}

TEST_F(PlaybackSegmentsTest, TsSegmentsDecode) {
  const int64_t t0 = clock_.Now().value();
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  const std::string token = OnDemand(numbers, ContainerFormat::kMpegTs, t0);
  auto ts = Get("/hls/v1/getTSFragment.ts", token, {{"FragmentNumber", numbers[0]}});
  ASSERT_TRUE(ts.ok()) << ts.status().ToString();
  EXPECT_EQ(ts->content_type, "video/mp2t");
  EXPECT_EQ(ts->body[0], 0x47);
  EXPECT_EQ(DecodedVideoFrames(WriteTemp("one.ts", ts->body)), 25);
  const std::string playlist = Body("/hls/v1/getHLSMediaPlaylist.m3u8", token);
  EXPECT_EQ(LinesWith(playlist, "getTSFragment.ts").size(), 6u);
  EXPECT_TRUE(LinesWith(playlist, "#EXT-X-MAP").empty());
}

TEST_F(PlaybackSegmentsTest, SegmentCacheServesRepeatsWithoutRemuxing) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  auto url = service_->CreateHlsSession({.stream = "cam"}, kEndpoint);
  ASSERT_TRUE(url.ok());
  const std::string token = TokenOf(*url);
  auto url2 = service_->CreateHlsSession({.stream = "cam", .expires_s = 600}, kEndpoint);
  ASSERT_TRUE(url2.ok());
  const std::map<std::string, std::string> q = {{"TrackNumber", "1"},
                                                {"FragmentNumber", numbers[5]}};
  const std::string first = Body("/hls/v1/getMP4MediaFragment.mp4", token, q);
  EXPECT_EQ(Body("/hls/v1/getMP4MediaFragment.mp4", token, q), first);
  // Another session of the same stream shares the cached segment.
  EXPECT_EQ(Body("/hls/v1/getMP4MediaFragment.mp4", TokenOf(*url2), q), first);
  PlaybackStats s = service_->Stats();
  EXPECT_EQ(s.segment_misses, 1u);
  EXPECT_EQ(s.segment_hits, 2u);
  EXPECT_EQ(s.segment_cache_entries, 1u);
  EXPECT_EQ(s.segment_cache_bytes, first.size());
  // Many viewers at once: one remux.
  const std::map<std::string, std::string> q4 = {{"TrackNumber", "1"},
                                                 {"FragmentNumber", numbers[4]}};
  std::vector<std::thread> viewers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    viewers.emplace_back([&] {
      if (Get("/hls/v1/getMP4MediaFragment.mp4", token, q4).ok()) ++ok;
    });
  }
  for (auto& v : viewers) v.join();
  EXPECT_EQ(ok.load(), 6);
  s = service_->Stats();
  EXPECT_EQ(s.segment_misses, 2u);
  EXPECT_EQ(s.segment_hits + s.segment_joins, 7u);
}

TEST_F(PlaybackSegmentsTest, SmallCacheEvicts) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  service_ = MakeService(40'000);  // a couple of 320x240 segments
  auto url = service_->CreateHlsSession({.stream = "cam"}, kEndpoint);
  ASSERT_TRUE(url.ok());
  for (const std::string& n : numbers) {
    Body("/hls/v1/getMP4MediaFragment.mp4", TokenOf(*url),
         {{"TrackNumber", "1"}, {"FragmentNumber", n}});
  }
  const PlaybackStats s = service_->Stats();
  EXPECT_EQ(s.segment_misses, 6u);
  EXPECT_GT(s.segment_evictions, 0u);
  EXPECT_LE(s.segment_cache_bytes, 40'000u);
}

TEST_F(PlaybackSegmentsTest, FfprobePlaysHlsSessions) {
  const int64_t t0 = clock_.Now().value();
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  testing::PlaybackHttpServer http(service_.get());
  for (ContainerFormat c : {ContainerFormat::kFragmentedMp4, ContainerFormat::kMpegTs}) {
    auto url = service_->CreateHlsSession(
        {.stream = "cam",
         .mode = PlaybackMode::kOnDemand,
         .selector = FragmentSelector{.start = TimestampMs(t0), .end = clock_.Now()},
         .container = c},
        http.base());
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    EXPECT_EQ(DecodedFrames(*url), 150) << *url;
  }
}

TEST_F(PlaybackSegmentsTest, FfprobePlaysDashSessions) {
  const int64_t t0 = clock_.Now().value();
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  testing::PlaybackHttpServer http(service_.get());
  auto url = service_->CreateDashSession(
      {.stream = "cam",
       .mode = PlaybackMode::kOnDemand,
       .selector = FragmentSelector{.start = TimestampMs(t0), .end = clock_.Now()},
       .display_fragment_timestamp = true,
       .display_fragment_number = true},
      http.base());
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto mpd = Get("/dash/v1/getDASHManifest.mpd", TokenOf(*url));
  ASSERT_TRUE(mpd.ok()) << mpd.status().ToString();
  EXPECT_EQ(mpd->content_type, "application/dash+xml");
  EXPECT_NE(mpd->body.find("type=\"static\""), std::string::npos);
  EXPECT_EQ(LinesWith(mpd->body, "            <S ").size(), 6u) << mpd->body;
  EXPECT_NE(mpd->body.find("kvs:fn=\"" + numbers[3] + "\""), std::string::npos);
  // S@t is the media time of each fragment at 90 kHz: 0, 1 s, 2 s, ... for this file.
  EXPECT_NE(mpd->body.find("<S t=\"90000\" d=\"90000\""), std::string::npos) << mpd->body;
  EXPECT_EQ(DecodedFrames(*url), 150) << mpd->body;
}

TEST_F(PlaybackSegmentsTest, DynamicDashManifest) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  auto url = service_->CreateDashSession({.stream = "cam"}, kEndpoint);
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  const std::string mpd = Body("/dash/v1/getDASHManifest.mpd", TokenOf(*url));
  EXPECT_NE(mpd.find("type=\"dynamic\""), std::string::npos) << mpd;
  EXPECT_EQ(LinesWith(mpd, "            <S ").size(), 5u) << mpd;
  // Media time 0 is placed so that the newest fragment (media time 5 s) was available when it
  // arrived (server time kStartMs + 6 s): availabilityStartTime = kStartMs + 1 s.
  EXPECT_NE(mpd.find("availabilityStartTime=\"2023-11-14T22:13:21.000Z\""), std::string::npos)
      << mpd;
}

TEST_F(PlaybackSegmentsTest, AudioTrackHasItsOwnPlaylistAndInit) {
  const int64_t t0 = clock_.Now().value();
  auto numbers = PutFile("cam", "aac");
  if (numbers.empty()) GTEST_SKIP() << "no test media (ffmpeg)";
  auto url = service_->CreateHlsSession(
      {.stream = "cam",
       .mode = PlaybackMode::kOnDemand,
       .selector = FragmentSelector{.start = TimestampMs(t0), .end = clock_.Now()}},
      kEndpoint);
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  const std::string token = TokenOf(*url);
  const std::string master = Body("/hls/v1/getHLSMasterPlaylist.m3u8", token);
  const auto media = LinesWith(master, "#EXT-X-MEDIA:TYPE=AUDIO");
  ASSERT_EQ(media.size(), 1u) << master;
  EXPECT_NE(media[0].find("TrackNumber=2"), std::string::npos);
  EXPECT_NE(master.find(",mp4a.40.2\""), std::string::npos) << master;
  const std::string audio = Body("/hls/v1/getHLSMediaPlaylist.m3u8", token, {{"TrackNumber", "2"}});
  const auto segments = LinesWith(audio, "getMP4MediaFragment.mp4");
  ASSERT_EQ(segments.size(), numbers.size());
  EXPECT_NE(segments[0].find("TrackNumber=2"), std::string::npos);
  std::string bytes = Body("/hls/v1/getMP4InitFragment.mp4", token, {{"TrackNumber", "2"}});
  for (const std::string& n : numbers) {
    bytes += Body("/hls/v1/getMP4MediaFragment.mp4", token,
                  {{"TrackNumber", "2"}, {"FragmentNumber", n}});
  }
  const std::string path = WriteTemp("audio.mp4", bytes);
  EXPECT_GT(DecodedFrames(path, "a:0"), 200);  // 6 s of 1024-sample AAC frames at 44.1 kHz
  EXPECT_EQ(DecodedFrames(path, "v:0"), -1);   // the audio track alone
}

}  // namespace
}  // namespace sluice::consumers::playback

// SPDX-License-Identifier: Apache-2.0
// HLS master and media playlists against golden files: LIVE / LIVE_REPLAY / ON_DEMAND, the three
// discontinuity modes, program date time on and off, fMP4 vs MPEG-TS, audio, LL-HLS.
#include "consumers/playback/hls_playlist.h"

#include <gtest/gtest.h>

#include "tests/consumers/playback_golden.h"

namespace sluice::consumers::playback {
namespace {

using testing::ExpectGolden;

constexpr int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

std::string Number(int i) {
  return "9134385233318148191523539420314933655431934884" + std::to_string(i);
}

// Five 2 s fragments back to back, header version 1.
std::vector<HlsSegment> Contiguous(int n = 5) {
  std::vector<HlsSegment> s;
  for (int i = 0; i < n; ++i) {
    s.push_back({Number(i), TimestampMs(kT0 + 2000 * i), 2000 + (i % 2) * 2, 1});
  }
  return s;
}

HlsMediaPlaylist Live() {
  HlsMediaPlaylist p;
  p.session_token = "TOKEN";
  p.media_sequence = 120;
  p.discontinuity_sequence = 120;
  p.segments = Contiguous();
  return p;
}

TEST(HlsPlaylistTest, LiveAlwaysFmp4) {
  ExpectGolden("hls_live_always.m3u8", RenderMediaPlaylist(Live()));
}

TEST(HlsPlaylistTest, LiveNeverWithProgramDateTime) {
  HlsMediaPlaylist p = Live();
  p.discontinuity = DiscontinuityMode::kNever;
  p.discontinuity_sequence = 0;
  p.program_date_time = true;
  ExpectGolden("hls_live_never_pdt.m3u8", RenderMediaPlaylist(p));
}

TEST(HlsPlaylistTest, OnDiscontinuityMarksGapsOverlapsAndHeaderChanges) {
  HlsMediaPlaylist p = Live();
  p.discontinuity = DiscontinuityMode::kOnDiscontinuity;
  p.discontinuity_sequence = 7;
  p.segments = Contiguous(7);
  p.segments[1].time = TimestampMs(p.segments[1].time.value() + 50);   // within tolerance
  p.segments[2].time = TimestampMs(p.segments[2].time.value() + 900);  // gap
  p.segments[4].time = TimestampMs(p.segments[4].time.value() - 300);  // overlap
  p.segments[5].header_version = 2;  // new codec private data: MAP + DISCONTINUITY
  p.segments[6].header_version = 2;
  ExpectGolden("hls_on_discontinuity.m3u8", RenderMediaPlaylist(p));
}

TEST(HlsPlaylistTest, OnDemandIsVodWithEndList) {
  HlsMediaPlaylist p = Live();
  p.vod = true;
  p.media_sequence = 0;
  p.discontinuity_sequence = 0;
  p.program_date_time = true;
  p.segments[3].header_version = 2;
  p.segments[4].header_version = 2;
  ExpectGolden("hls_on_demand.m3u8", RenderMediaPlaylist(p));
}

TEST(HlsPlaylistTest, LiveReplayPastItsEndHasEndListOnly) {
  HlsMediaPlaylist p = Live();
  p.ended = true;
  ExpectGolden("hls_live_replay_ended.m3u8", RenderMediaPlaylist(p));
}

TEST(HlsPlaylistTest, MpegTs) {
  HlsMediaPlaylist p = Live();
  p.container = ContainerFormat::kMpegTs;
  p.segments[2].header_version = 2;
  ExpectGolden("hls_ts.m3u8", RenderMediaPlaylist(p));
}

TEST(HlsPlaylistTest, AudioTrackAndBlockingReload) {
  HlsMediaPlaylist p = Live();
  p.track = 2;
  p.can_block_reload = true;
  p.discontinuity = DiscontinuityMode::kNever;
  ExpectGolden("hls_audio_ll.m3u8", RenderMediaPlaylist(p));
}

TEST(HlsPlaylistTest, EmptyPlaylistStillHasATargetDuration) {
  HlsMediaPlaylist p;
  p.session_token = "TOKEN";
  const std::string text = RenderMediaPlaylist(p);
  EXPECT_NE(text.find("#EXT-X-TARGETDURATION:1\n"), std::string::npos) << text;
}

TEST(HlsPlaylistTest, TargetDurationIsTheCeilingOfTheLongest) {
  HlsMediaPlaylist p = Live();
  p.segments[2].duration_ms = 4001;
  EXPECT_NE(RenderMediaPlaylist(p).find("#EXT-X-TARGETDURATION:5\n"), std::string::npos);
  p.segments[2].duration_ms = 4000;
  EXPECT_NE(RenderMediaPlaylist(p).find("#EXT-X-TARGETDURATION:4\n"), std::string::npos);
}

media::TrackDescription Video() {
  media::TrackDescription d;
  d.codecs = "avc1.64001f";
  d.width = 1280;
  d.height = 720;
  d.frame_rate = 29.97;
  return d;
}

media::TrackDescription Audio() {
  media::TrackDescription d;
  d.codecs = "mp4a.40.2";
  d.sample_rate = 44100;
  d.channels = 2;
  return d;
}

TEST(HlsPlaylistTest, MasterVideoOnly) {
  ExpectGolden(
      "hls_master_video.m3u8",
      RenderMasterPlaylist({.session_token = "TOKEN", .video = Video(), .bandwidth = 2'100'000}));
}

TEST(HlsPlaylistTest, MasterVideoAndAudioFmp4) {
  ExpectGolden(
      "hls_master_audio.m3u8",
      RenderMasterPlaylist(
          {.session_token = "TOKEN", .video = Video(), .audio = Audio(), .bandwidth = 2'230'000}));
}

TEST(HlsPlaylistTest, MasterVideoAndAudioTsIsMuxed) {
  ExpectGolden("hls_master_ts.m3u8", RenderMasterPlaylist({.session_token = "TOKEN",
                                                           .container = ContainerFormat::kMpegTs,
                                                           .video = Video(),
                                                           .audio = Audio(),
                                                           .bandwidth = 2'230'000}));
}

TEST(HlsPlaylistTest, MasterAudioOnly) {
  ExpectGolden(
      "hls_master_audio_only.m3u8",
      RenderMasterPlaylist({.session_token = "TOKEN", .audio = Audio(), .bandwidth = 130'000}));
}

}  // namespace
}  // namespace sluice::consumers::playback

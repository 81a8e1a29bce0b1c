// SPDX-License-Identifier: Apache-2.0
// DASH manifests against golden files: static (ON_DEMAND) and dynamic (LIVE), video + audio,
// kvs:ts / kvs:fn, a fragment without audio; ToTimescale on epoch-sized times.
#include "consumers/playback/dash_manifest.h"

#include <gtest/gtest.h>

#include "tests/consumers/playback_golden.h"

namespace sluice::consumers::playback {
namespace {

using testing::ExpectGolden;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kMediaStartNs = 1'700'000'000'000'000'000;  // an epoch-based MKV timeline

DashManifest Manifest(bool dynamic) {
  DashManifest m;
  m.session_token = "TOKEN";
  m.dynamic = dynamic;
  m.availability_start = TimestampMs(120);
  m.publish_time = TimestampMs(kT0 + 9000);
  DashTrack video;
  video.output_track = 1;
  video.description.codecs = "avc1.64000d";
  video.description.width = 320;
  video.description.height = 240;
  video.description.frame_rate = 25;
  video.header_version = 3;
  video.bandwidth = 250'000;
  m.tracks.push_back(video);
  DashTrack audio;
  audio.output_track = 2;
  audio.video = false;
  audio.description.codecs = "mp4a.40.2";
  audio.description.sample_rate = 44100;
  audio.description.channels = 1;
  audio.timescale = 44100;
  audio.header_version = 3;
  audio.bandwidth = 64'000;
  m.tracks.push_back(audio);
  for (int i = 0; i < 4; ++i) {
    DashSegment s;
    s.fragment_number = "9134385233318148191523539420314933655431934884" + std::to_string(i);
    s.time = TimestampMs(kT0 + 2000 * i);
    s.duration_ms = i == 1 ? 2040 : 2000;  // the next S still starts 2 s later: d follows t
    s.start_ns[0] = kMediaStartNs + int64_t{2'000'000'000} * i;
    s.start_ns[1] = i == 2 ? media::kUnknownTime : s.start_ns[0] + 23'000'000;
    m.segments.push_back(s);
  }
  return m;
}

TEST(DashManifestTest, StaticOnDemand) {
  ExpectGolden("dash_static.mpd", RenderMpd(Manifest(false)));
}

TEST(DashManifestTest, DynamicWithKvsAttributes) {
  DashManifest m = Manifest(true);
  m.display_timestamp = true;
  m.display_number = true;
  ExpectGolden("dash_dynamic.mpd", RenderMpd(m));
}

TEST(DashManifestTest, ToTimescaleKeepsEpochTimesExact) {
  EXPECT_EQ(ToTimescale(kMediaStartNs, 90000), int64_t{1'700'000'000} * 90000);
  EXPECT_EQ(ToTimescale(kMediaStartNs + 1'000'000'000 / 3 + 1, 90000),
            int64_t{1'700'000'000} * 90000 + 30000);
  EXPECT_EQ(ToTimescale(40'000'000, 44100), 1764);
  EXPECT_EQ(ToTimescale(-1, 90000), -1);
}

}  // namespace
}  // namespace sluice::consumers::playback

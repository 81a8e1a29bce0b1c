// SPDX-License-Identifier: Apache-2.0
// The remuxer's output timeline (media/remux_timing.h): ns -> ticks at epoch scale, dts derived
// from the pts order with and without B-frames, continuity between fragments timed separately,
// garbage times, audio snapped to its frame grid, and negative decode times clamped for fMP4.
#include "media/remux_timing.h"

#include <gtest/gtest.h>

namespace sluice::media::remux {
namespace {

constexpr int64_t kStep = 3600;  // 25 fps at 90 kHz

// Storage (decode) order of one x264 b-pyramid GOP: I0 P4 B2 b1 b3 P8 B6 b5 b7, in frames.
std::vector<int64_t> PyramidGop(int64_t first_frame) {
  std::vector<int64_t> pts;
  for (int64_t f : {0, 4, 2, 1, 3, 8, 6, 5, 7}) pts.push_back((first_frame + f) * kStep);
  return pts;
}

void ExpectValid(const std::vector<SampleTime>& t) {
  for (size_t i = 0; i < t.size(); ++i) {
    EXPECT_LE(t[i].dts, t[i].pts) << i;
    EXPECT_GT(t[i].duration, 0) << i;
    if (i > 0) {
      EXPECT_GT(t[i].dts, t[i - 1].dts) << i;
      EXPECT_EQ(t[i - 1].dts + t[i - 1].duration, t[i].dts) << i;
    }
  }
}

TEST(RemuxTimingTest, NanosecondsToTicksAtEpochScale) {
  EXPECT_EQ(NsToTicks(1'700'000'000'123'456'789, 90000), 153'000'000'011'111);
  EXPECT_EQ(NsToTicks(1'700'000'000'000'000'000, 44100), 74'970'000'000'000);
  EXPECT_EQ(NsToTicks(40'000'000, 90000), 3600);
  EXPECT_EQ(NsToTicks(5'555, 90000), 0);    // 0.49995 tick
  EXPECT_EQ(NsToTicks(5'556, 90000), 1);    // 0.50004 tick
  EXPECT_EQ(NsToTicks(-5'556, 90000), -1);  // symmetric
  EXPECT_EQ(NsToTicks(INT64_MAX, 1'000'000'000), INT64_MAX);
  EXPECT_EQ(RescaleTicks(1024, 44100, 90000), 2090);
}

TEST(RemuxTimingTest, WithoutBFramesDtsIsPts) {
  std::vector<int64_t> pts;
  for (int i = 0; i < 25; ++i) pts.push_back(1'000'000 + i * kStep);
  const std::vector<SampleTime> t = VideoSampleTimes(pts, 0, 90000);
  ASSERT_EQ(t.size(), 25u);
  for (size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(t[i].dts, pts[i]);
    EXPECT_EQ(t[i].pts, pts[i]);
    EXPECT_EQ(t[i].duration, kStep);
  }
}

TEST(RemuxTimingTest, BPyramidGetsReorderDepthTwo) {
  const std::vector<int64_t> pts = PyramidGop(100);
  const std::vector<SampleTime> t = VideoSampleTimes(pts, kStep, 90000);
  ASSERT_EQ(t.size(), pts.size());
  ExpectValid(t);
  // dts = sorted pts moved two frames later; the first two extrapolated.
  for (size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(t[i].dts, (100 + static_cast<int64_t>(i) - 2) * kStep) << i;
    EXPECT_EQ(t[i].pts, pts[i]);
  }
  EXPECT_EQ(t.back().duration, kStep);
}

TEST(RemuxTimingTest, FragmentsTimedSeparatelyContinue) {
  const std::vector<SampleTime> a = VideoSampleTimes(PyramidGop(0), 0, 90000);
  const std::vector<SampleTime> b = VideoSampleTimes(PyramidGop(9), 0, 90000);
  ExpectValid(a);
  ExpectValid(b);
  EXPECT_EQ(a.back().dts + a.back().duration, b.front().dts);
}

TEST(RemuxTimingTest, StepFromTheMedianGapWhenUnknown) {
  const std::vector<SampleTime> t = VideoSampleTimes(PyramidGop(0), 0, 90000);
  EXPECT_EQ(t.front().dts, -2 * kStep);
  const std::vector<SampleTime> one = VideoSampleTimes(std::vector<int64_t>{500}, 0, 90000);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].dts, 500);
  EXPECT_EQ(one[0].duration, 3000);  // 1/30 s when nothing says better
}

TEST(RemuxTimingTest, GarbageTimesStillGiveIncreasingDts) {
  for (const std::vector<int64_t>& pts :
       {std::vector<int64_t>{5, 5, 5, 5}, std::vector<int64_t>{100, 0, 50, 0, 100},
        std::vector<int64_t>{0, -9'000'000'000, 9'000'000'000, 1}}) {
    const std::vector<SampleTime> t = VideoSampleTimes(pts, 0, 90000);
    ASSERT_EQ(t.size(), pts.size());
    ExpectValid(t);
  }
  EXPECT_TRUE(VideoSampleTimes({}, 0, 90000).empty());
  EXPECT_TRUE(AudioSampleTimes({}, {}).empty());
}

TEST(RemuxTimingTest, AudioSnapsToItsFrameGridButKeepsGaps) {
  // AAC at 44.1 kHz, times rounded to ms on the way through MKV.
  std::vector<int64_t> pts;
  for (int i = 0; i < 10; ++i) {
    const int64_t ns = 1'700'000'000'000'000'000 + i * 1024 * 1'000'000'000LL / 44100;
    pts.push_back(NsToTicks(ns / 1'000'000 * 1'000'000, 44100));
  }
  pts.push_back(pts[0] + 14 * 1024);  // four frames missing
  const std::vector<int64_t> frames(pts.size(), 1024);
  const std::vector<SampleTime> t = AudioSampleTimes(pts, frames);
  ASSERT_EQ(t.size(), pts.size());
  ExpectValid(t);
  EXPECT_EQ(t[0].pts, pts[0]);
  for (size_t i = 1; i < 10; ++i) EXPECT_EQ(t[i].dts, t[0].dts + 1024 * static_cast<int64_t>(i));
  EXPECT_EQ(t[9].duration, 5 * 1024);
  EXPECT_EQ(t[10].pts, pts[10]);
  EXPECT_EQ(t[10].duration, 1024);
}

TEST(RemuxTimingTest, NegativeDecodeTimesClampToZero) {
  std::vector<SampleTime> t = VideoSampleTimes(PyramidGop(0), kStep, 90000);
  ASSERT_LT(t.front().dts, 0);
  ClampDtsToZero(&t);
  ExpectValid(t);
  EXPECT_EQ(t[0].dts, 0);
  EXPECT_EQ(t[1].dts, 1);
  EXPECT_EQ(t[2].dts, 2);
  EXPECT_EQ(t[3].dts, kStep);
  EXPECT_EQ(t[0].pts, 0);
}

TEST(RemuxTimingTest, CollectSkipsUnknownEmptyAndAbsurdTimes) {
  TrackInfo track;
  track.number = 1;
  track.default_duration_ns = 40'000'000;
  CodecConfig config;
  config.codec = Codec::kH264;
  Fragment f;
  f.cluster = std::string(100, 'x');
  auto add = [&](uint64_t number, int64_t pts, uint32_t size) {
    Frame fr;
    fr.track_number = number;
    fr.pts_ns = pts;
    fr.offset = 0;
    fr.size = size;
    f.frames.push_back(fr);
  };
  add(1, kUnknownTime, 10);  // leading unknown: dropped
  add(1, 1'000'000'000, 10);
  add(2, 1'020'000'000, 10);  // another track
  add(1, kUnknownTime, 10);   // laced: previous + DefaultDuration
  add(1, 1'080'000'000, 0);   // empty
  add(1, INT64_MAX - 1, 10);  // absurd
  add(1, 1'120'000'000, 10);
  const TrackSamples s = CollectSamples(f, track, config, 90000, 0);
  ASSERT_EQ(s.frames.size(), 3u);
  EXPECT_EQ(s.frames[0], &f.frames[1]);
  EXPECT_EQ(s.frames[1], &f.frames[3]);
  EXPECT_EQ(s.frames[2], &f.frames[6]);
  EXPECT_EQ(s.times[0].pts, 90000);
  EXPECT_EQ(s.times[1].pts, 93600);
  EXPECT_EQ(s.times[2].pts, 100800);
  // Relative to an origin (clips).
  EXPECT_EQ(CollectSamples(f, track, config, 90000, 1'000'000'000).times[0].pts, 0);
}

}  // namespace
}  // namespace sluice::media::remux

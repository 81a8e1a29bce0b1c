// SPDX-License-Identifier: Apache-2.0
// How long remuxing one 1 s 720p H.264 fragment takes (fMP4 media segment, MPEG-TS segment, MP4
// clip), printed for the README; only the output is checked, never the time.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "media/remux.h"
#include "tests/media/remux_test_util.h"

namespace sluice::media {
namespace {

template <typename F>
double MicrosPerCall(int calls, F f) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) f();
  const std::chrono::duration<double, std::micro> d = std::chrono::steady_clock::now() - start;
  return d.count() / calls;
}

TEST(RemuxPerfTest, OneSecondOf720p) {
  REQUIRE_FFMPEG();
  const testing::StoredStream s = testing::LoadStream("h264_720p");
  ASSERT_EQ(s.fragments.size(), 1u);
  const Fragment& f = s.fragments[0];
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(t.ok());
  const TrackHeader* h = &s.header;
  size_t bytes = 0;
  const double fmp4 = MicrosPerCall(50, [&] {
    Result<std::string> r = Fmp4MediaSegment(s.header, *t, f, 1, 1);
    ASSERT_TRUE(r.ok());
    bytes = r->size();
  });
  const double ts = MicrosPerCall(50, [&] { ASSERT_TRUE(TsSegment(s.header, *t, f, 0).ok()); });
  const double clip = MicrosPerCall(50, [&] {
    ASSERT_TRUE(
        Mp4Clip(std::span<const TrackHeader* const>(&h, 1), std::span<const Fragment>(&f, 1)).ok());
  });
  const double init =
      MicrosPerCall(50, [&] { ASSERT_TRUE(Fmp4InitSegment(s.header, *t, 1).ok()); });
  std::printf(
      "1 s 720p fragment, %zu frames, %zu bytes: fMP4 segment %.0f us, TS segment %.0f us, "
      "MP4 clip %.0f us, init segment %.0f us\n",
      f.frames.size(), bytes, fmp4, ts, clip, init);
}

}  // namespace
}  // namespace sluice::media

// SPDX-License-Identifier: Apache-2.0
// FrameSampler: the first frame of each 1/fps slot counted from the fragment start, the same
// frames whichever fragment a consumer starts at, every frame for fps <= 0.
#include "consumers/face_detect/frame_sampler.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::consumers::face_detect {
namespace {

constexpr int64_t kMs = 1'000'000;

std::vector<int64_t> Pick(FrameSampler* s, int64_t start_ms, const std::vector<int64_t>& ms) {
  s->StartFragment(start_ms * kMs);
  std::vector<int64_t> out;
  for (int64_t t : ms) {
    if (s->Want(t * kMs)) out.push_back(t);
  }
  return out;
}

TEST(FrameSamplerTest, FirstFrameOfEachSlot) {
  FrameSampler s(2);
  EXPECT_EQ(Pick(&s, 0, {0, 100, 200, 300, 400, 500, 600, 700, 800, 900}),
            (std::vector<int64_t>{0, 500}));
  // 30 fps: 33 ms frames; the slot boundary falls between frames.
  EXPECT_EQ(Pick(&s, 1000, {1000, 1033, 1467, 1500, 1533, 1967}),
            (std::vector<int64_t>{1000, 1500}));
  EXPECT_EQ(Pick(&s, 2000, {2010, 2490, 2510, 2990}), (std::vector<int64_t>{2010, 2510}));
}

TEST(FrameSamplerTest, DependsOnlyOnTheFragment) {
  FrameSampler a(3), b(3);
  Pick(&a, 0, {0, 100, 400, 700});  // a has seen an earlier fragment, b has not
  EXPECT_EQ(Pick(&a, 1000, {1000, 1200, 1340, 1700}), Pick(&b, 1000, {1000, 1200, 1340, 1700}));
}

TEST(FrameSamplerTest, FramesBeforeTheFragmentStart) {
  FrameSampler s(2);  // leading B-frames may carry a pts before the cluster timecode
  EXPECT_EQ(Pick(&s, 1000, {960, 1000, 1480, 1520}), (std::vector<int64_t>{960, 1000, 1520}));
}

TEST(FrameSamplerTest, EveryFrameWithoutARate) {
  FrameSampler s(0);
  EXPECT_EQ(Pick(&s, 0, {0, 1, 2}), (std::vector<int64_t>{0, 1, 2}));
}

}  // namespace
}  // namespace sluice::consumers::face_detect

// SPDX-License-Identifier: Apache-2.0
// FrameSampler (frame_sampler.h).
#include "consumers/face_detect/frame_sampler.h"

#include <cmath>

namespace sluice::consumers::face_detect {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

FrameSampler::FrameSampler(double fps)
    : interval_ns_(fps > 0 ? std::max<int64_t>(1, std::llround(1e9 / fps)) : 0) {}

void FrameSampler::StartFragment(int64_t start_ns) {
  start_ns_ = start_ns;
  last_slot_.reset();
}

bool FrameSampler::Want(int64_t pts_ns) {
  if (interval_ns_ == 0) return true;
  const int64_t slot = FloorDiv(pts_ns - start_ns_, interval_ns_);
  if (last_slot_ && slot <= *last_slot_) return false;
  last_slot_ = slot;
  return true;
}

}  // namespace sluice::consumers::face_detect

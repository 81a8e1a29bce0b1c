// SPDX-License-Identifier: Apache-2.0
// FrameSampler: picks frames at a fixed rate by pts. Slots of 1/fps seconds are counted from the
// start of each fragment and the first frame in each slot is taken, so the choice depends only on
// the fragment itself: a consumer restarted at any fragment picks exactly the frames an
// uninterrupted one would have.
// Example:
//   FrameSampler s(2.0);
//   s.StartFragment(fragment.start_ns);
//   decode_options.want = [&](int64_t pts) { return s.Want(pts); };
#pragma once

#include <cstdint>
#include <optional>

namespace sluice::consumers::face_detect {

class FrameSampler {
 public:
  // fps <= 0: every frame.
  explicit FrameSampler(double fps);

  void StartFragment(int64_t start_ns);
  // Call with each frame's pts in presentation order.
  bool Want(int64_t pts_ns);

 private:
  const int64_t interval_ns_;  // 0: every frame
  int64_t start_ns_ = 0;
  std::optional<int64_t> last_slot_;
};

}  // namespace sluice::consumers::face_detect

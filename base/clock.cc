// SPDX-License-Identifier: Apache-2.0
// SystemClock: the wall clock (CLOCK_REALTIME through std::chrono::system_clock) in milliseconds.
#include "base/clock.h"

#include <chrono>

namespace sluice {
namespace {

class SystemClockImpl final : public Clock {
 public:
  TimestampMs Now() const override {
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return TimestampMs(std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
  }
};

}  // namespace

Clock* SystemClock() {
  static SystemClockImpl* clock = new SystemClockImpl();  // never destroyed
  return clock;
}

}  // namespace sluice

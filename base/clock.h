// SPDX-License-Identifier: Apache-2.0
// Clock: wall-clock milliseconds behind an interface so that tests control time (retention,
// iterator expiry) without sleeping.
#pragma once

#include <atomic>

#include "base/ids.h"

namespace sluice {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimestampMs Now() const = 0;  // milliseconds since the Unix epoch
};

// The real clock. Never null; not owned by the caller.
Clock* SystemClock();

// A clock that only moves when told to. Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(TimestampMs start) : now_(start.value()) {}
  TimestampMs Now() const override { return TimestampMs(now_.load()); }
  void Advance(int64_t ms) { now_ += ms; }
  void Set(TimestampMs t) { now_ = t.value(); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace sluice

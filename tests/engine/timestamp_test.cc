// SPDX-License-Identifier: Apache-2.0
// AT_TIMESTAMP through the time index equals a brute-force scan on random data spanning many
// segments; arrival times are monotonic per shard even when the clock steps back.
#include <gtest/gtest.h>

#include <random>

#include "tests/engine/store_fixture.h"

namespace sluice::engine {
namespace {

class TimestampTest : public StoreTest {};

TEST_F(TimestampTest, AtTimestampMatchesBruteForceOnRandomData) {
  options_.segment_bytes = 16 * 1024;
  Open();
  StreamInfo info = Create("ts");
  std::mt19937 rng(42);
  for (int i = 0; i < 600; i++) {
    clock_.Advance(static_cast<int64_t>(rng() % 4 == 0 ? 0 : rng() % 30));
    std::string data(30 + rng() % 1500, 'd');
    ASSERT_TRUE(PutAndWait(store_.get(), "ts", {Rec("k", data)})[0].ok());
  }
  ASSERT_GT(Files(info, ".log").size(), 5u);
  auto all = ReadAll(store_.get(), "ts", ShardIndex(0));
  ASSERT_EQ(all.size(), 600u);
  const int64_t first = all.front().arrival.value();
  const int64_t last = all.back().arrival.value();
  auto brute = [&](int64_t t) -> uint64_t {
    for (const auto& r : all) {
      if (r.arrival.value() >= t) return r.counter.value();
    }
    return all.size();
  };
  for (int q = 0; q < 1500; q++) {
    int64_t t = first - 20 + static_cast<int64_t>(rng() % static_cast<uint32_t>(last - first + 40));
    if (q < 600) t = all[q].arrival.value();  // exact hits, including shared milliseconds
    auto got = store_->AtTimestamp("ts", ShardIndex(0), TimestampMs(t));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->value(), brute(t)) << "t=" << t;
  }
  // The same answers after a restart (indexes from sidecars and a rescan of the active segment).
  Reopen();
  for (int q = 0; q < 200; q++) {
    int64_t t = first + static_cast<int64_t>(rng() % static_cast<uint32_t>(last - first + 1));
    ASSERT_EQ(store_->AtTimestamp("ts", ShardIndex(0), TimestampMs(t))->value(), brute(t));
  }
}

TEST_F(TimestampTest, ArrivalIsMonotonicWhenTheClockStepsBack) {
  Open();
  Create("mono");
  auto a = PutMany("mono", 1);
  clock_.Advance(-60'000);
  auto b = PutMany("mono", 1);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_GE(b[0].arrival, a[0].arrival);
}

}  // namespace
}  // namespace sluice::engine

// SPDX-License-Identifier: Apache-2.0
// TimeIndex: sparse point placement, counter and time lookups against brute force, sidecar round
// trip and rejection of damaged sidecars.
#include "index/time_index.h"

#include <gtest/gtest.h>

#include <random>

#include "base/mem_env.h"

namespace sluice::index {
namespace {

struct Entry {
  uint64_t counter;
  int64_t time;
  uint64_t pos;
};

// Builds an index over `n` entries of random sizes and times; returns the entries too.
std::vector<Entry> Build(TimeIndex* tix, int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Entry> entries;
  uint64_t pos = 32;
  int64_t t = tix->base_time_ms();
  for (int i = 0; i < n; i++) {
    t += static_cast<int64_t>(rng() % 5);  // many entries share a millisecond
    uint64_t size = 20 + rng() % 3000;
    entries.push_back({tix->base_counter() + static_cast<uint64_t>(i), t, pos});
    tix->Add(entries.back().counter, t, pos, pos + size);
    pos += size;
  }
  return entries;
}

TEST(TimeIndexTest, FirstEntryAlwaysIndexedThenRoughlyEveryInterval) {
  TimeIndex tix(100, 1000);
  std::vector<Entry> e = Build(&tix, 2000, 1);
  ASSERT_GT(tix.size(), 0u);
  EXPECT_EQ(tix.PointAt(0).counter, 100u);
  EXPECT_EQ(tix.PointAt(0).position, 32u);
  const uint64_t bytes = e.back().pos - e.front().pos;
  EXPECT_LE(tix.size(), bytes / TimeIndex::kDefaultIntervalBytes + 1);
  EXPECT_GE(tix.size(), bytes / (TimeIndex::kDefaultIntervalBytes + 3100));
}

TEST(TimeIndexTest, FloorByCounterGivesClosestPointAtOrBefore) {
  TimeIndex tix(100, 1000);
  std::vector<Entry> e = Build(&tix, 3000, 2);
  EXPECT_FALSE(tix.FloorByCounter(99).has_value());
  for (const Entry& x : e) {
    auto p = tix.FloorByCounter(x.counter);
    ASSERT_TRUE(p.has_value());
    EXPECT_LE(p->counter, x.counter);
    EXPECT_LE(p->position, x.pos);
    // No later point also qualifies.
    auto next = tix.FloorByCounter(p->counter);
    EXPECT_EQ(next->counter, p->counter);
    EXPECT_LT(x.pos - p->position, TimeIndex::kDefaultIntervalBytes + 3100);
  }
}

TEST(TimeIndexTest, LastBeforeLeadsToTheBruteForceAnswer) {
  TimeIndex tix(0, 5000);
  std::vector<Entry> e = Build(&tix, 3000, 3);
  std::mt19937 rng(4);
  for (int q = 0; q < 2000; q++) {
    int64_t t = 4990 + static_cast<int64_t>(rng() % static_cast<uint32_t>(e.back().time - 4980));
    // Brute force: the first entry with time >= t.
    auto want = std::find_if(e.begin(), e.end(), [&](const Entry& x) { return x.time >= t; });
    auto p = tix.LastBefore(t);
    // Scan from the point (or the start) the way the engine does.
    size_t i = p ? static_cast<size_t>(p->counter) : 0;
    if (p) {
      ASSERT_LT(p->time_ms, t);
    }
    while (i < e.size() && e[i].time < t) i++;
    ASSERT_EQ(i, static_cast<size_t>(want - e.begin())) << "t=" << t;
  }
}

TEST(TimeIndexTest, FitsRejectsValuesBeyond32BitsOrBeforeTheBase) {
  TimeIndex tix(10, 1000);
  EXPECT_TRUE(tix.Fits(10, 1000));
  EXPECT_FALSE(tix.Fits(9, 1000));
  EXPECT_FALSE(tix.Fits(10, 999));
  EXPECT_FALSE(tix.Fits(10 + (uint64_t{1} << 32), 1000));
  EXPECT_FALSE(tix.Fits(10, 1000 + (int64_t{1} << 32)));
}

TEST(TimeIndexTest, SidecarRoundTripKeepsPointsAndSummary) {
  MemEnv env;
  TimeIndex tix(7, 123456);
  std::vector<Entry> e = Build(&tix, 500, 5);
  SegmentSummary summary{7 + 500, e.back().time, e.back().pos + 100};
  ASSERT_TRUE(tix.WriteSidecar(&env, "/d/x.tix", summary).ok());
  auto loaded = TimeIndex::ReadSidecar(&env, "/d/x.tix");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->summary.end_counter, summary.end_counter);
  EXPECT_EQ(loaded->summary.last_time_ms, summary.last_time_ms);
  EXPECT_EQ(loaded->summary.segment_bytes, summary.segment_bytes);
  ASSERT_EQ(loaded->index.size(), tix.size());
  for (size_t i = 0; i < tix.size(); i++) {
    EXPECT_EQ(loaded->index.PointAt(i).counter, tix.PointAt(i).counter);
    EXPECT_EQ(loaded->index.PointAt(i).time_ms, tix.PointAt(i).time_ms);
    EXPECT_EQ(loaded->index.PointAt(i).position, tix.PointAt(i).position);
  }
}

TEST(TimeIndexTest, DamagedSidecarIsDataLoss) {
  TimeIndex tix(0, 0);
  Build(&tix, 300, 6);
  std::string good = tix.Encode({300, 10000, 1 << 30});
  ASSERT_TRUE(TimeIndex::Decode(good).ok());
  for (size_t at : {size_t{0}, size_t{9}, size_t{20}, good.size() / 2, good.size() - 1}) {
    std::string bad = good;
    bad[at] ^= 0x40;
    EXPECT_EQ(TimeIndex::Decode(bad).status().code(), StatusCode::kDataLoss) << "byte " << at;
  }
  EXPECT_EQ(TimeIndex::Decode(good.substr(0, good.size() - 3)).status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(TimeIndex::Decode("").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace sluice::index

// SPDX-License-Identifier: Apache-2.0
// Fragment selection over made-up index pages: oldest N, newest N with growing windows, the
// producer-timestamp de-duplication across page boundaries.
#include <gtest/gtest.h>

#include <algorithm>

#include "consumers/playback/fragment_listing.h"

namespace sluice::consumers::playback {
namespace {

using index::FragmentRow;
using index::TimeAxis;

// An in-memory index with the real paging contract (ordered by time then counter, cursor = last
// row of the page, small pages to exercise paging).
struct FakeIndex {
  std::vector<FragmentRow> rows;
  size_t page_rows = 3;
  int calls = 0;

  ListFn Fn() {
    return [this](const index::TimeRangeQuery& q) -> Result<index::FragmentPage> {
      ++calls;
      std::vector<FragmentRow> sorted = rows;
      std::sort(sorted.begin(), sorted.end(), [&](const FragmentRow& a, const FragmentRow& b) {
        return std::make_pair(AxisTime(a, q.axis), a.counter.value()) <
               std::make_pair(AxisTime(b, q.axis), b.counter.value());
      });
      index::FragmentPage page;
      const size_t limit = std::min(q.limit, page_rows);
      for (const FragmentRow& r : sorted) {
        const int64_t t = AxisTime(r, q.axis);
        if (t < q.start.value() || t > q.end.value()) continue;
        if (q.after && std::make_pair(t, r.counter.value()) <=
                           std::make_pair(q.after->time_ms, q.after->counter)) {
          continue;
        }
        if (page.rows.size() == limit) {
          page.next = index::FragmentCursor{AxisTime(page.rows.back(), q.axis),
                                            page.rows.back().counter.value()};
          break;
        }
        page.rows.push_back(r);
      }
      return page;
    };
  }
  void Add(uint64_t counter, int64_t server, int64_t producer) {
    FragmentRow r;
    r.counter = EntryCounter(counter);
    r.fragment_number = std::to_string(counter);
    r.server_time = TimestampMs(server);
    r.producer_time = TimestampMs(producer);
    r.duration_ms = 1000;
    rows.push_back(r);
  }
};

std::vector<uint64_t> Counters(const Result<std::vector<FragmentRow>>& r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<uint64_t> out;
  if (r.ok()) {
    for (const FragmentRow& row : *r) out.push_back(row.counter.value());
  }
  return out;
}

TEST(PlaybackListingTest, OldestOfARange) {
  FakeIndex idx;
  for (int i = 0; i < 10; ++i) idx.Add(i, 1000 * i, 1000 * i);
  using V = std::vector<uint64_t>;
  EXPECT_EQ(Counters(OldestFragments(idx.Fn(), TimeAxis::kServer, TimestampMs(2000),
                                     TimestampMs(8000), 4)),
            (V{2, 3, 4, 5}));
  EXPECT_EQ(Counters(OldestFragments(idx.Fn(), TimeAxis::kServer, TimestampMs(2500),
                                     TimestampMs(4000), 100)),
            (V{3, 4}));
  EXPECT_EQ(Counters(OldestFragments(idx.Fn(), TimeAxis::kServer, TimestampMs(20000),
                                     TimestampMs(30000), 5)),
            V{});
}

TEST(PlaybackListingTest, ProducerAxisKeepsTheHighestNumberOfEqualStarts) {
  FakeIndex idx;
  // A producer restart re-sent the fragments at 2000 and 3000 (counters 5, 6) after 0..3.
  idx.Add(0, 0, 0);
  idx.Add(1, 1000, 1000);
  idx.Add(2, 2000, 2000);
  idx.Add(3, 3000, 3000);
  idx.Add(5, 5000, 2000);
  idx.Add(6, 6000, 3000);
  idx.Add(7, 7000, 4000);
  idx.Add(8, 7500, 4000);
  idx.Add(9, 7600, 4000);
  using V = std::vector<uint64_t>;
  EXPECT_EQ(Counters(OldestFragments(idx.Fn(), TimeAxis::kProducer, TimestampMs(0),
                                     TimestampMs(10000), 100)),
            (V{0, 1, 5, 6, 9}));
  // The limit counts distinct starts, even when duplicates straddle pages.
  for (size_t page = 1; page <= 4; ++page) {
    idx.page_rows = page;
    EXPECT_EQ(Counters(OldestFragments(idx.Fn(), TimeAxis::kProducer, TimestampMs(0),
                                       TimestampMs(10000), 3)),
              (V{0, 1, 5}))
        << page;
    EXPECT_EQ(Counters(OldestFragments(idx.Fn(), TimeAxis::kProducer, TimestampMs(0),
                                       TimestampMs(10000), 5)),
              (V{0, 1, 5, 6, 9}))
        << page;
  }
  // The server axis keeps every fragment.
  EXPECT_EQ(Counters(OldestFragments(idx.Fn(), TimeAxis::kServer, TimestampMs(0),
                                     TimestampMs(10000), 100))
                .size(),
            9u);
}

TEST(PlaybackListingTest, NewestGrowsItsWindowOnlyWhenNeeded) {
  FakeIndex idx;
  idx.page_rows = 1000;
  const int64_t now = 10'000'000;
  for (int i = 0; i < 200; ++i) idx.Add(i, now - 1000 * (199 - i), 0);
  using V = std::vector<uint64_t>;
  EXPECT_EQ(Counters(NewestFragments(idx.Fn(), TimeAxis::kServer, kEarliestTime, kLatestTime,
                                     TimestampMs(now), 3)),
            (V{197, 198, 199}));
  EXPECT_EQ(idx.calls, 1);
  idx.calls = 0;
  auto many = NewestFragments(idx.Fn(), TimeAxis::kServer, kEarliestTime, kLatestTime,
                              TimestampMs(now), 150);
  EXPECT_EQ(Counters(many).front(), 50u);
  EXPECT_EQ(Counters(many).size(), 150u);
  EXPECT_EQ(idx.calls, 2);  // 60 s, then 240 s
  // A silent stream: the newest fragments are found however old they are.
  EXPECT_EQ(Counters(NewestFragments(idx.Fn(), TimeAxis::kServer, kEarliestTime, kLatestTime,
                                     TimestampMs(now + 400LL * 24 * 3600 * 1000), 2)),
            (V{198, 199}));
  // A ceiling and a floor (LIVE_REPLAY): newest at or below the ceiling, none below the floor.
  EXPECT_EQ(Counters(NewestFragments(idx.Fn(), TimeAxis::kServer, TimestampMs(now - 10'000),
                                     TimestampMs(now - 5000), TimestampMs(now - 5000), 3)),
            (V{192, 193, 194}));
  EXPECT_EQ(Counters(NewestFragments(idx.Fn(), TimeAxis::kServer, TimestampMs(now - 10'000),
                                     TimestampMs(now - 8500), TimestampMs(now - 8500), 5)),
            (V{189, 190}));
  EXPECT_EQ(Counters(NewestFragments(idx.Fn(), TimeAxis::kServer, TimestampMs(now),
                                     TimestampMs(now - 1), TimestampMs(now), 5)),
            V{});
}

}  // namespace
}  // namespace sluice::consumers::playback

// SPDX-License-Identifier: Apache-2.0
// FragmentIndex: inserts, lookups on both time axes and by counter, pagination against brute
// force, deletes for retention and lost tails, header interning, reopen.
#include "index/fragment_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "tests/support/temp_dir.h"

namespace sluice::index {
namespace {

FragmentRow Row(int64_t stream, uint64_t counter, int64_t producer_ms, int64_t server_ms) {
  FragmentRow r;
  r.stream = StreamId(stream);
  r.counter = EntryCounter(counter);
  r.fragment_number = "4900000000000000000000" + std::to_string(counter);
  r.producer_time = TimestampMs(producer_ms);
  r.server_time = TimestampMs(server_ms);
  r.duration_ms = 1000;
  r.size_bytes = 1000 + counter;
  r.header_version = 1;
  r.key_frame = counter % 2 == 0;
  return r;
}

class FragmentIndexTest : public ::testing::Test {
 protected:
  FragmentIndexTest() { Open(); }
  void Open() {
    idx_.reset();
    auto r = FragmentIndex::Open(dir_.path() + "/fragments.db");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    idx_ = std::move(*r);
  }
  sluice::testing::TempDir dir_;
  std::unique_ptr<FragmentIndex> idx_;
};

TEST_F(FragmentIndexTest, LookupsByCounterAndTime) {
  std::vector<FragmentRow> rows;
  for (uint64_t c = 0; c < 10; c++) rows.push_back(Row(1, c, 1000 * c, 50000 + 1000 * c));
  rows.push_back(Row(2, 0, 5, 5));  // another stream never shows up
  ASSERT_TRUE(idx_->Insert(rows).ok());
  const StreamId s(1);
  EXPECT_EQ(**idx_->ByCounter(s, EntryCounter(4)), rows[4]);
  EXPECT_FALSE(idx_->ByCounter(s, EntryCounter(40))->has_value());
  EXPECT_EQ((*idx_->FirstAfter(s, EntryCounter(4)))->counter, EntryCounter(5));
  EXPECT_FALSE(idx_->FirstAfter(s, EntryCounter(9))->has_value());
  EXPECT_EQ((*idx_->Earliest(s))->counter, EntryCounter(0));
  EXPECT_EQ((*idx_->Latest(s))->counter, EntryCounter(9));
  EXPECT_EQ(**idx_->LastCounter(s), EntryCounter(9));
  EXPECT_EQ(*idx_->Count(s), 10u);
  EXPECT_EQ((*idx_->FirstAtOrAfter(s, TimeAxis::kProducer, TimestampMs(2500)))->counter,
            EntryCounter(3));
  EXPECT_EQ((*idx_->FirstAtOrAfter(s, TimeAxis::kServer, TimestampMs(53000)))->counter,
            EntryCounter(3));
  EXPECT_EQ((*idx_->LastAtOrBefore(s, TimeAxis::kProducer, TimestampMs(2500)))->counter,
            EntryCounter(2));
  EXPECT_FALSE(idx_->LastAtOrBefore(s, TimeAxis::kServer, TimestampMs(100))->has_value());
  EXPECT_EQ(idx_->ListFromCounter(s, EntryCounter(7), 100)->size(), 3u);
  EXPECT_EQ(*idx_->Streams(), (std::vector<StreamId>{StreamId(1), StreamId(2)}));
  // Insert replaces a row with the same key.
  FragmentRow changed = rows[4];
  changed.size_bytes = 77;
  ASSERT_TRUE(idx_->Insert({changed}).ok());
  EXPECT_EQ((*idx_->ByCounter(s, EntryCounter(4)))->size_bytes, 77u);
  EXPECT_EQ(*idx_->Count(s), 10u);
}

TEST_F(FragmentIndexTest, PaginationMatchesBruteForceWithTies) {
  std::mt19937 rng(5);
  std::vector<FragmentRow> rows;
  for (uint64_t c = 0; c < 500; c++) {
    rows.push_back(Row(3, c, static_cast<int64_t>(rng() % 200), static_cast<int64_t>(c / 3)));
  }
  ASSERT_TRUE(idx_->Insert(rows).ok());
  for (TimeAxis axis : {TimeAxis::kProducer, TimeAxis::kServer}) {
    const auto time = [&](const FragmentRow& r) {
      return axis == TimeAxis::kProducer ? r.producer_time.value() : r.server_time.value();
    };
    std::vector<FragmentRow> want;
    for (const FragmentRow& r : rows) {
      if (time(r) >= 40 && time(r) <= 120) want.push_back(r);
    }
    std::sort(want.begin(), want.end(), [&](const FragmentRow& a, const FragmentRow& b) {
      return std::make_pair(time(a), a.counter) < std::make_pair(time(b), b.counter);
    });
    std::vector<FragmentRow> got;
    TimeRangeQuery q{StreamId(3), axis, TimestampMs(40), TimestampMs(120), std::nullopt, 7};
    for (int pages = 0; pages < 1000; pages++) {
      auto page = idx_->ListByTime(q);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      got.insert(got.end(), page->rows.begin(), page->rows.end());
      if (!page->next) break;
      EXPECT_EQ(page->rows.size(), 7u);
      q.after = page->next;
    }
    EXPECT_EQ(got, want);
  }
  EXPECT_FALSE(idx_->ListByTime({StreamId(3), TimeAxis::kServer, TimestampMs(0), TimestampMs(9),
                                 std::nullopt, 0})
                   .ok());
}

TEST_F(FragmentIndexTest, DeletesForRetentionLostTailsAndDroppedStreams) {
  std::vector<FragmentRow> rows;
  for (uint64_t c = 0; c < 10; c++) rows.push_back(Row(1, c, c, c));
  ASSERT_TRUE(idx_->Insert(rows).ok());
  ASSERT_TRUE(idx_->InternHeader(StreamId(1), "header").ok());
  EXPECT_EQ(*idx_->DeleteBefore(StreamId(1), EntryCounter(3)), 3u);
  EXPECT_EQ(*idx_->DeleteFrom(StreamId(1), EntryCounter(8)), 2u);
  EXPECT_EQ(*idx_->Count(StreamId(1)), 5u);
  EXPECT_EQ((*idx_->Earliest(StreamId(1)))->counter, EntryCounter(3));
  ASSERT_TRUE(idx_->DropStream(StreamId(1)).ok());
  EXPECT_EQ(*idx_->Count(StreamId(1)), 0u);
  EXPECT_FALSE(idx_->LatestHeader(StreamId(1))->has_value());
  EXPECT_TRUE(idx_->Streams()->empty());
}

TEST_F(FragmentIndexTest, HeadersAreInternedByContentAndSurviveReopen) {
  const StreamId s(9);
  EXPECT_EQ(*idx_->InternHeader(s, "A"), 1u);
  EXPECT_EQ(*idx_->InternHeader(s, "A"), 1u);  // same as the latest: reused
  EXPECT_EQ(*idx_->InternHeader(s, "B"), 2u);
  EXPECT_EQ(*idx_->InternHeader(s, "A"), 3u);  // only the latest is compared
  EXPECT_EQ(*idx_->InternHeader(StreamId(10), "A"), 1u);
  ASSERT_TRUE(idx_->Insert({Row(9, 0, 1, 1)}).ok());
  Open();
  EXPECT_EQ((*idx_->Header(s, 2))->bytes, "B");
  EXPECT_FALSE(idx_->Header(s, 4)->has_value());
  EXPECT_EQ((*idx_->LatestHeader(s))->version, 3u);
  EXPECT_EQ(*idx_->Count(s), 1u);
  EXPECT_EQ(*idx_->InternHeader(s, std::string("\0\1", 2)), 4u);  // binary-safe
  EXPECT_EQ((*idx_->Header(s, 4))->bytes, std::string("\0\1", 2));
}

TEST_F(FragmentIndexTest, ForeignFileIsRefused) {
  const std::string path = dir_.path() + "/not-a-db";
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("this is not an SQLite database, just some text long enough to look like a header", f);
  fclose(f);
  auto r = FragmentIndex::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
}

// Insert cost, one row per transaction as the PutMedia session writes them, and in batches.
TEST_F(FragmentIndexTest, InsertThroughput) {
  constexpr int kRows = 2000;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kRows; i++) {
    ASSERT_TRUE(idx_->Insert({Row(4, static_cast<uint64_t>(i), i * 1000, i * 1000)}).ok());
  }
  auto t1 = std::chrono::steady_clock::now();
  std::vector<FragmentRow> batch;
  for (int i = 0; i < kRows; i++) batch.push_back(Row(5, static_cast<uint64_t>(i), i, i));
  ASSERT_TRUE(idx_->Insert(batch).ok());
  auto t2 = std::chrono::steady_clock::now();
  for (int i = 0; i < kRows; i++) {
    ASSERT_TRUE(idx_->FirstAtOrAfter(StreamId(4), TimeAxis::kProducer, TimestampMs(i * 997)).ok());
  }
  auto t3 = std::chrono::steady_clock::now();
  const auto us = [](auto d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  };
  std::printf(
      "fragment index: %.1f us/row single-row commits, %.2f us/row batched, "
      "%.1f us/time lookup\n",
      double(us(t1 - t0)) / kRows, double(us(t2 - t1)) / kRows, double(us(t3 - t2)) / kRows);
  EXPECT_EQ(*idx_->Count(StreamId(4)), uint64_t{kRows});
}

}  // namespace
}  // namespace sluice::index

// SPDX-License-Identifier: Apache-2.0
// Retention: exactly the expired whole segments go; an expired active segment is rolled first, and
// counters are never reused afterwards, also across a restart.
#include <gtest/gtest.h>

#include "tests/engine/store_fixture.h"

namespace sluice::engine {
namespace {

class RetentionTest : public StoreTest {};

TEST_F(RetentionTest, DeletesExactlyTheExpiredSegments) {
  Open();
  StreamInfo info = Create("ret");  // 24 h retention, segments roll after 1 h
  PutMany("ret", 3, 100, "a");      // segment 1: counters 0-2 at T0
  clock_.Advance(2 * kHourMs);
  PutMany("ret", 3, 100, "b");  // segment 2: counters 3-5 at T0+2h
  clock_.Advance(2 * kHourMs);
  PutMany("ret", 3, 100, "c");  // segment 3 (active): counters 6-8 at T0+4h
  ASSERT_EQ(Files(info, ".log").size(), 3u);

  clock_.Set(TimestampMs(kStartMs + 25 * kHourMs));  // cutoff T0+1h: only segment 1 expired
  ASSERT_TRUE(store_->RunRetentionOnce().ok());
  EXPECT_EQ(Files(info, ".log").size(), 2u);
  EXPECT_EQ(store_->TrimHorizon("ret", ShardIndex(0))->value(), 3u);
  auto got = ReadAll(store_.get(), "ret", ShardIndex(0));  // from 0: starts at the horizon
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got.front().counter.value(), 3u);
  EXPECT_EQ(got.front().data.substr(0, 2), "b0");

  clock_.Set(TimestampMs(kStartMs + 27 * kHourMs));  // cutoff T0+3h: segment 2 only
  ASSERT_TRUE(store_->RunRetentionOnce().ok());
  EXPECT_EQ(store_->TrimHorizon("ret", ShardIndex(0))->value(), 6u);
  EXPECT_EQ(ReadAll(store_.get(), "ret", ShardIndex(0)).size(), 3u);
}

TEST_F(RetentionTest, CountersAreNeverReusedAfterEverythingExpired) {
  Open();
  StreamInfo info = Create("all");
  PutMany("all", 5);
  clock_.Advance(30 * kHourMs);
  ASSERT_TRUE(store_->RunRetentionOnce().ok());
  EXPECT_EQ(Files(info, ".log").size(), 1u);  // only the new, empty active segment
  EXPECT_EQ(store_->TrimHorizon("all", ShardIndex(0))->value(), 5u);
  EXPECT_EQ(store_->Tip("all", ShardIndex(0))->value(), 5u);
  EXPECT_TRUE(ReadAll(store_.get(), "all", ShardIndex(0)).empty());
  Reopen();  // the empty segment's name carries the next counter across the restart
  EXPECT_EQ(store_->Tip("all", ShardIndex(0))->value(), 5u);
  auto r = PutAndWait(store_.get(), "all", {Rec("k", "v")});
  ASSERT_TRUE(r[0].ok());
  EXPECT_EQ(r[0]->counter.value(), 5u);
  clock_.Advance(30 * kHourMs);
  ASSERT_TRUE(store_->RunRetentionOnce().ok());
  Reopen();
  r = PutAndWait(store_.get(), "all", {Rec("k", "v2")});
  ASSERT_TRUE(r[0].ok());
  EXPECT_EQ(r[0]->counter.value(), 6u);
}

TEST_F(RetentionTest, LongerRetentionKeepsData) {
  Open();
  Create("long");
  ASSERT_TRUE(store_->SetRetentionHours("long", 48).ok());
  PutMany("long", 4);
  clock_.Advance(30 * kHourMs);
  ASSERT_TRUE(store_->RunRetentionOnce().ok());
  EXPECT_EQ(ReadAll(store_.get(), "long", ShardIndex(0)).size(), 4u);
}

}  // namespace
}  // namespace sluice::engine

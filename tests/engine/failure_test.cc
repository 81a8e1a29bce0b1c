// SPDX-License-Identifier: Apache-2.0
// Disk failures: a failed fsync fails every pending put and stops the shard; a full disk fails the
// put without leaving a partial entry, and the shard works again once space returns.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "tests/engine/store_fixture.h"

namespace sluice::engine {
namespace {

class FailureTest : public StoreTest {};

TEST_F(FailureTest, FsyncFailureFailsPendingPutsAndStopsTheShard) {
  Open();
  Create("f");
  PutMany("f", 3);
  env_.FailSyncs(1);
  std::mutex mu;
  std::vector<Result<Appended>> results;
  std::atomic<int> done{0};
  for (int i = 0; i < 5; i++) {
    store_->Put("f", {Rec("k", "pending" + std::to_string(i))}, [&](PutResults r) {
      std::lock_guard<std::mutex> l(mu);
      results.push_back(r[0]);
      done++;
    });
  }
  ASSERT_TRUE(WaitFor([&] { return done.load() == 5; }));
  for (auto& r : results) {
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(r.status().code() == StatusCode::kInternal ||
                r.status().code() == StatusCode::kUnavailable)
        << r.status().ToString();
  }
  // Nothing of it is visible, now or after later syncs would succeed.
  EXPECT_EQ(store_->Tip("f", ShardIndex(0))->value(), 3u);
  EXPECT_EQ(ReadAll(store_.get(), "f", ShardIndex(0)).size(), 3u);
  auto again = PutAndWait(store_.get(), "f", {Rec("k", "later")});
  EXPECT_EQ(again[0].status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store_->Tip("f", ShardIndex(0))->value(), 3u);
  // A restart re-reads the disk and the shard takes writes again.
  CrashAndReopen();
  auto after = PutAndWait(store_.get(), "f", {Rec("k", "after restart")});
  ASSERT_TRUE(after[0].ok()) << after[0].status().ToString();
  EXPECT_EQ(after[0]->counter.value(), 3u);
}

TEST_F(FailureTest, DiskFullFailsThePutWithoutAPartialEntry) {
  Open();
  StreamInfo info = Create("full");
  PutMany("full", 2);
  const std::string seg = Files(info, ".log").back();
  const uint64_t size = *env_.FileSize(seg);
  env_.SetWriteBudget(50);
  auto r = PutAndWait(store_.get(), "full",
                      {Rec("a", std::string(1000, 'x')), Rec("b", std::string(1000, 'y'))});
  EXPECT_EQ(r[0].status().code(), StatusCode::kResourceExhausted) << r[0].status().ToString();
  EXPECT_EQ(r[1].status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(*env_.FileSize(seg), size);  // the short write was cut back
  EXPECT_EQ(store_->Tip("full", ShardIndex(0))->value(), 2u);
  env_.SetWriteBudget(std::nullopt);
  auto ok = PutAndWait(store_.get(), "full", {Rec("c", "fits now")});
  ASSERT_TRUE(ok[0].ok()) << ok[0].status().ToString();
  EXPECT_EQ(ok[0]->counter.value(), 2u);  // the failed records used no counters
  Reopen();
  auto got = ReadAll(store_.get(), "full", ShardIndex(0));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].data, "fits now");
}

TEST_F(FailureTest, NeverPolicyAcknowledgesWithoutFsync) {
  Open();
  FsyncPolicy never;
  never.kind = FsyncPolicy::Kind::kNever;
  Create("n", 1, never);
  const uint64_t syncs = env_.sync_count();
  auto acked = PutMany("n", 20);
  EXPECT_EQ(acked.size(), 20u);
  EXPECT_EQ(env_.sync_count(), syncs);
  EXPECT_EQ(ReadAll(store_.get(), "n", ShardIndex(0)).size(), 20u);
}

TEST_F(FailureTest, IntervalPolicySyncsInTheBackground) {
  Open();
  FsyncPolicy interval;
  interval.kind = FsyncPolicy::Kind::kInterval;
  interval.interval_ms = 5;
  Create("i", 1, interval);
  const uint64_t syncs = env_.sync_count();
  PutMany("i", 5);
  EXPECT_TRUE(WaitFor([&] { return env_.sync_count() > syncs; }));
}

TEST_F(FailureTest, CallsAfterCloseAreCancelled) {
  Open();
  Create("c");
  ASSERT_TRUE(store_->Close().ok());
  auto r = PutAndWait(store_.get(), "c", {Rec("k", "v")});
  EXPECT_EQ(r[0].status().code(), StatusCode::kCancelled);
  EXPECT_EQ(store_->DescribeStream("c").status().code(), StatusCode::kCancelled);
  EXPECT_TRUE(store_->Close().ok());  // idempotent
}

}  // namespace
}  // namespace sluice::engine

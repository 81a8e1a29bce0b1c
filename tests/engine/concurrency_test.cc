// SPDX-License-Identifier: Apache-2.0
// Concurrent writers: dense counters, one callback per put, group commit sharing fsyncs; watchers
// fire when new data becomes visible.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "tests/engine/store_fixture.h"

namespace sluice::engine {
namespace {

class ConcurrencyTest : public StoreTest {};

TEST_F(ConcurrencyTest, EightWritersGetDenseCountersAndShareFsyncs) {
  options_.segment_bytes = 64 * 1024;  // rolls happen under load too
  Open();
  Create("c");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 400;
  const uint64_t syncs_before = env_.sync_count();
  std::mutex mu;
  std::vector<uint64_t> counters;
  std::atomic<int> callbacks{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; i++) {
        store_->Put("c", {Rec("t" + std::to_string(t), std::string(200, 'x'))}, [&](PutResults r) {
          if (!r[0].ok()) failures++;
          {
            std::lock_guard<std::mutex> l(mu);
            if (r[0].ok()) counters.push_back(r[0]->counter.value());
          }
          callbacks++;
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(WaitFor([&] { return callbacks.load() == kThreads * kPerThread; }));
  EXPECT_EQ(failures.load(), 0);
  std::sort(counters.begin(), counters.end());
  ASSERT_EQ(counters.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < counters.size(); i++) ASSERT_EQ(counters[i], i);
  const uint64_t syncs = env_.sync_count() - syncs_before;
  EXPECT_LT(syncs, static_cast<uint64_t>(kThreads * kPerThread));
  std::printf("group commit: %d puts, %llu fsyncs\n", kThreads * kPerThread,
              static_cast<unsigned long long>(syncs));
  EXPECT_EQ(ReadAll(store_.get(), "c", ShardIndex(0)).size(), counters.size());
  // Every callback ran exactly once: no more arrive later.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(callbacks.load(), kThreads * kPerThread);
}

TEST_F(ConcurrencyTest, WatchersFireOnNewDataAndStopAfterUnwatch) {
  Open();
  Create("w", 2);
  std::atomic<int> fired{0};
  auto id = store_->WatchShard("w", ShardIndex(0), [&] { fired++; });
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(PutToShardAndWait(store_.get(), "w", ShardIndex(0), {Rec("k", "v")})[0].ok());
  EXPECT_TRUE(WaitFor([&] { return fired.load() >= 1; }));
  // Data on another shard does not wake this watcher.
  const int seen = fired.load();
  ASSERT_TRUE(PutToShardAndWait(store_.get(), "w", ShardIndex(1), {Rec("k", "v")})[0].ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(fired.load(), seen);
  store_->Unwatch(*id);
  ASSERT_TRUE(PutToShardAndWait(store_.get(), "w", ShardIndex(0), {Rec("k", "v")})[0].ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(fired.load(), seen);
  EXPECT_EQ(store_->WatchShard("w", ShardIndex(9), [] {}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sluice::engine

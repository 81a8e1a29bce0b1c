// SPDX-License-Identifier: Apache-2.0
// SegmentCache: hits, LRU eviction by bytes, oversize entries, errors not cached, and
// single-flight production under concurrency.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "consumers/playback/segment_cache.h"

namespace sluice::consumers::playback {
namespace {

SegmentKey Key(uint64_t id, uint64_t track = 1) {
  return {.stream = 1, .kind = SegmentKind::kFmp4, .id = id, .track = track};
}

TEST(SegmentCacheTest, HitsAfterTheFirstProduction) {
  SegmentCache cache(1000);
  int made = 0;
  auto produce = [&]() -> Result<std::string> {
    ++made;
    return std::string(100, 'x');
  };
  ASSERT_TRUE(cache.Get(Key(1), produce).ok());
  auto again = cache.Get(Key(1), produce);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->size(), 100u);
  EXPECT_EQ(made, 1);
  ASSERT_TRUE(cache.Get(Key(1, 2), produce).ok());  // another track is another segment
  EXPECT_EQ(made, 2);
  const SegmentCacheStats s = cache.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.bytes, 200u);
  EXPECT_EQ(s.entries, 2u);
}

TEST(SegmentCacheTest, EvictsTheLeastRecentlyUsedByBytes) {
  SegmentCache cache(300);
  auto of = [](char c) { return [c]() -> Result<std::string> { return std::string(100, c); }; };
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(cache.Get(Key(i), of('a')).ok());
  ASSERT_TRUE(cache.Get(Key(0), of('z')).ok());  // touch 0: 1 is now the oldest
  ASSERT_TRUE(cache.Get(Key(3), of('d')).ok());
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.stats().bytes, 300u);
  int made = 0;
  auto count = [&]() -> Result<std::string> {
    ++made;
    return std::string(100, 'n');
  };
  ASSERT_TRUE(cache.Get(Key(0), count).ok());
  ASSERT_TRUE(cache.Get(Key(2), count).ok());
  EXPECT_EQ(made, 0);
  ASSERT_TRUE(cache.Get(Key(1), count).ok());
  EXPECT_EQ(made, 1);

  auto big = cache.Get(Key(9), []() -> Result<std::string> { return std::string(301, 'b'); });
  ASSERT_TRUE(big.ok());
  EXPECT_EQ((*big)->size(), 301u);
  EXPECT_LE(cache.stats().bytes, 300u);
  cache.DropStream(1);
  EXPECT_EQ(cache.stats().bytes, 0u);
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(SegmentCacheTest, ErrorsAreNotCached) {
  SegmentCache cache(1000);
  int calls = 0;
  auto failing = [&]() -> Result<std::string> {
    ++calls;
    return InvalidArgumentError("no samples");
  };
  EXPECT_EQ(cache.Get(Key(1), failing).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cache.Get(Key(1), failing).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(SegmentCacheTest, ConcurrentRequestsProduceOnce) {
  SegmentCache cache(1 << 20);
  std::atomic<int> made{0};
  std::atomic<bool> release{false};
  auto slow = [&]() -> Result<std::string> {
    ++made;
    while (!release.load()) std::this_thread::yield();
    return std::string(1000, 's');
  };
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = cache.Get(Key(7), slow);
      if (r.ok() && (*r)->size() == 1000) ++ok;
    });
  }
  // Let every thread reach the cache before the one production finishes.
  while (cache.stats().joins + cache.stats().misses < 8) std::this_thread::yield();
  release = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(made.load(), 1);
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(cache.stats().misses, 1u);
  EXPECT_EQ(cache.stats().joins, 7u);
}

}  // namespace
}  // namespace sluice::consumers::playback

// SPDX-License-Identifier: Apache-2.0
// Hash-key routing: the AWS split of the key space, and Put routing by MD5 and explicit hash key.
#include "engine/routing.h"

#include <gtest/gtest.h>

#include "tests/engine/store_fixture.h"

namespace sluice::engine {
namespace {

uint128 U(const char* s) { return *ParseUint128(s); }

TEST(RoutingTest, FourShardsSplitLikeAws) {
  auto r = SplitHashRange(4);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].first, 0);
  EXPECT_EQ(r[0].second, U("85070591730234615865843651857942052863"));
  EXPECT_EQ(r[1].first, U("85070591730234615865843651857942052864"));
  EXPECT_EQ(r[1].second, U("170141183460469231731687303715884105727"));
  EXPECT_EQ(r[2].first, U("170141183460469231731687303715884105728"));
  EXPECT_EQ(r[3].second, kUint128Max);
}

TEST(RoutingTest, OddCountsCoverTheSpaceWithoutGaps) {
  for (uint32_t n : {1u, 3u, 7u, 10u, 500u}) {
    auto r = SplitHashRange(n);
    ASSERT_EQ(r.size(), n);
    EXPECT_EQ(r.front().first, 0);
    EXPECT_EQ(r.back().second, kUint128Max);
    for (size_t i = 1; i < r.size(); i++) EXPECT_EQ(r[i].first, r[i - 1].second + 1);
  }
  // AWS: 3 shards, step floor(2^128 / 3).
  EXPECT_EQ(SplitHashRange(3)[1].first, U("113427455640312821154458202477256070485"));
}

class RoutingStoreTest : public StoreTest {};

TEST_F(RoutingStoreTest, FourShardPutsLandInTheMd5Range) {
  Open();
  StreamInfo info = Create("routed", 4);
  ASSERT_EQ(info.shards.size(), 4u);
  std::vector<RecordInput> recs;
  for (int i = 0; i < 200; i++) recs.push_back(Rec("user" + std::to_string(i), "d"));
  PutResults res = PutAndWait(store_.get(), "routed", recs);
  ASSERT_EQ(res.size(), 200u);
  std::vector<int> per_shard(4);
  for (int i = 0; i < 200; i++) {
    ASSERT_TRUE(res[i].ok()) << res[i].status().ToString();
    uint128 h = Md5AsUint128(recs[i].partition_key);
    const ShardInfo& s = info.shards[res[i]->shard.value()];
    EXPECT_TRUE(h >= s.hash_start && h <= s.hash_end) << i;
    per_shard[res[i]->shard.value()]++;
  }
  for (int n : per_shard) EXPECT_GT(n, 20);  // MD5 spreads 200 keys over all four
  // Within each shard, counters are dense and in input order.
  for (uint32_t s = 0; s < 4; s++) {
    auto got = ReadAll(store_.get(), "routed", ShardIndex(s));
    ASSERT_EQ(got.size(), static_cast<size_t>(per_shard[s]));
    for (size_t k = 0; k < got.size(); k++) EXPECT_EQ(got[k].counter.value(), k);
  }
}

TEST_F(RoutingStoreTest, ExplicitHashKeyWins) {
  Open();
  StreamInfo info = Create("explicit", 4);
  RecordInput r = Rec("any", "d");
  r.explicit_hash_key = info.shards[2].hash_start;
  PutResults res = PutAndWait(store_.get(), "explicit", {r});
  ASSERT_TRUE(res[0].ok());
  EXPECT_EQ(res[0]->shard, ShardIndex(2));
}

}  // namespace
}  // namespace sluice::engine

// SPDX-License-Identifier: Apache-2.0
// PlanLeases as a pure function: free and expired leases, the target, one steal per round from
// the most-loaded worker (and none when that would only move the imbalance), parents before
// children, finished shards and the lease cap.
#include <gtest/gtest.h>

#include <set>

#include "consumers/framework/lease_planner.h"

namespace sluice::consumers {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

index::ConsumerLease L(uint32_t shard, std::string owner = "", int64_t expires_in = 1000,
                       std::string checkpoint = "TRIM_HORIZON",
                       std::vector<ShardIndex> parents = {}) {
  index::ConsumerLease l;
  l.application = "app";
  l.shard = ShardIndex(shard);
  l.owner = std::move(owner);
  l.counter = 5;
  l.expiry = TimestampMs(l.owner.empty() ? 0 : kNow + expires_in);
  l.checkpoint = std::move(checkpoint);
  l.parents = std::move(parents);
  return l;
}

LeaseSnapshot Snap(std::vector<index::ConsumerLease> leases) {
  return {.leases = std::move(leases), .now = TimestampMs(kNow)};
}

std::set<uint32_t> Shards(const std::vector<index::ConsumerLease>& leases) {
  std::set<uint32_t> out;
  for (const auto& l : leases) out.insert(l.shard.value());
  return out;
}

TEST(LeasePlannerTest, AloneTakesEveryFreeLease) {
  LeasePlan p = PlanLeases(Snap({L(0), L(1), L(2), L(3)}), "w1");
  EXPECT_EQ(p.target, 4u);
  EXPECT_EQ(p.live_workers, 1u);
  EXPECT_EQ(Shards(p.take), (std::set<uint32_t>{0, 1, 2, 3}));
  EXPECT_FALSE(p.steal);
}

TEST(LeasePlannerTest, SecondWorkerStealsOneLeaseAtATime) {
  // w1 holds all four; w2 is below target 2 and finds no free lease.
  LeasePlan p = PlanLeases(Snap({L(0, "w1"), L(1, "w1"), L(2, "w1"), L(3, "w1")}), "w2");
  EXPECT_EQ(p.live_workers, 2u);
  EXPECT_EQ(p.target, 2u);
  EXPECT_TRUE(p.take.empty());
  ASSERT_TRUE(p.steal);
  EXPECT_EQ(p.steal->owner, "w1");
  // After one steal (3/1), w2 steals again; at 2/2 nobody moves.
  p = PlanLeases(Snap({L(0, "w1"), L(1, "w1"), L(2, "w1"), L(3, "w2")}), "w2");
  EXPECT_TRUE(p.steal);
  p = PlanLeases(Snap({L(0, "w1"), L(1, "w1"), L(2, "w2"), L(3, "w2")}), "w2");
  EXPECT_FALSE(p.steal);
  EXPECT_TRUE(p.take.empty());
  p = PlanLeases(Snap({L(0, "w1"), L(1, "w1"), L(2, "w2"), L(3, "w2")}), "w1");
  EXPECT_FALSE(p.steal);
  EXPECT_EQ(p.held, 2u);
}

TEST(LeasePlannerTest, ThreeWorkersOverFourShardsSettle) {
  // 2/2/0: the idle worker needs 2, so it steals from a worker at target.
  LeasePlan p = PlanLeases(Snap({L(0, "a"), L(1, "a"), L(2, "b"), L(3, "b")}), "c");
  EXPECT_EQ(p.target, 2u);
  EXPECT_TRUE(p.steal);
  // 2/1/1: the workers with one need one and the most-loaded is at target: stable.
  p = PlanLeases(Snap({L(0, "a"), L(1, "a"), L(2, "b"), L(3, "c")}), "c");
  EXPECT_FALSE(p.steal);
  p = PlanLeases(Snap({L(0, "a"), L(1, "a"), L(2, "b"), L(3, "c")}), "b");
  EXPECT_FALSE(p.steal);
}

TEST(LeasePlannerTest, ExpiredLeasesAreFreeAndTheirOwnerNotLive) {
  // w1 died: its leases expired. w2 (holding two) takes them all.
  LeasePlan p = PlanLeases(Snap({L(0, "w1", -1), L(1, "w1", -1), L(2, "w2"), L(3, "w2")}), "w2");
  EXPECT_EQ(p.live_workers, 1u);
  EXPECT_EQ(p.target, 4u);
  EXPECT_EQ(Shards(p.take), (std::set<uint32_t>{0, 1}));
}

TEST(LeasePlannerTest, TakesOnlyUpToTheTarget) {
  LeasePlan p = PlanLeases(Snap({L(0, "w1"), L(1, "w1"), L(2), L(3), L(4), L(5)}), "w2");
  EXPECT_EQ(p.target, 3u);
  EXPECT_EQ(p.take.size(), 3u);
  for (const auto& l : p.take) EXPECT_FALSE(l.owned());
}

TEST(LeasePlannerTest, ChildrenWaitForTheirParents) {
  // 0 and 1 merged into 2: 2 waits until both are SHARD_END.
  auto child = L(2, "", 0, "TRIM_HORIZON", {ShardIndex(0), ShardIndex(1)});
  LeasePlan p = PlanLeases(Snap({L(0), L(1, "", 0, "SHARD_END"), child}), "w1");
  EXPECT_EQ(Shards(p.take), (std::set<uint32_t>{0}));
  EXPECT_EQ(p.eligible, 1u);
  p = PlanLeases(Snap({L(0, "", 0, "SHARD_END"), L(1, "", 0, "SHARD_END"), child}), "w1");
  EXPECT_EQ(Shards(p.take), (std::set<uint32_t>{2}));
  // A parent without a lease (removed by retention) does not block.
  auto orphan = L(7, "", 0, "TRIM_HORIZON", {ShardIndex(6)});
  p = PlanLeases(Snap({orphan}), "w1");
  EXPECT_EQ(Shards(p.take), (std::set<uint32_t>{7}));
  EXPECT_TRUE(ParentsFinished(orphan, {orphan}));
}

TEST(LeasePlannerTest, FinishedLeasesAreNeverTakenNorCounted) {
  LeasePlan p = PlanLeases(
      Snap({L(0, "", 0, "SHARD_END"), L(1, "", 0, "SHARD_END"), L(2, "w1"), L(3, "w1")}), "w2");
  EXPECT_EQ(p.eligible, 2u);
  EXPECT_EQ(p.target, 1u);
  EXPECT_TRUE(p.take.empty());
  ASSERT_TRUE(p.steal);  // w1 holds 2 > target 1
}

TEST(LeasePlannerTest, MaxLeasesCapsTheTarget) {
  LeasePlan p = PlanLeases(Snap({L(0), L(1), L(2), L(3)}), "w1", 1);
  EXPECT_EQ(p.target, 1u);
  EXPECT_EQ(p.take.size(), 1u);
}

TEST(LeasePlannerTest, OwnExpiredLeaseIsFree) {
  LeasePlan p = PlanLeases(Snap({L(0, "w1", -5)}), "w1");
  EXPECT_EQ(p.held, 0u);
  EXPECT_EQ(Shards(p.take), (std::set<uint32_t>{0}));
}

}  // namespace
}  // namespace sluice::consumers

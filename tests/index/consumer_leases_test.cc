// SPDX-License-Identifier: Apache-2.0
// ConsumerLeases on a real SQLite file: idempotent applications, lease creation with lineage, the
// conditional take/renew/checkpoint/release writes (stale counters and wrong owners refused),
// steals, persistence across reopen, cascade delete and the schema version guard.
#include "index/consumer_leases.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace sluice::index {
namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;

class ConsumerLeasesTest : public ::testing::Test {
 protected:
  ConsumerLeasesTest() : clock_(TimestampMs(kStartMs)) { Open(); }

  void Open() {
    leases_.reset();
    auto r = ConsumerLeases::Open(path(), &clock_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    leases_ = std::move(*r);
  }
  std::string path() const { return dir_.path() + "/consumers.db"; }

  ConsumerApplication App(const std::string& name, const std::string& initial = "TRIM_HORIZON") {
    ConsumerApplication a;
    a.name = name;
    a.stream = "orders";
    a.stream_id = StreamId(7);
    a.initial_position = initial;
    auto r = leases_->CreateApplication(a);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : a;
  }
  std::vector<LeaseShard> Shards(int n) {
    std::vector<LeaseShard> out;
    for (int i = 0; i < n; i++) out.push_back({ShardIndex(static_cast<uint32_t>(i)), {}});
    return out;
  }
  ConsumerLease Lease(const std::string& app, uint32_t shard) {
    auto all = leases_->ListLeases(app);
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    for (const ConsumerLease& l : *all) {
      if (l.shard == ShardIndex(shard)) return l;
    }
    ADD_FAILURE() << "no lease for shard " << shard;
    return {};
  }

  sluice::testing::TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<ConsumerLeases> leases_;
};

TEST_F(ConsumerLeasesTest, CreateApplicationIsIdempotent) {
  ConsumerApplication a = App("archiver");
  EXPECT_EQ(a.created, TimestampMs(kStartMs));
  clock_.Advance(1000);
  ConsumerApplication again = a;
  again.initial_position = "LATEST";  // the existing application's settings win
  auto r = leases_->CreateApplication(again);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, a);
  auto list = leases_->ListApplications();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0], a);
}

TEST_F(ConsumerLeasesTest, ApplicationBoundToAnotherStreamIsRefused) {
  ConsumerApplication a = App("archiver");
  a.stream_id = StreamId(8);  // the stream was deleted and created again
  EXPECT_EQ(leases_->CreateApplication(a).status().code(), StatusCode::kFailedPrecondition);
  a.stream = "other";
  a.stream_id = StreamId(7);
  EXPECT_EQ(leases_->CreateApplication(a).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ConsumerLeasesTest, BadApplicationsAreInvalid) {
  ConsumerApplication a;
  a.stream = "orders";
  EXPECT_EQ(leases_->CreateApplication(a).status().code(), StatusCode::kInvalidArgument);
  a.name = "x";
  a.initial_position = "SOMEWHERE";
  EXPECT_EQ(leases_->CreateApplication(a).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(leases_->GetApplication("x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(leases_->ListLeases("x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(leases_->EnsureLeases("x", Shards(1)).status().code(), StatusCode::kNotFound);
}

TEST_F(ConsumerLeasesTest, EnsureLeasesCreatesMissingOnesAtTheInitialPosition) {
  App("a", "LATEST");
  auto created = leases_->EnsureLeases("a", Shards(3));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->size(), 3u);
  auto again = leases_->EnsureLeases("a", Shards(4));
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].shard, ShardIndex(3));
  auto all = leases_->ListLeases("a");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  for (const ConsumerLease& l : *all) {
    EXPECT_EQ(l.checkpoint, "LATEST");
    EXPECT_FALSE(l.owned());
    EXPECT_EQ(l.counter, 0u);
    EXPECT_EQ(l.application, "a");
  }
}

TEST_F(ConsumerLeasesTest, ChildOfAKnownParentStartsAtTrimHorizon) {
  App("a", "LATEST");
  ASSERT_TRUE(leases_->EnsureLeases("a", Shards(2)).ok());
  // Shards 0 and 1 merge into 2; 3 appears without known parents (parent 9 never had a lease).
  auto r = leases_->EnsureLeases(
      "a", {{ShardIndex(2), {ShardIndex(0), ShardIndex(1)}}, {ShardIndex(3), {ShardIndex(9)}}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ConsumerLease child = Lease("a", 2);
  EXPECT_EQ(child.checkpoint, "TRIM_HORIZON");
  EXPECT_EQ(child.parents, (std::vector<ShardIndex>{ShardIndex(0), ShardIndex(1)}));
  EXPECT_EQ(Lease("a", 3).checkpoint, "LATEST");
  EXPECT_EQ(Lease("a", 3).parents, std::vector<ShardIndex>{ShardIndex(9)});
}

TEST_F(ConsumerLeasesTest, TakeRenewCheckpointReleaseMoveTheCounter) {
  App("a");
  ASSERT_TRUE(leases_->EnsureLeases("a", Shards(1)).ok());
  const ShardIndex s0(0);
  auto taken = leases_->TakeLease("a", s0, "w1", 0, TimestampMs(kStartMs + 100));
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ(taken->owner, "w1");
  EXPECT_EQ(taken->counter, 1u);
  EXPECT_EQ(taken->expiry, TimestampMs(kStartMs + 100));
  EXPECT_EQ(taken->owner_switches, 1u);

  clock_.Advance(50);
  auto renewed = leases_->RenewLease("a", s0, "w1", 1, TimestampMs(kStartMs + 200));
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_EQ(renewed->counter, 2u);
  EXPECT_EQ(renewed->expiry, TimestampMs(kStartMs + 200));
  EXPECT_EQ(renewed->updated, TimestampMs(kStartMs + 50));

  auto cp = leases_->Checkpoint("a", s0, "w1", 2,
                                "49590338271490256608559692538361571095921575989136588802");
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->counter, 2u);  // checkpoints do not move the counter
  EXPECT_EQ(cp->owner_switches, 0u);
  EXPECT_EQ(cp->checkpoint, "49590338271490256608559692538361571095921575989136588802");

  auto released = leases_->ReleaseLease("a", s0, "w1", 2);
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_FALSE(released->owned());
  EXPECT_EQ(released->counter, 3u);
  EXPECT_EQ(released->expiry, TimestampMs(0));
  EXPECT_EQ(released->checkpoint, cp->checkpoint);  // progress survives the release
}

TEST_F(ConsumerLeasesTest, StaleCountersAndWrongOwnersAreRefused) {
  App("a");
  ASSERT_TRUE(leases_->EnsureLeases("a", Shards(1)).ok());
  const ShardIndex s0(0);
  const TimestampMs exp(kStartMs + 1000);
  ASSERT_TRUE(leases_->TakeLease("a", s0, "w1", 0, exp).ok());
  // A second taker with the counter it saw before w1's take loses the race.
  auto late = leases_->TakeLease("a", s0, "w2", 0, exp);
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition) << late.status().ToString();
  // Only the owner renews, checkpoints and releases, and only with the current counter.
  EXPECT_EQ(leases_->RenewLease("a", s0, "w2", 1, exp).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(leases_->RenewLease("a", s0, "w1", 0, exp).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(leases_->Checkpoint("a", s0, "w2", 1, "5").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(leases_->ReleaseLease("a", s0, "w2", 1).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(leases_->Checkpoint("a", s0, "w1", 1, "").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(leases_->TakeLease("a", s0, "", 1, exp).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(leases_->TakeLease("a", ShardIndex(5), "w1", 0, exp).status().code(),
            StatusCode::kNotFound);
  // Nothing of the refused writes landed.
  ConsumerLease l = Lease("a", 0);
  EXPECT_EQ(l.owner, "w1");
  EXPECT_EQ(l.counter, 1u);
  EXPECT_EQ(l.checkpoint, "TRIM_HORIZON");
}

TEST_F(ConsumerLeasesTest, StealFencesTheOldOwner) {
  App("a");
  ASSERT_TRUE(leases_->EnsureLeases("a", Shards(1)).ok());
  const ShardIndex s0(0);
  const TimestampMs exp(kStartMs + 1000);
  ASSERT_TRUE(leases_->TakeLease("a", s0, "w1", 0, exp).ok());
  ASSERT_TRUE(leases_->Checkpoint("a", s0, "w1", 1, "100").ok());
  // w2 saw counter 1 in a listing and steals.
  auto stolen = leases_->TakeLease("a", s0, "w2", 1, exp);
  ASSERT_TRUE(stolen.ok()) << stolen.status().ToString();
  EXPECT_EQ(stolen->owner, "w2");
  EXPECT_EQ(stolen->counter, 2u);
  EXPECT_EQ(stolen->owner_switches, 1u);
  EXPECT_EQ(stolen->checkpoint, "100");
  // w1's next checkpoint or renewal fails: it must stop processing the shard.
  EXPECT_EQ(leases_->Checkpoint("a", s0, "w1", 1, "200").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(leases_->RenewLease("a", s0, "w1", 1, exp).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Lease("a", 0).checkpoint, "100");
  // Taking back from w2 counts another switch; retaking by the same owner does not.
  auto back = leases_->TakeLease("a", s0, "w1", 2, exp);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->owner_switches, 2u);
  auto same = leases_->TakeLease("a", s0, "w1", 3, exp);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->owner_switches, 2u);
}

TEST_F(ConsumerLeasesTest, ConcurrentTakersExactlyOneWins) {
  App("a");
  ASSERT_TRUE(leases_->EnsureLeases("a", Shards(1)).ok());
  std::vector<std::thread> threads;
  std::atomic<int> wins{0};
  for (int i = 0; i < 8; i++) {
    threads.emplace_back([&, i] {
      auto r = leases_->TakeLease("a", ShardIndex(0), "w" + std::to_string(i), 0,
                                  TimestampMs(kStartMs + 1000));
      if (r.ok()) wins++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(Lease("a", 0).counter, 1u);
}

TEST_F(ConsumerLeasesTest, StateSurvivesReopen) {
  App("a");
  ASSERT_TRUE(
      leases_->EnsureLeases("a", {{ShardIndex(0), {}}, {ShardIndex(1), {ShardIndex(0)}}}).ok());
  ASSERT_TRUE(leases_->TakeLease("a", ShardIndex(0), "w1", 0, TimestampMs(kStartMs + 5)).ok());
  ASSERT_TRUE(leases_->Checkpoint("a", ShardIndex(0), "w1", 1, "SHARD_END").ok());
  auto before = leases_->ListLeases("a");
  ASSERT_TRUE(before.ok());
  Open();
  auto after = leases_->ListLeases("a");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(*after, *before);
  EXPECT_TRUE((*after)[0].finished());
}

TEST_F(ConsumerLeasesTest, DeleteApplicationRemovesItsLeases) {
  App("a");
  App("b");
  ASSERT_TRUE(leases_->EnsureLeases("a", Shards(2)).ok());
  ASSERT_TRUE(leases_->EnsureLeases("b", Shards(1)).ok());
  ASSERT_TRUE(leases_->DeleteApplication("a").ok());
  EXPECT_EQ(leases_->DeleteApplication("a").code(), StatusCode::kNotFound);
  EXPECT_EQ(leases_->ListLeases("a").status().code(), StatusCode::kNotFound);
  // Re-created under the same name, it starts empty.
  App("a");
  auto leases = leases_->ListLeases("a");
  ASSERT_TRUE(leases.ok());
  EXPECT_TRUE(leases->empty());
  auto b = leases_->ListLeases("b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->size(), 1u);
}

TEST_F(ConsumerLeasesTest, NewerSchemaIsRefused) {
  leases_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto r = ConsumerLeases::Open(path(), &clock_);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
}

TEST_F(ConsumerLeasesTest, NotADatabaseIsDataLoss) {
  leases_.reset();
  FILE* f = fopen(path().c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("this is not a database file, not even close, padding padding padding padding", f);
  fclose(f);
  auto r = ConsumerLeases::Open(path(), &clock_);
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
}

}  // namespace
}  // namespace sluice::index

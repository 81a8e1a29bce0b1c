// SPDX-License-Identifier: Apache-2.0
// Writes and reads across segment rolls, read limits, recovery keeping counters and sequence
// numbers byte for byte, and one real-disk round trip on PosixEnv.
#include <gtest/gtest.h>

#include "tests/engine/store_fixture.h"

namespace sluice::engine {
namespace {

class LogRoundTripTest : public StoreTest {};

TEST_F(LogRoundTripTest, WriteReadRoundTripAcrossSegmentRolls) {
  options_.segment_bytes = 4096;
  Open();
  StreamInfo info = Create("s");
  std::vector<Appended> put = PutMany("s", 300, 250);
  ASSERT_EQ(put.size(), 300u);
  EXPECT_GT(Files(info, ".log").size(), 10u);                             // rolled many times
  EXPECT_EQ(Files(info, ".tix").size(), Files(info, ".log").size() - 1);  // sealed ones
  auto got = ReadAll(store_.get(), "s", ShardIndex(0));
  ASSERT_EQ(got.size(), 300u);
  for (size_t i = 0; i < got.size(); i++) {
    EXPECT_EQ(got[i].counter.value(), i);
    EXPECT_EQ(got[i].sequence_number, put[i].sequence_number);
    EXPECT_EQ(got[i].partition_key, "key" + std::to_string(i));
    EXPECT_EQ(got[i].data.substr(0, 1 + std::to_string(i).size()), "r" + std::to_string(i));
    EXPECT_EQ(got[i].arrival, put[i].arrival);
  }
  // A read from the middle of a segment starts exactly there.
  auto mid = ReadAll(store_.get(), "s", ShardIndex(0), EntryCounter(157));
  ASSERT_EQ(mid.size(), 143u);
  EXPECT_EQ(mid.front().counter.value(), 157u);
}

TEST_F(LogRoundTripTest, MetaIsStoredBesideTheRecord) {
  Open();
  Create("m");
  auto res = PutAndWait(store_.get(), "m", {Rec("k", "data", "fragment-meta")});
  ASSERT_TRUE(res[0].ok());
  auto got = ReadAll(store_.get(), "m", ShardIndex(0));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].meta, "fragment-meta");
  EXPECT_EQ(got[0].data, "data");
}

TEST_F(LogRoundTripTest, ReadLimitsBoundRecordsAndBytes) {
  Open();
  Create("l");
  PutMany("l", 50, 1000);
  ReadRequest req{.stream = "l", .shard = ShardIndex(0), .from = EntryCounter(0)};
  req.limits.max_records = 7;
  auto b = store_->Read(req);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->records.size(), 7u);
  EXPECT_EQ(b->next, EntryCounter(7));
  EXPECT_EQ(b->tip, EntryCounter(50));
  req.limits.max_records = 1000;
  req.limits.max_bytes = 3500;
  b = store_->Read(req);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->records.size(), 3u);
  req.limits.max_bytes = 1;  // at least one record always comes back
  b = store_->Read(req);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->records.size(), 1u);
}

TEST_F(LogRoundTripTest, RecoveryKeepsCountersAndSequenceNumbersByteForByte) {
  options_.segment_bytes = 2048;
  Open();
  StreamInfo info = Create("r", 2);
  std::vector<RecordInput> recs;
  for (int i = 0; i < 120; i++)
    recs.push_back(Rec("p" + std::to_string(i), std::string(90, 'a' + i % 26)));
  PutResults before = PutAndWait(store_.get(), "r", recs);
  std::vector<StoredRecord> shard0 = ReadAll(store_.get(), "r", ShardIndex(0));
  std::vector<StoredRecord> shard1 = ReadAll(store_.get(), "r", ShardIndex(1));
  Reopen();
  for (uint32_t s = 0; s < 2; s++) {
    auto after = ReadAll(store_.get(), "r", ShardIndex(s));
    const auto& want = s == 0 ? shard0 : shard1;
    ASSERT_EQ(after.size(), want.size());
    for (size_t i = 0; i < want.size(); i++) {
      EXPECT_EQ(after[i].sequence_number, want[i].sequence_number);
      EXPECT_EQ(after[i].counter, want[i].counter);
      EXPECT_EQ(after[i].data, want[i].data);
      EXPECT_EQ(after[i].arrival, want[i].arrival);
    }
  }
  for (size_t i = 0; i < before.size(); i++) {
    auto c = store_->CounterForSequenceNumber("r", before[i]->shard, before[i]->sequence_number);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(*c, before[i]->counter);
  }
  // Counters continue after the last kept entry.
  auto next = PutToShardAndWait(store_.get(), "r", ShardIndex(0), {Rec("x", "y")});
  ASSERT_TRUE(next[0].ok());
  EXPECT_EQ(next[0]->counter.value(), shard0.size());
  EXPECT_GT(*ParseUint128(next[0]->sequence_number), *ParseUint128(shard0.back().sequence_number));
}

TEST_F(LogRoundTripTest, MissingSidecarsAreRebuiltOnOpen) {
  options_.segment_bytes = 2048;
  Open();
  StreamInfo info = Create("t");
  PutMany("t", 100, 200);
  store_.reset();
  auto tix = Files(info, ".tix");
  ASSERT_GT(tix.size(), 2u);
  ASSERT_TRUE(env_.RemoveFile(tix[1]).ok());
  env_.CorruptByte(tix[2], 10);
  Open();
  EXPECT_EQ(Files(info, ".tix").size(), tix.size());
  EXPECT_EQ(ReadAll(store_.get(), "t", ShardIndex(0)).size(), 100u);
}

TEST_F(LogRoundTripTest, RealDiskRecoveryAfterReopen) {
  sluice::testing::TempDir disk;
  EmbeddedStoreOptions o;
  o.data_dir = disk.path();
  o.segment_bytes = 8192;
  o.retention_check_interval_ms = 0;
  std::vector<std::string> seqs;
  {
    auto store = OpenEmbeddedStore(o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->CreateStream({.name = "disk", .shard_count = 1}).ok());
    for (int i = 0; i < 100; i++) {
      auto r = PutAndWait(store->get(), "disk", {Rec("k", "value-" + std::to_string(i))});
      ASSERT_TRUE(r[0].ok()) << r[0].status().ToString();
      seqs.push_back(r[0]->sequence_number);
    }
    ASSERT_TRUE((*store)->Close().ok());
  }
  auto store = OpenEmbeddedStore(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto got = ReadAll(store->get(), "disk", ShardIndex(0));
  ASSERT_EQ(got.size(), 100u);
  for (int i = 0; i < 100; i++) {
    EXPECT_EQ(got[i].data, "value-" + std::to_string(i));
    EXPECT_EQ(got[i].sequence_number, seqs[i]);
  }
  auto r = PutAndWait(store->get(), "disk", {Rec("k", "after")});
  ASSERT_TRUE(r[0].ok());
  EXPECT_EQ(r[0]->counter.value(), 100u);
}

}  // namespace
}  // namespace sluice::engine

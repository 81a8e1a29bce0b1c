// SPDX-License-Identifier: Apache-2.0
// Recovery: a torn or corrupt tail is truncated after the last complete entry; damage inside a
// sealed segment is kept and reported as DataLoss on read; a torn new-segment header is rewritten.
#include <gtest/gtest.h>

#include "engine/format.h"
#include "tests/engine/store_fixture.h"

namespace sluice::engine {
namespace {

class RecoveryTest : public StoreTest {};

TEST_F(RecoveryTest, TornTailIsTruncatedAtTheLastCompleteEntry) {
  Open();
  StreamInfo info = Create("torn");
  PutMany("torn", 10, 100);
  store_.reset();
  const std::string seg = Files(info, ".log").back();
  const uint64_t size = *env_.FileSize(seg);
  ASSERT_TRUE(env_.TruncateFile(seg, size - 7).ok());  // cut the last entry in the middle
  Open();
  auto got = ReadAll(store_.get(), "torn", ShardIndex(0));
  ASSERT_EQ(got.size(), 9u);
  EXPECT_LT(*env_.FileSize(seg), size - 7);  // the partial entry is gone from the file too
  auto r = PutAndWait(store_.get(), "torn", {Rec("k", "next")});
  ASSERT_TRUE(r[0].ok());
  EXPECT_EQ(r[0]->counter.value(), 9u);
  Reopen();
  got = ReadAll(store_.get(), "torn", ShardIndex(0));
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got.back().data, "next");
}

TEST_F(RecoveryTest, BadCrcAtTheTailIsTruncated) {
  Open();
  StreamInfo info = Create("crc");
  PutMany("crc", 10, 100);
  store_.reset();
  const std::string seg = Files(info, ".log").back();
  env_.CorruptByte(seg, *env_.FileSize(seg) - 3);
  Open();
  auto got = ReadAll(store_.get(), "crc", ShardIndex(0));
  EXPECT_EQ(got.size(), 9u);
  EXPECT_EQ(store_->Tip("crc", ShardIndex(0))->value(), 9u);
}

TEST_F(RecoveryTest, PowerLossKeepsEveryAcknowledgedEntry) {
  Open();
  Create("power");
  auto acked = PutMany("power", 25, 300);
  CrashAndReopen();
  auto got = ReadAll(store_.get(), "power", ShardIndex(0));
  ASSERT_EQ(got.size(), acked.size());
  for (size_t i = 0; i < got.size(); i++)
    EXPECT_EQ(got[i].sequence_number, acked[i].sequence_number);
}

TEST_F(RecoveryTest, BadCrcInASealedSegmentIsReportedAsDataLoss) {
  options_.segment_bytes = 2048;
  Open();
  StreamInfo info = Create("sealed");
  PutMany("sealed", 60, 200);
  store_.reset();
  auto logs = Files(info, ".log");
  ASSERT_GT(logs.size(), 3u);
  env_.CorruptByte(logs[0], format::kSegmentHeaderSize + 40);  // inside entry 0
  ASSERT_TRUE(env_.RemoveFile(Files(info, ".tix")[0]).ok());   // force a scan on open
  Open();
  ReadRequest req{.stream = "sealed", .shard = ShardIndex(0), .from = EntryCounter(0)};
  auto r = store_->Read(req);
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
  // Nothing was thrown away: the other segments read normally and counters continue.
  const uint64_t second_base = std::stoull(logs[1].substr(logs[1].rfind('/') + 1));
  auto rest = ReadAll(store_.get(), "sealed", ShardIndex(0), EntryCounter(second_base));
  EXPECT_EQ(rest.size(), 60 - second_base);
  EXPECT_EQ(store_->Tip("sealed", ShardIndex(0))->value(), 60u);
}

TEST_F(RecoveryTest, BadCrcBehindAValidSidecarIsDataLossOnRead) {
  options_.segment_bytes = 2048;
  Open();
  StreamInfo info = Create("sidecar");
  PutMany("sidecar", 60, 200);
  store_.reset();
  auto logs = Files(info, ".log");
  env_.CorruptByte(logs[1], format::kSegmentHeaderSize + 40);
  Open();
  const uint64_t second_base = std::stoull(logs[1].substr(logs[1].rfind('/') + 1));
  ReadRequest req{.stream = "sidecar", .shard = ShardIndex(0), .from = EntryCounter(second_base)};
  EXPECT_EQ(store_->Read(req).status().code(), StatusCode::kDataLoss);
  // A read that starts before the damage returns what precedes it, then reports it next time.
  req.from = EntryCounter(0);
  auto first = store_->Read(req);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->next.value(), second_base);
}

TEST_F(RecoveryTest, TornSegmentHeaderIsRewritten) {
  options_.segment_bytes = 100;  // every put rolls
  Open();
  StreamInfo info = Create("hdr");
  PutMany("hdr", 5, 150);
  store_.reset();
  auto logs = Files(info, ".log");
  ASSERT_EQ(logs.size(), 5u);
  ASSERT_TRUE(env_.TruncateFile(logs.back(), 10).ok());
  Open();
  EXPECT_EQ(store_->Tip("hdr", ShardIndex(0))->value(), 4u);
  auto r = PutAndWait(store_.get(), "hdr", {Rec("k", "v")});
  ASSERT_TRUE(r[0].ok());
  EXPECT_EQ(r[0]->counter.value(), 4u);
}

}  // namespace
}  // namespace sluice::engine

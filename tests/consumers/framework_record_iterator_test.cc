// SPDX-License-Identifier: Apache-2.0
// RecordIterator on a real embedded store: the five start positions, batching, millis behind,
// tail waits and interrupts, the end of a closed shard, a deleted stream; plus StartPosition,
// checkpoint resumption, sequence-number order and base64.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "consumers/framework/base64.h"
#include "consumers/framework/record_iterator.h"
#include "consumers/framework/start_position.h"
#include "tests/consumers/framework_fixture.h"

namespace sluice::consumers {
namespace {

class RecordIteratorTest : public ConsumerTest {
 protected:
  std::unique_ptr<RecordIterator> OpenIt(const std::string& stream, uint32_t shard,
                                         const StartPosition& start) {
    auto r = RecordIterator::Open(store_.get(), stream, ShardIndex(shard), start);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : nullptr;
  }
  // Reads until caught up; returns the data of every record.
  std::vector<std::string> Drain(RecordIterator* it, size_t per_read = 1000) {
    std::vector<std::string> out;
    while (true) {
      auto b = it->Read(per_read);
      EXPECT_TRUE(b.ok()) << b.status().ToString();
      if (!b.ok() || b->records.empty()) break;
      EXPECT_LE(b->records.size(), per_read);
      for (const Record& r : b->records) out.push_back(r.data);
    }
    return out;
  }
  static std::vector<std::string> Names(const std::string& tag, int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i < to; i++) out.push_back(tag + std::to_string(i));
    return out;
  }
};

TEST_F(RecordIteratorTest, TrimHorizonReadsEverythingInBatches) {
  CreateStream("s", 2);
  Fill("s", 1, 25);
  auto it = OpenIt("s", 1, StartPosition::TrimHorizon());
  ASSERT_NE(it, nullptr);
  auto first = it->Read(10);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->records.size(), 10u);
  EXPECT_EQ(first->records[0].data, "r0");
  EXPECT_EQ(first->records[0].partition_key, "k0");
  EXPECT_FALSE(first->shard_ended);
  std::vector<std::string> rest = Drain(it.get(), 10);
  EXPECT_EQ(rest, Names("r", 10, 25));
  // Shard 0 is empty.
  auto empty = OpenIt("s", 0, StartPosition::TrimHorizon());
  EXPECT_TRUE(Drain(empty.get()).empty());
}

TEST_F(RecordIteratorTest, LatestSeesOnlyLaterRecords) {
  CreateStream("s", 1);
  Fill("s", 0, 5, "old");
  auto it = OpenIt("s", 0, StartPosition::Latest());
  EXPECT_TRUE(Drain(it.get()).empty());
  Fill("s", 0, 3, "new");
  EXPECT_EQ(Drain(it.get()), Names("new", 0, 3));
}

TEST_F(RecordIteratorTest, AtAndAfterSequenceNumber) {
  CreateStream("s", 1);
  std::vector<std::string> seqs = Fill("s", 0, 10);
  auto at = OpenIt("s", 0, StartPosition::AtSequenceNumber(seqs[4]));
  EXPECT_EQ(Drain(at.get()), Names("r", 4, 10));
  auto after = OpenIt("s", 0, StartPosition::AfterSequenceNumber(seqs[4]));
  EXPECT_EQ(Drain(after.get()), Names("r", 5, 10));
  auto after_last = OpenIt("s", 0, StartPosition::AfterSequenceNumber(seqs[9]));
  EXPECT_TRUE(Drain(after_last.get()).empty());
  auto b = at->Read(1);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(at->position(), EntryCounter(10));
}

TEST_F(RecordIteratorTest, SequenceNumberOfAnotherShardIsInvalid) {
  CreateStream("s", 2);
  std::vector<std::string> seqs = Fill("s", 0, 2);
  auto r = RecordIterator::Open(store_.get(), "s", ShardIndex(1),
                                StartPosition::AtSequenceNumber(seqs[0]));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  auto garbage = RecordIterator::Open(store_.get(), "s", ShardIndex(0),
                                      StartPosition::AfterSequenceNumber("12x"));
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RecordIterator::Open(store_.get(), "s", ShardIndex(5), StartPosition::TrimHorizon())
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(RecordIterator::Open(store_.get(), "nope", ShardIndex(0), StartPosition::Latest())
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST_F(RecordIteratorTest, AtTimestampStartsAtTheFirstRecordArrivedThen) {
  UseManualClock();
  CreateStream("s", 1);
  Fill("s", 0, 3, "a");
  manual_clock_.Advance(60'000);
  const TimestampMs t = manual_clock_.Now();
  Fill("s", 0, 2, "b");
  manual_clock_.Advance(60'000);
  Fill("s", 0, 2, "c");
  auto it = OpenIt("s", 0, StartPosition::AtTimestamp(t));
  std::vector<std::string> expected = Names("b", 0, 2);
  for (auto& c : Names("c", 0, 2)) expected.push_back(c);
  EXPECT_EQ(Drain(it.get()), expected);
  auto future = OpenIt("s", 0, StartPosition::AtTimestamp(TimestampMs(t.value() + 10 * 60'000)));
  EXPECT_TRUE(Drain(future.get()).empty());
}

TEST_F(RecordIteratorTest, MillisBehindLatestWhileBehind) {
  UseManualClock();
  CreateStream("s", 1);
  Fill("s", 0, 2);
  manual_clock_.Advance(5000);
  Fill("s", 0, 2);
  auto it = OpenIt("s", 0, StartPosition::TrimHorizon());
  auto b = it->Read(2);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->millis_behind_latest, 5000);
  b = it->Read(10);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->millis_behind_latest, 0);
}

TEST_F(RecordIteratorTest, WaitForDataWakesOnAppendAndOnInterrupt) {
  CreateStream("s", 1);
  auto it = OpenIt("s", 0, StartPosition::Latest());
  ASSERT_TRUE(it->Read(10).ok());
  std::atomic<bool> woke{false};
  std::thread waiter([&] {
    it->WaitForData(std::chrono::minutes(5));
    woke = true;
  });
  Fill("s", 0, 1);
  EXPECT_TRUE(WaitFor([&] { return woke.load(); }, std::chrono::seconds(30)));
  waiter.join();
  EXPECT_EQ(Drain(it.get()), Names("r", 0, 1));

  woke = false;
  std::thread waiter2([&] {
    it->WaitForData(std::chrono::minutes(5));
    woke = true;
  });
  it->Interrupt();
  EXPECT_TRUE(WaitFor([&] { return woke.load(); }, std::chrono::seconds(30)));
  waiter2.join();
}

TEST_F(RecordIteratorTest, DataAppendedBeforeTheWaitIsNotMissed) {
  CreateStream("s", 1);
  auto it = OpenIt("s", 0, StartPosition::Latest());
  ASSERT_TRUE(it->Read(10).ok());
  Fill("s", 0, 1);  // lands between the read and the wait: the wait returns at once
  it->WaitForData(std::chrono::minutes(5));
  EXPECT_EQ(Drain(it.get()), Names("r", 0, 1));
}

TEST_F(RecordIteratorTest, ClosedShardEndsAfterItsLastRecord) {
  CreateStream("s", 2);
  Fill("s", 0, 5);
  Reshard("s", {{0, 4}}, {{1, {0}}});
  auto it = OpenIt("s", 0, StartPosition::TrimHorizon());
  auto b = it->Read(3);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->shard_ended);
  b = it->Read(3);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->records.size(), 2u);
  EXPECT_TRUE(b->shard_ended);
  // LATEST on a closed shard has nothing left.
  auto latest = OpenIt("s", 0, StartPosition::Latest());
  b = latest->Read(10);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->records.empty());
  EXPECT_TRUE(b->shard_ended);
  // The open child does not end.
  auto child = OpenIt("s", 1, StartPosition::TrimHorizon());
  b = child->Read(10);
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->shard_ended);
}

TEST_F(RecordIteratorTest, DeletedOrRecreatedStreamIsNotFound) {
  CreateStream("s", 1);
  Fill("s", 0, 2);
  auto it = OpenIt("s", 0, StartPosition::TrimHorizon());
  ASSERT_TRUE(store_->DeleteStream("s").ok());
  CreateStream("s", 1);
  Fill("s", 0, 2);
  EXPECT_EQ(it->Read(10).status().code(), StatusCode::kNotFound);
}

TEST(StartPositionTest, NamesRoundTrip) {
  for (auto t : {StartPosition::Type::kTrimHorizon, StartPosition::Type::kLatest,
                 StartPosition::Type::kAtSequenceNumber, StartPosition::Type::kAfterSequenceNumber,
                 StartPosition::Type::kAtTimestamp}) {
    auto parsed = ParseStartType(StartTypeName(t));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_FALSE(ParseStartType("AT_SOME_POINT").ok());
  EXPECT_EQ(StartPosition::AfterSequenceNumber("42").ToString(), "AFTER_SEQUENCE_NUMBER 42");
  EXPECT_EQ(StartPosition::AtTimestamp(TimestampMs(7)).ToString(), "AT_TIMESTAMP 7");
}

TEST(StartPositionTest, CheckpointsResume) {
  const TimestampMs t(1234);
  EXPECT_EQ(*ResumePosition("TRIM_HORIZON", t), StartPosition::TrimHorizon());
  EXPECT_EQ(*ResumePosition("LATEST", t), StartPosition::Latest());
  EXPECT_EQ(*ResumePosition("AT_TIMESTAMP", t), StartPosition::AtTimestamp(t));
  EXPECT_EQ(*ResumePosition("4959", t), StartPosition::AfterSequenceNumber("4959"));
  EXPECT_EQ(ResumePosition("SHARD_END", t).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ResumePosition("", t).status().code(), StatusCode::kInvalidArgument);
}

TEST(StartPositionTest, SequenceNumbersCompareNumerically) {
  EXPECT_LT(CompareSequenceNumbers("9", "10"), 0);
  EXPECT_GT(CompareSequenceNumbers("100", "99"), 0);
  EXPECT_LT(CompareSequenceNumbers("123", "124"), 0);
  EXPECT_EQ(CompareSequenceNumbers("49590338271490256608559692538361571095921575989136588898",
                                   "49590338271490256608559692538361571095921575989136588898"),
            0);
}

TEST(Base64Test, RoundTripsEveryLengthAndByte) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  std::string all;
  for (int i = 0; i < 256; i++) all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    auto back = Base64Decode(Base64Encode(all.substr(0, n)));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, all.substr(0, n));
  }
  EXPECT_FALSE(Base64Decode("abc").ok());
  EXPECT_FALSE(Base64Decode("ab!=").ok());
}

}  // namespace
}  // namespace sluice::consumers

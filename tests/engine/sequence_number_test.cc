// SPDX-License-Identifier: Apache-2.0
// Sequence numbers: layout, round trip, ordering, and rejection of other shards' and streams'
// numbers.
#include "engine/sequence_number.h"

#include <gtest/gtest.h>

namespace sluice::engine {
namespace {

constexpr int64_t kCreated = 1'700'000'000'123;

TEST(SequenceNumberTest, FormatParseRoundTrip) {
  SequenceNumberCodec codec(ShardIndex(5), TimestampMs(kCreated));
  for (uint64_t c : {uint64_t{0}, uint64_t{1}, uint64_t{123456789}, ~uint64_t{0}}) {
    std::string seq = codec.Format(EntryCounter(c));
    auto parsed = codec.Parse(seq);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->value(), c);
    auto parts = DecodeSequenceNumber(seq);
    ASSERT_TRUE(parts.ok());
    EXPECT_EQ(parts->version, 2u);
    EXPECT_EQ(parts->shard_created_ms, kCreated);
    EXPECT_EQ(parts->shard_index, 5u);
    EXPECT_EQ(parts->counter, c);
  }
}

TEST(SequenceNumberTest, LayoutIsVersionTimeShardCounter) {
  SequenceNumberCodec codec(ShardIndex(3), TimestampMs(1000));
  uint128 v = codec.Value(EntryCounter(7));
  EXPECT_EQ(static_cast<uint64_t>(v >> 124), 2u);
  EXPECT_EQ(static_cast<uint64_t>(v >> 82) & ((uint64_t{1} << 42) - 1), 1000u);
  EXPECT_EQ(static_cast<uint64_t>(v >> 64) & ((1u << 18) - 1), 3u);
  EXPECT_EQ(static_cast<uint64_t>(v), 7u);
}

TEST(SequenceNumberTest, StrictlyIncreasingWithinShardAndChildrenSortAbove) {
  SequenceNumberCodec parent(ShardIndex(9), TimestampMs(kCreated));
  SequenceNumberCodec child(ShardIndex(0), TimestampMs(kCreated + 1));
  EXPECT_LT(parent.Value(EntryCounter(1)), parent.Value(EntryCounter(2)));
  EXPECT_LT(parent.Value(EntryCounter(~uint64_t{0})), child.Value(EntryCounter(0)));
}

TEST(SequenceNumberTest, RejectsAnotherShardsNumber) {
  SequenceNumberCodec a(ShardIndex(1), TimestampMs(kCreated));
  SequenceNumberCodec b(ShardIndex(2), TimestampMs(kCreated));
  auto r = a.Parse(b.Format(EntryCounter(4)));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(SequenceNumberTest, RejectsAReCreatedStreamsNumber) {
  SequenceNumberCodec old_stream(ShardIndex(0), TimestampMs(kCreated));
  SequenceNumberCodec new_stream(ShardIndex(0), TimestampMs(kCreated + 1));
  EXPECT_EQ(new_stream.Parse(old_stream.Format(EntryCounter(4))).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SequenceNumberTest, RejectsMalformedAndOtherVersions) {
  SequenceNumberCodec codec(ShardIndex(0), TimestampMs(kCreated));
  for (const char* bad :
       {"", "abc", "-1", "01", "1.5", "999999999999999999999999999999999999999999999", "12345"}) {
    EXPECT_EQ(codec.Parse(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace sluice::engine

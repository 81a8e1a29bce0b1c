// SPDX-License-Identifier: Apache-2.0
// Shard iterator tokens: round trip, size, and rejection of anything tampered with.
#include "web/api/iterator_token.h"

#include <gtest/gtest.h>

#include <string>

#include "web/api/page_token.h"
#include "web/api/wire_codec.h"

namespace sluice::web::api {
namespace {

const IteratorPosition kPos{StreamId(42), ShardIndex(7), EntryCounter(123456789012345ULL),
                            TimestampMs(1'700'000'000'123)};

TEST(IteratorTokenTest, RoundTrip) {
  IteratorCodec codec("secret-one");
  std::string token = codec.Encode(kPos);
  EXPECT_EQ(token.size(), 60u);  // 45 bytes in base64, far under AWS's 512 characters
  auto back = codec.Decode(token);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, kPos);
}

TEST(IteratorTokenTest, ExtremeValuesRoundTrip) {
  IteratorCodec codec("k");
  IteratorPosition p{StreamId(INT64_MAX), ShardIndex(UINT32_MAX), EntryCounter(UINT64_MAX),
                     TimestampMs(0)};
  auto back = codec.Decode(codec.Encode(p));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, p);
}

TEST(IteratorTokenTest, EveryFlippedByteIsRejected) {
  IteratorCodec codec("secret-one");
  auto raw = Base64Decode(codec.Encode(kPos));
  ASSERT_TRUE(raw.ok());
  for (size_t i = 0; i < raw->size(); ++i) {
    std::string forged = *raw;
    forged[i] = static_cast<char>(forged[i] ^ 0x01);
    auto r = codec.Decode(Base64Encode(forged));
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "Invalid ShardIterator.");
  }
}

TEST(IteratorTokenTest, OtherKeyBadBase64AndWrongLengthAreRejected) {
  IteratorCodec codec("secret-one");
  std::string token = codec.Encode(kPos);
  EXPECT_FALSE(IteratorCodec("secret-two").Decode(token).ok());
  EXPECT_FALSE(codec.Decode("").ok());
  EXPECT_FALSE(codec.Decode("bm90IGFuIGl0ZXI=").ok());
  EXPECT_FALSE(codec.Decode(token.substr(0, 56)).ok());
  EXPECT_FALSE(codec.Decode(token + "AAAA").ok());
  std::string bad = token;
  bad[10] = '!';
  EXPECT_FALSE(codec.Decode(bad).ok());
}

TEST(PageTokenTest, RoundTripAndKindBinding) {
  PageTokenCodec codec("secret-one");
  std::string token = codec.Encode("ListShards", {{"s", "orders"}, {"a", 3}}, TimestampMs(99));
  auto back = codec.Decode("ListShards", token);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->state["s"], "orders");
  EXPECT_EQ(back->state["a"], 3);
  EXPECT_EQ(back->issued, TimestampMs(99));
  EXPECT_FALSE(codec.Decode("ListStreams", token).ok());
  EXPECT_FALSE(PageTokenCodec("secret-two").Decode("ListShards", token).ok());
  auto raw = Base64Decode(token);
  ASSERT_TRUE(raw.ok());
  for (size_t i = 0; i < raw->size(); ++i) {
    std::string forged = *raw;
    forged[i] = static_cast<char>(forged[i] ^ 0x20);
    EXPECT_FALSE(codec.Decode("ListShards", Base64Encode(forged)).ok()) << "byte " << i;
  }
}

}  // namespace
}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// 128-bit decimal parsing and formatting at the edges, and MD5 routing values.
#include "base/uint128.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

constexpr const char* kMaxText = "340282366920938463463374607431768211455";  // 2^128 - 1

TEST(Uint128Test, FormatEdges) {
  EXPECT_EQ("0", FormatUint128(0));
  EXPECT_EQ("1", FormatUint128(1));
  EXPECT_EQ("18446744073709551616", FormatUint128(static_cast<uint128>(1) << 64));
  EXPECT_EQ(kMaxText, FormatUint128(kUint128Max));
}

TEST(Uint128Test, ParseAccepts) {
  EXPECT_EQ(static_cast<uint128>(0), *ParseUint128("0"));
  EXPECT_EQ(static_cast<uint128>(42), *ParseUint128("42"));
  EXPECT_TRUE(*ParseUint128(kMaxText) == kUint128Max);
  EXPECT_TRUE(*ParseUint128("340282366920938463463374607431768211454") == kUint128Max - 1);
}

TEST(Uint128Test, ParseRejects) {
  for (const char* bad : {"", "340282366920938463463374607431768211456",  // 2^128: overflow by one
                          "999999999999999999999999999999999999999999", "00", "01", "007", "-1",
                          "+1", " 1", "1 ", "1a", "0x10", "1.0", "-0"}) {
    Result<uint128> r = ParseUint128(bad);
    EXPECT_FALSE(r.ok()) << '"' << bad << '"';
    EXPECT_EQ(StatusCode::kInvalidArgument, r.status().code()) << bad;
  }
}

TEST(Uint128Test, RoundTrip) {
  uint128 v = 1;
  for (int i = 0; i < 128; i++, v = v * 3 + 7) {
    ASSERT_TRUE(*ParseUint128(FormatUint128(v)) == v) << FormatUint128(v);
  }
}

TEST(Uint128Test, Md5AsUint128) {
  uint128 expected = (static_cast<uint128>(0x0cc175b9c0f1b6a8ull) << 64) | 0x31c399e269772661ull;
  EXPECT_TRUE(Md5AsUint128("a") == expected) << FormatUint128(Md5AsUint128("a"));
  // MD5("") = d41d8cd98f00b204e9800998ecf8427e
  uint128 empty = (static_cast<uint128>(0xd41d8cd98f00b204ull) << 64) | 0xe9800998ecf8427eull;
  EXPECT_TRUE(Md5AsUint128("") == empty);
}

}  // namespace
}  // namespace sluice

// SPDX-License-Identifier: Apache-2.0
// Fixed-width and varint coding: round trips, byte order, and rejection of truncated or
// overlong input.
#include "base/coding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace sluice {
namespace {

TEST(CodingTest, Fixed32RoundTripAndLittleEndian) {
  std::string s;
  for (uint32_t v = 0; v < 100000; v++) PutFixed32(&s, v);
  const char* p = s.data();
  for (uint32_t v = 0; v < 100000; v++, p += 4) ASSERT_EQ(v, DecodeFixed32(p));
  std::string one;
  PutFixed32(&one, 0x04030201u);
  EXPECT_EQ(std::string("\x01\x02\x03\x04", 4), one);
}

TEST(CodingTest, Fixed64RoundTrip) {
  std::string s;
  std::vector<uint64_t> values;
  for (int power = 0; power <= 63; power++) {
    uint64_t v = uint64_t{1} << power;
    values.insert(values.end(), {v - 1, v, v + 1});
  }
  values.push_back(std::numeric_limits<uint64_t>::max());
  for (uint64_t v : values) PutFixed64(&s, v);
  std::string_view in = s;
  for (uint64_t v : values) {
    uint64_t got = 0;
    ASSERT_TRUE(GetFixed64(&in, &got));
    ASSERT_EQ(v, got);
  }
  EXPECT_TRUE(in.empty());
  uint64_t unused;
  EXPECT_FALSE(GetFixed64(&in, &unused));
  std::string one;
  PutFixed64(&one, 0x0807060504030201ull);
  EXPECT_EQ(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8), one);
}

TEST(CodingTest, Varint32RoundTrip) {
  std::string s;
  for (uint32_t i = 0; i < (32 * 32); i++) PutVarint32(&s, (i / 32) << (i % 32));
  std::string_view in = s;
  for (uint32_t i = 0; i < (32 * 32); i++) {
    uint32_t expected = (i / 32) << (i % 32);
    uint32_t got = 0;
    size_t before = in.size();
    ASSERT_TRUE(GetVarint32(&in, &got));
    ASSERT_EQ(expected, got);
    ASSERT_EQ(static_cast<size_t>(VarintLength(got)), before - in.size());
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, Varint64RoundTrip) {
  std::vector<uint64_t> values = {0, 100, ~uint64_t{0}, ~uint64_t{0} - 1};
  for (uint32_t k = 0; k < 64; k++) {
    uint64_t power = uint64_t{1} << k;
    values.insert(values.end(), {power, power - 1, power + 1});
  }
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  std::string_view in = s;
  for (uint64_t v : values) {
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(&in, &got));
    ASSERT_EQ(v, got);
  }
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(kMaxVarint64Bytes, VarintLength(~uint64_t{0}));
}

TEST(CodingTest, Varint32Overflow) {
  std::string_view in("\x81\x82\x83\x84\x85\x11", 6);
  uint32_t v;
  EXPECT_FALSE(GetVarint32(&in, &v));
  EXPECT_EQ(6u, in.size());  // untouched on failure
  std::string max;
  PutVarint32(&max, 0xffffffffu);
  std::string_view ok = max;
  ASSERT_TRUE(GetVarint32(&ok, &v));
  EXPECT_EQ(0xffffffffu, v);
  std::string too_big;
  PutVarint64(&too_big, uint64_t{1} << 32);
  std::string_view bad = too_big;
  EXPECT_FALSE(GetVarint32(&bad, &v));
}

TEST(CodingTest, Varint64Overflow) {
  std::string_view in("\x81\x82\x83\x84\x85\x81\x82\x83\x84\x85\x11", 11);
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&in, &v));
  std::string_view tenth_too_big("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
  EXPECT_FALSE(GetVarint64(&tenth_too_big, &v));
}

TEST(CodingTest, VarintTruncated) {
  std::string s;
  PutVarint64(&s, uint64_t{1} << 40);
  for (size_t len = 0; len < s.size(); len++) {
    std::string_view in(s.data(), len);
    uint64_t v;
    EXPECT_FALSE(GetVarint64(&in, &v)) << len;
    uint32_t v32;
    std::string_view in32(s.data(), std::min<size_t>(len, 4));
    EXPECT_FALSE(GetVarint32(&in32, &v32)) << len;
  }
}

TEST(CodingTest, LengthPrefixed) {
  std::string s;
  PutLengthPrefixed(&s, "");
  PutLengthPrefixed(&s, "foo");
  PutLengthPrefixed(&s, std::string(200, 'x'));
  std::string_view in = s;
  std::string_view v;
  ASSERT_TRUE(GetLengthPrefixed(&in, &v));
  EXPECT_EQ("", v);
  ASSERT_TRUE(GetLengthPrefixed(&in, &v));
  EXPECT_EQ("foo", v);
  ASSERT_TRUE(GetLengthPrefixed(&in, &v));
  EXPECT_EQ(std::string(200, 'x'), v);
  EXPECT_TRUE(in.empty());
  std::string_view truncated(
      "\x05"
      "abc",
      4);
  EXPECT_FALSE(GetLengthPrefixed(&truncated, &v));
  EXPECT_EQ(4u, truncated.size());
}

}  // namespace
}  // namespace sluice

// SPDX-License-Identifier: Apache-2.0
// CRC32C: published test vectors (RFC 3720 appendix B.4), Extend composition, masking, and
// agreement of the SSE4.2 and table-driven paths.
#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "base/crc32c_internal.h"

namespace sluice::crc32c {
namespace {

TEST(Crc32cTest, StandardVectors) {
  char buf[32];
  std::fill(std::begin(buf), std::end(buf), 0);
  EXPECT_EQ(0x8a9136aau, Value(buf, sizeof(buf)));
  std::fill(std::begin(buf), std::end(buf), static_cast<char>(0xff));
  EXPECT_EQ(0x62a8ab43u, Value(buf, sizeof(buf)));
  for (int i = 0; i < 32; i++) buf[i] = static_cast<char>(i);
  EXPECT_EQ(0x46dd794eu, Value(buf, sizeof(buf)));
  for (int i = 0; i < 32; i++) buf[i] = static_cast<char>(31 - i);
  EXPECT_EQ(0x113fdb5cu, Value(buf, sizeof(buf)));
  EXPECT_EQ(0xe3069283u, Value("123456789"));
  EXPECT_EQ(0u, Value(""));
}

TEST(Crc32cTest, ValuesDiffer) { EXPECT_NE(Value("a"), Value("foo")); }

TEST(Crc32cTest, ExtendEqualsWhole) {
  EXPECT_EQ(Value("hello world"), Extend(Value("hello "), "world", 5));
}

TEST(Crc32cTest, MaskRoundTripsAndChangesValue) {
  uint32_t crc = Value("foo");
  EXPECT_NE(crc, Mask(crc));
  EXPECT_NE(crc, Mask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Mask(crc)));
  EXPECT_EQ(crc, Unmask(Unmask(Mask(Mask(crc)))));
}

TEST(Crc32cTest, PortablePathMatchesVectors) {
  EXPECT_EQ(0xe3069283u, internal::ExtendPortable(0, "123456789", 9));
  std::string zeros(32, '\0');
  EXPECT_EQ(0x8a9136aau, internal::ExtendPortable(0, zeros.data(), zeros.size()));
}

TEST(Crc32cTest, HardwareAndPortableAgree) {
  if (!internal::HardwareAvailable()) GTEST_SKIP() << "CPU has no SSE4.2";
  std::mt19937 rng(42);
  std::string data(4096 + 7, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  // Every length and misalignment in a small window, plus a large buffer.
  for (size_t start = 0; start < 9; start++) {
    for (size_t len = 0; len < 100; len++) {
      uint32_t seed = static_cast<uint32_t>(rng());
      ASSERT_EQ(internal::ExtendPortable(seed, data.data() + start, len),
                internal::ExtendHardware(seed, data.data() + start, len))
          << "start=" << start << " len=" << len;
    }
  }
  EXPECT_EQ(internal::ExtendPortable(0, data.data(), data.size()),
            internal::ExtendHardware(0, data.data(), data.size()));
  EXPECT_EQ(0xe3069283u, internal::ExtendHardware(0, "123456789", 9));
}

}  // namespace
}  // namespace sluice::crc32c

// SPDX-License-Identifier: Apache-2.0
// CRC32C (Castagnoli), used by every on-disk entry. Hardware-accelerated (SSE4.2) when the CPU has
// it, table-driven otherwise. Masked form as in leveldb: storing the CRC of data that itself holds
// CRCs must not produce the same value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::crc32c {

// Returns the CRC32C of concat(A, data) where init_crc is the CRC32C of A.
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);
inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return ((rot >> 17) | (rot << 15));
}

}  // namespace sluice::crc32c

// SPDX-License-Identifier: Apache-2.0
// UUID v4 (RFC 9562 section 5.4) and x-amz-id-2 values from RAND_bytes.

#include "web/http/request_ids.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <random>

#include "web/api/wire_codec.h"

namespace sluice::web {
namespace {

template <size_t N>
std::array<uint8_t, N> RandomBytes() {
  std::array<uint8_t, N> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(N)) != 1) {
    // The CSPRNG failing is near impossible; ids only need to be unique, so fall back.
    thread_local std::mt19937_64 fallback{std::random_device{}()};
    for (auto& b : bytes) b = static_cast<uint8_t>(fallback());
  }
  return bytes;
}

}  // namespace

std::string NewRequestId() {
  auto b = RandomBytes<16>();
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id.push_back('-');
    id.push_back(kHex[b[i] >> 4]);
    id.push_back(kHex[b[i] & 0x0F]);
  }
  return id;
}

std::string NewAmzId2() {
  const auto b = RandomBytes<48>();
  return api::Base64Encode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

}  // namespace sluice::web

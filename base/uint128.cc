// SPDX-License-Identifier: Apache-2.0
// Decimal text <-> unsigned 128-bit integers (strict, overflow-checked), and MD5 read as a
// big-endian 128-bit number, as Kinesis routes partition keys.
#include "base/uint128.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>

namespace sluice {

std::string FormatUint128(uint128 v) {
  if (v == 0) return "0";
  char buf[40];  // 2^128-1 has 39 digits
  int pos = sizeof(buf);
  while (v != 0) {
    buf[--pos] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  return std::string(buf + pos, sizeof(buf) - static_cast<size_t>(pos));
}

Result<uint128> ParseUint128(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("not an unsigned 128-bit decimal (" + std::string(why) + "): \"" +
                                std::string(text.substr(0, 64)) + "\"");
  };
  if (text.empty()) return bad("empty");
  if (text.size() > 1 && text[0] == '0') return bad("leading zero");
  uint128 value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return bad("not a digit");
    auto digit = static_cast<uint128>(c - '0');
    if (value > (kUint128Max - digit) / 10) return bad("overflow");
    value = value * 10 + digit;
  }
  return value;
}

uint128 Md5AsUint128(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure or a missing MD5 provider; neither is recoverable
  // and a wrong hash would silently misroute records, so stop.
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr) != 1 || len != 16) {
    std::abort();
  }
  uint128 v = 0;
  for (unsigned int i = 0; i < 16; i++) v = (v << 8) | digest[i];
  return v;
}

}  // namespace sluice

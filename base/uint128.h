// SPDX-License-Identifier: Apache-2.0
// Unsigned 128-bit integers as decimal strings: Kinesis hash keys and sequence numbers travel as
// decimal text of 128-bit values.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace sluice {

using uint128 = unsigned __int128;

constexpr uint128 kUint128Max = ~static_cast<uint128>(0);

std::string FormatUint128(uint128 v);
// Accepts `0|[1-9][0-9]*` that fits in 128 bits; anything else is InvalidArgument.
Result<uint128> ParseUint128(std::string_view text);

// MD5 of the bytes, read as a big-endian 128-bit integer (Kinesis partition-key routing).
uint128 Md5AsUint128(std::string_view bytes);

}  // namespace sluice

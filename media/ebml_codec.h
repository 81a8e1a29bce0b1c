// SPDX-License-Identifier: Apache-2.0
// EBML element encoding (for the MKV writer and tests) and value decoding (for the parser):
// ids, vint sizes, unsigned/signed integers, floats and strings. Header-light, no state. Example:
//   std::string out;  PutUInt(&out, mkv::kTimecodeScale, 1000000);  PutMaster(&out, mkv::kInfo,
//   body); uint64_t v;  if (!ParseUInt(body, &v)) return Bad("TimecodeScale");
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::media {

// Largest size an 8-byte vint can carry (all ones is reserved for "unknown").
constexpr uint64_t kEbmlMaxSize = (uint64_t{1} << 56) - 2;

// Appends an element id (1-4 bytes, given with its marker bits).
void PutId(std::string* out, uint32_t id);
// Appends a size vint: the shortest form when width is 0, else exactly `width` bytes (1-8).
void PutSize(std::string* out, uint64_t size, int width = 0);
// Appends the 8-byte "unknown size" vint.
void PutUnknownSize(std::string* out);

void PutUInt(std::string* out, uint32_t id, uint64_t value);
void PutSInt(std::string* out, uint32_t id, int64_t value);
void PutFloat(std::string* out, uint32_t id, double value);            // 8-byte IEEE double
void PutBytes(std::string* out, uint32_t id, std::string_view value);  // strings and binary
void PutMaster(std::string* out, uint32_t id, std::string_view body);

// Decoders for element bodies; false when the body length is not valid for the type.
bool ParseUInt(std::string_view body, uint64_t* value);  // 0-8 bytes, big-endian
bool ParseSInt(std::string_view body, int64_t* value);   // 0-8 bytes, two's complement
bool ParseFloat(std::string_view body, double* value);   // 0, 4 or 8 bytes
// Strings may be padded with NULs; this drops everything from the first NUL.
std::string ParseString(std::string_view body);

// Reads a vint (as in block headers: track numbers, lace sizes) from the front of *in, advancing
// it; false if truncated or longer than 8 bytes. *length (if given) receives its byte count.
bool GetVint(std::string_view* in, uint64_t* value, int* length = nullptr);

}  // namespace sluice::media

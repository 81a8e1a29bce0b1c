// SPDX-License-Identifier: Apache-2.0
// Byte coding shared by every on-disk format: little-endian fixed-width integers and LEB128-style
// varints (leveldb's util/coding.h). Header-only and allocation-free except when appending to a
// std::string. Example:
//   std::string buf;  PutFixed32(&buf, crc);  PutVarint64(&buf, counter);
//   std::string_view in = buf;  uint64_t v;  if (!GetVarint64(&in, &v)) return DataLossError(...);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

// Varints take at most this many bytes.
constexpr int kMaxVarint32Bytes = 5;
constexpr int kMaxVarint64Bytes = 10;

// --- fixed width (little-endian) ----------------------------------------------------------------
// The byte-at-a-time forms compile to a single load/store on little-endian hosts.

inline void EncodeFixed32(char* dst, uint32_t v) {
  auto* p = reinterpret_cast<uint8_t*>(dst);
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

inline void EncodeFixed64(char* dst, uint64_t v) {
  EncodeFixed32(dst, static_cast<uint32_t>(v));
  EncodeFixed32(dst + 4, static_cast<uint32_t>(v >> 32));
}

// `src` must hold at least 4 (resp. 8) readable bytes.
inline uint32_t DecodeFixed32(const char* src) {
  const auto* p = reinterpret_cast<const uint8_t*>(src);
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

inline uint64_t DecodeFixed64(const char* src) {
  return static_cast<uint64_t>(DecodeFixed32(src)) |
         (static_cast<uint64_t>(DecodeFixed32(src + 4)) << 32);
}

inline void PutFixed32(std::string* dst, uint32_t v) {
  char buf[4];
  EncodeFixed32(buf, v);
  dst->append(buf, sizeof(buf));
}

inline void PutFixed64(std::string* dst, uint64_t v) {
  char buf[8];
  EncodeFixed64(buf, v);
  dst->append(buf, sizeof(buf));
}

// Reads a fixed-width value from the front of *input and advances it; false if too short.
inline bool GetFixed32(std::string_view* input, uint32_t* value) {
  if (input->size() < 4) return false;
  *value = DecodeFixed32(input->data());
  input->remove_prefix(4);
  return true;
}

inline bool GetFixed64(std::string_view* input, uint64_t* value) {
  if (input->size() < 8) return false;
  *value = DecodeFixed64(input->data());
  input->remove_prefix(8);
  return true;
}

// --- varints ------------------------------------------------------------------------------------
// 7 bits per byte, low group first; the high bit says "more bytes follow".

// Writes v at dst (which must have room for kMaxVarint64Bytes) and returns the byte after it.
inline char* EncodeVarint64(char* dst, uint64_t v) {
  auto* p = reinterpret_cast<uint8_t*>(dst);
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return reinterpret_cast<char*>(p);
}

inline char* EncodeVarint32(char* dst, uint32_t v) { return EncodeVarint64(dst, v); }

inline void PutVarint64(std::string* dst, uint64_t v) {
  char buf[kMaxVarint64Bytes];
  char* end = EncodeVarint64(buf, v);
  dst->append(buf, static_cast<size_t>(end - buf));
}

inline void PutVarint32(std::string* dst, uint32_t v) { PutVarint64(dst, v); }

// Number of bytes the varint encoding of v takes.
inline int VarintLength(uint64_t v) {
  int len = 1;
  while (v >= 0x80) {
    v >>= 7;
    len++;
  }
  return len;
}

// Parses a varint in [p, limit). Returns the byte after it, or nullptr when the input is truncated,
// longer than the type allows, or overflows 64 bits.
inline const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* value) {
  uint64_t result = 0;
  for (uint32_t shift = 0; shift <= 63 && p < limit; shift += 7) {
    uint64_t byte = *reinterpret_cast<const uint8_t*>(p);
    p++;
    // The tenth byte may only carry the single remaining bit.
    if (shift == 63 && byte > 1) return nullptr;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return p;
    }
  }
  return nullptr;
}

inline const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* value) {
  uint32_t result = 0;
  for (uint32_t shift = 0; shift <= 28 && p < limit; shift += 7) {
    uint32_t byte = *reinterpret_cast<const uint8_t*>(p);
    p++;
    if (shift == 28 && byte > 0x0f) return nullptr;  // would overflow 32 bits
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return p;
    }
  }
  return nullptr;
}

// Reads a varint from the front of *input and advances it; false (input untouched) if malformed.
inline bool GetVarint64(std::string_view* input, uint64_t* value) {
  const char* p = input->data();
  const char* limit = p + input->size();
  const char* q = GetVarint64Ptr(p, limit, value);
  if (q == nullptr) return false;
  input->remove_prefix(static_cast<size_t>(q - p));
  return true;
}

inline bool GetVarint32(std::string_view* input, uint32_t* value) {
  const char* p = input->data();
  const char* limit = p + input->size();
  const char* q = GetVarint32Ptr(p, limit, value);
  if (q == nullptr) return false;
  input->remove_prefix(static_cast<size_t>(q - p));
  return true;
}

// --- length-prefixed bytes: varint32 length, then the bytes -------------------------------------

inline void PutLengthPrefixed(std::string* dst, std::string_view value) {
  PutVarint32(dst, static_cast<uint32_t>(value.size()));
  dst->append(value.data(), value.size());
}

// Points *result into *input (no copy) and advances *input; false if malformed or truncated.
inline bool GetLengthPrefixed(std::string_view* input, std::string_view* result) {
  std::string_view in = *input;
  uint32_t len = 0;
  if (!GetVarint32(&in, &len) || in.size() < len) return false;
  *result = in.substr(0, len);
  in.remove_prefix(len);
  *input = in;
  return true;
}

}  // namespace sluice

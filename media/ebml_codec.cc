// SPDX-License-Identifier: Apache-2.0
// EBML element encoding and value decoding.
#include "media/ebml_codec.h"

#include <bit>
#include <cstring>

namespace sluice::media {

void PutId(std::string* out, uint32_t id) {
  int bytes = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>(id >> (8 * i)));
}

void PutSize(std::string* out, uint64_t size, int width) {
  if (width == 0) {
    width = 1;
    // A width w carries 7w bits; all ones is reserved, hence the strict comparison.
    while (width < 8 && size >= (uint64_t{1} << (7 * width)) - 1) ++width;
  }
  uint64_t v = size | (uint64_t{1} << (7 * width));
  for (int i = width - 1; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutUnknownSize(std::string* out) {
  static constexpr char kUnknown[8] = {0x01, -1, -1, -1, -1, -1, -1, -1};
  out->append(kUnknown, sizeof(kUnknown));
}

static void PutBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutUInt(std::string* out, uint32_t id, uint64_t value) {
  int bytes = 1;
  while (bytes < 8 && (value >> (8 * bytes)) != 0) ++bytes;
  PutId(out, id);
  PutSize(out, static_cast<uint64_t>(bytes));
  PutBigEndian(out, value, bytes);
}

void PutSInt(std::string* out, uint32_t id, int64_t value) {
  int bytes = 1;
  while (bytes < 8) {
    int64_t lo = -(int64_t{1} << (8 * bytes - 1));
    int64_t hi = (int64_t{1} << (8 * bytes - 1)) - 1;
    if (value >= lo && value <= hi) break;
    ++bytes;
  }
  PutId(out, id);
  PutSize(out, static_cast<uint64_t>(bytes));
  PutBigEndian(out, static_cast<uint64_t>(value), bytes);
}

void PutFloat(std::string* out, uint32_t id, double value) {
  PutId(out, id);
  PutSize(out, 8);
  PutBigEndian(out, std::bit_cast<uint64_t>(value), 8);
}

void PutBytes(std::string* out, uint32_t id, std::string_view value) {
  PutId(out, id);
  PutSize(out, value.size());
  out->append(value);
}

void PutMaster(std::string* out, uint32_t id, std::string_view body) { PutBytes(out, id, body); }

bool ParseUInt(std::string_view body, uint64_t* value) {
  if (body.size() > 8) return false;
  uint64_t v = 0;
  for (char c : body) v = (v << 8) | static_cast<uint8_t>(c);
  *value = v;
  return true;
}

bool ParseSInt(std::string_view body, int64_t* value) {
  uint64_t u = 0;
  if (!ParseUInt(body, &u)) return false;
  if (!body.empty() && body.size() < 8 && (static_cast<uint8_t>(body[0]) & 0x80) != 0) {
    u |= ~uint64_t{0} << (8 * body.size());  // sign-extend
  }
  *value = static_cast<int64_t>(u);
  return true;
}

bool ParseFloat(std::string_view body, double* value) {
  uint64_t u = 0;
  if (body.empty()) {
    *value = 0;
    return true;
  }
  if (!ParseUInt(body, &u)) return false;
  if (body.size() == 4) {
    *value = std::bit_cast<float>(static_cast<uint32_t>(u));
    return true;
  }
  if (body.size() == 8) {
    *value = std::bit_cast<double>(u);
    return true;
  }
  return false;
}

std::string ParseString(std::string_view body) {
  size_t nul = body.find('\0');
  return std::string(nul == std::string_view::npos ? body : body.substr(0, nul));
}

bool GetVint(std::string_view* in, uint64_t* value, int* length) {
  if (in->empty()) return false;
  auto first = static_cast<uint8_t>((*in)[0]);
  int len = std::countl_zero(first) + 1;
  if (len > 8 || in->size() < static_cast<size_t>(len)) return false;
  uint64_t v = first & (0xFFu >> len);
  for (int i = 1; i < len; ++i) v = (v << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(static_cast<size_t>(len));
  *value = v;
  if (length != nullptr) *length = len;
  return true;
}

}  // namespace sluice::media

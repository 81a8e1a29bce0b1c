// SPDX-License-Identifier: Apache-2.0
// IteratorCodec: binary layout, HMAC-SHA256 signing (OpenSSL) and base64 of shard iterators.
#include "web/api/iterator_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>
#include <utility>

#include "web/api/wire_codec.h"

namespace sluice::web::api {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kBodyBytes = 1 + 8 + 4 + 8 + 8;
constexpr size_t kMacBytes = 16;
constexpr size_t kTokenBytes = kBodyBytes + kMacBytes;

void PutBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetBigEndian(std::string_view in, size_t offset, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[offset + i]);
  return v;
}

std::array<unsigned char, EVP_MAX_MD_SIZE> Mac(const std::string& key, std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac.data(), &len);
  return mac;
}

Status InvalidToken() { return InvalidArgumentError("Invalid ShardIterator."); }

}  // namespace

IteratorCodec::IteratorCodec(std::string secret) : key_(std::move(secret)) {}

std::string IteratorCodec::Encode(const IteratorPosition& position) const {
  std::string raw;
  raw.reserve(kTokenBytes);
  raw.push_back(static_cast<char>(kVersion));
  PutBigEndian(&raw, static_cast<uint64_t>(position.stream.value()), 8);
  PutBigEndian(&raw, position.shard.value(), 4);
  PutBigEndian(&raw, position.counter.value(), 8);
  PutBigEndian(&raw, static_cast<uint64_t>(position.issued.value()), 8);
  auto mac = Mac(key_, raw);
  raw.append(reinterpret_cast<const char*>(mac.data()), kMacBytes);
  return Base64Encode(raw);
}

Result<IteratorPosition> IteratorCodec::Decode(std::string_view token) const {
  // A token of the wrong length cannot be ours; checking first avoids decoding huge inputs.
  if (token.size() != (kTokenBytes + 2) / 3 * 4) return InvalidToken();
  Result<std::string> raw = Base64Decode(token);
  if (!raw.ok() || raw->size() != kTokenBytes) return InvalidToken();
  std::string_view bytes = *raw;
  if (static_cast<uint8_t>(bytes[0]) != kVersion) return InvalidToken();
  auto mac = Mac(key_, bytes.substr(0, kBodyBytes));
  if (CRYPTO_memcmp(mac.data(), bytes.data() + kBodyBytes, kMacBytes) != 0) return InvalidToken();
  IteratorPosition pos;
  pos.stream = StreamId(static_cast<int64_t>(GetBigEndian(bytes, 1, 8)));
  pos.shard = ShardIndex(static_cast<uint32_t>(GetBigEndian(bytes, 9, 4)));
  pos.counter = EntryCounter(GetBigEndian(bytes, 13, 8));
  pos.issued = TimestampMs(static_cast<int64_t>(GetBigEndian(bytes, 21, 8)));
  return pos;
}

}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// PageTokenCodec: signing (OpenSSL HMAC-SHA256), framing and base64 of listing NextTokens.
#include "web/api/page_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>

#include "web/api/wire_codec.h"

namespace sluice::web::api {
namespace {

constexpr uint8_t kVersion = 2;
constexpr size_t kHeaderBytes = 1 + 8;
constexpr size_t kMacBytes = 16;
// Tokens are small (a name and a few numbers); anything far larger is not ours.
constexpr size_t kMaxTokenChars = 4096;

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len);
  return std::string(reinterpret_cast<const char*>(mac.data()), len);
}

std::string MacInput(std::string_view kind, std::string_view body) {
  std::string in;
  in.reserve(kind.size() + 1 + body.size());
  in.append(kind);
  in.push_back('\0');
  in.append(body);
  return in;
}

Status InvalidToken() { return InvalidArgumentError("Invalid NextToken."); }

}  // namespace

PageTokenCodec::PageTokenCodec(std::string_view secret)
    : key_(HmacSha256(secret, "sluice page token key v1")) {}

std::string PageTokenCodec::Encode(std::string_view kind, const nlohmann::json& state,
                                   TimestampMs issued) const {
  std::string body;
  body.push_back(static_cast<char>(kVersion));
  auto t = static_cast<uint64_t>(issued.value());
  for (int i = 7; i >= 0; --i) body.push_back(static_cast<char>((t >> (8 * i)) & 0xff));
  body.append(state.dump());
  std::string mac = HmacSha256(key_, MacInput(kind, body));
  body.append(mac.data(), kMacBytes);
  return Base64Encode(body);
}

Result<PageToken> PageTokenCodec::Decode(std::string_view kind, std::string_view token) const {
  if (token.empty() || token.size() > kMaxTokenChars) return InvalidToken();
  Result<std::string> raw = Base64Decode(token);
  if (!raw.ok() || raw->size() < kHeaderBytes + kMacBytes) return InvalidToken();
  std::string_view bytes = *raw;
  std::string_view body = bytes.substr(0, bytes.size() - kMacBytes);
  if (static_cast<uint8_t>(body[0]) != kVersion) return InvalidToken();
  std::string mac = HmacSha256(key_, MacInput(kind, body));
  if (CRYPTO_memcmp(mac.data(), bytes.data() + body.size(), kMacBytes) != 0) return InvalidToken();
  uint64_t t = 0;
  for (size_t i = 1; i < kHeaderBytes; ++i) t = (t << 8) | static_cast<uint8_t>(body[i]);
  PageToken page;
  page.issued = TimestampMs(static_cast<int64_t>(t));
  page.state =
      nlohmann::json::parse(body.substr(kHeaderBytes), nullptr, /*allow_exceptions=*/false);
  if (page.state.is_discarded()) return InvalidToken();
  return page;
}

}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// TokenSigner (HMAC-SHA256 with OpenSSL, strict base64 in two alphabets) and the session body
// codec.
#include "consumers/playback/session_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace sluice::consumers::playback {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kMacBytes = 16;
constexpr std::string_view kKeyLabel = "sluice playback token v1";

constexpr std::string_view kUrlChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kStdChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::array<unsigned char, EVP_MAX_MD_SIZE> Hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len);
  return mac;
}

std::string Base64(std::string_view in, TokenSigner::Alphabet alphabet) {
  const std::string_view chars = alphabet == TokenSigner::Alphabet::kUrl ? kUrlChars : kStdChars;
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out += chars[v >> 18];
    out += chars[(v >> 12) & 63];
    out += chars[(v >> 6) & 63];
    out += chars[v & 63];
  }
  const size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += chars[v >> 18];
    out += chars[(v >> 12) & 63];
    if (rest == 2) out += chars[(v >> 6) & 63];
    if (alphabet == TokenSigner::Alphabet::kStandard) out.append(3 - rest, '=');
  }
  return out;
}

// Decodes, then insists that re-encoding gives back the same text (no stray bits or padding).
std::optional<std::string> Unbase64(std::string_view in, TokenSigner::Alphabet alphabet) {
  const std::string_view chars = alphabet == TokenSigner::Alphabet::kUrl ? kUrlChars : kStdChars;
  std::string_view body = in;
  if (alphabet == TokenSigner::Alphabet::kStandard) {
    while (!body.empty() && body.back() == '=') body.remove_suffix(1);
  }
  if (body.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(body.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : body) {
    const size_t v = chars.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (Base64(out, alphabet) != in) return std::nullopt;
  return out;
}

void PutU64(std::string* out, uint64_t v, int bytes = 8) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetU64(std::string_view in, size_t at, int bytes = 8) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return v;
}

// Session body: flags u8 | mode u8 | axis u8 | container u8 | discontinuity u8 | max u32 |
// stream id, start, end, issued, expires, availability start (i64 each) | stream name.
constexpr size_t kFixedBody = 5 + 4 + 6 * 8;
enum Flags : uint8_t {
  kHasStart = 1,
  kHasEnd = 2,
  kDisplayTimestamp = 4,
  kDisplayNumber = 8,
  kLowLatency = 16,
};

Status Invalid() { return DeadlineExceededError(std::string(kSessionInvalidMessage)); }

}  // namespace

TokenSigner::TokenSigner(std::string_view secret) {
  auto k = Hmac(secret, kKeyLabel);
  key_.assign(reinterpret_cast<const char*>(k.data()), 32);
}

std::string TokenSigner::Sign(TokenKind kind, std::string_view body, Alphabet alphabet) const {
  std::string raw;
  raw.reserve(2 + body.size() + kMacBytes);
  raw.push_back(static_cast<char>(kVersion));
  raw.push_back(static_cast<char>(kind));
  raw.append(body);
  auto mac = Hmac(key_, raw);
  raw.append(reinterpret_cast<const char*>(mac.data()), kMacBytes);
  return Base64(raw, alphabet);
}

std::optional<std::string> TokenSigner::Verify(TokenKind kind, std::string_view token,
                                               Alphabet alphabet) const {
  if (token.size() > 8192) return std::nullopt;
  std::optional<std::string> raw = Unbase64(token, alphabet);
  if (!raw || raw->size() < 2 + kMacBytes) return std::nullopt;
  std::string_view bytes = *raw;
  if (static_cast<uint8_t>(bytes[0]) != kVersion ||
      static_cast<uint8_t>(bytes[1]) != static_cast<uint8_t>(kind)) {
    return std::nullopt;
  }
  const std::string_view signed_part = bytes.substr(0, bytes.size() - kMacBytes);
  auto mac = Hmac(key_, signed_part);
  if (CRYPTO_memcmp(mac.data(), bytes.data() + signed_part.size(), kMacBytes) != 0) {
    return std::nullopt;
  }
  return std::string(signed_part.substr(2));
}

std::string SessionTokenCodec::Encode(const SessionParams& p) const {
  std::string body;
  body.reserve(kFixedBody + p.stream.size());
  uint8_t flags = 0;
  if (p.start) flags |= kHasStart;
  if (p.end) flags |= kHasEnd;
  if (p.display_timestamp) flags |= kDisplayTimestamp;
  if (p.display_number) flags |= kDisplayNumber;
  if (p.low_latency) flags |= kLowLatency;
  body.push_back(static_cast<char>(flags));
  body.push_back(static_cast<char>(p.mode));
  body.push_back(static_cast<char>(p.axis));
  body.push_back(static_cast<char>(p.container));
  body.push_back(static_cast<char>(p.discontinuity));
  PutU64(&body, p.max_fragments, 4);
  PutU64(&body, static_cast<uint64_t>(p.stream_id.value()));
  PutU64(&body, static_cast<uint64_t>(p.start.value_or(TimestampMs(0)).value()));
  PutU64(&body, static_cast<uint64_t>(p.end.value_or(TimestampMs(0)).value()));
  PutU64(&body, static_cast<uint64_t>(p.issued.value()));
  PutU64(&body, static_cast<uint64_t>(p.expires.value()));
  PutU64(&body, static_cast<uint64_t>(p.availability_start_ms));
  body += p.stream;
  return signer_.Sign(p.kind, body, TokenSigner::Alphabet::kUrl);
}

Result<SessionParams> SessionTokenCodec::Decode(std::string_view token, TimestampMs now) const {
  SessionParams p;
  std::optional<std::string> body;
  for (TokenKind kind : {TokenKind::kHlsSession, TokenKind::kDashSession}) {
    body = signer_.Verify(kind, token, TokenSigner::Alphabet::kUrl);
    if (body) {
      p.kind = kind;
      break;
    }
  }
  if (!body || body->size() < kFixedBody) return Invalid();
  const std::string_view b = *body;
  const auto flags = static_cast<uint8_t>(b[0]);
  const auto mode = static_cast<uint8_t>(b[1]);
  const auto axis = static_cast<uint8_t>(b[2]);
  const auto container = static_cast<uint8_t>(b[3]);
  const auto discontinuity = static_cast<uint8_t>(b[4]);
  if (mode > 2 || axis > 1 || container > 1 || discontinuity > 2) return Invalid();
  p.mode = static_cast<PlaybackMode>(mode);
  p.axis = static_cast<index::TimeAxis>(axis);
  p.container = static_cast<ContainerFormat>(container);
  p.discontinuity = static_cast<DiscontinuityMode>(discontinuity);
  p.display_timestamp = (flags & kDisplayTimestamp) != 0;
  p.display_number = (flags & kDisplayNumber) != 0;
  p.low_latency = (flags & kLowLatency) != 0;
  p.max_fragments = static_cast<uint32_t>(GetU64(b, 5, 4));
  p.stream_id = StreamId(static_cast<int64_t>(GetU64(b, 9)));
  if (flags & kHasStart) p.start = TimestampMs(static_cast<int64_t>(GetU64(b, 17)));
  if (flags & kHasEnd) p.end = TimestampMs(static_cast<int64_t>(GetU64(b, 25)));
  p.issued = TimestampMs(static_cast<int64_t>(GetU64(b, 33)));
  p.expires = TimestampMs(static_cast<int64_t>(GetU64(b, 41)));
  p.availability_start_ms = static_cast<int64_t>(GetU64(b, 49));
  p.stream = std::string(b.substr(kFixedBody));
  if (now >= p.expires) return DeadlineExceededError(std::string(kSessionExpiredMessage));
  return p;
}

}  // namespace sluice::consumers::playback

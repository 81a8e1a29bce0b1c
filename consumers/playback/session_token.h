// SPDX-License-Identifier: Apache-2.0
// Session tokens: everything an HLS or DASH session needs (stream, mode, range, options, issue
// and expiry time) carried in the URL itself, signed so that it cannot be forged or altered.
// The server keeps no session state; a token works on any process that shares the secret.
//
// Signed token := base64(version u8 | kind u8 | body | HMAC-SHA256(key, version|kind|body)[0..16))
// with the URL-safe alphabet without padding for session tokens (they sit in query strings
// unescaped) and the standard alphabet with padding where the AWS model wants it (GetImages'
// NextToken). Decoding is strict: a token that is not the canonical encoding of its bytes is
// rejected, so every altered character is detected. The session body layout is in README.md.
// Example:
//   SessionTokenCodec codec(secret);
//   std::string token = codec.Encode(params);
//   ASSIGN_OR_RETURN(SessionParams p, codec.Decode(token, clock->Now()));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/ids.h"
#include "base/result.h"
#include "consumers/playback/playback_service.h"
#include "index/fragment_index.h"

namespace sluice::consumers::playback {

// Token kinds: the kind is signed, so a token of one kind never decodes as another.
enum class TokenKind : uint8_t { kHlsSession = 1, kDashSession = 2, kImagesPage = 3 };

// HMAC-SHA256 signing of small opaque bodies. Thread-safe after construction.
class TokenSigner {
 public:
  enum class Alphabet { kUrl, kStandard };
  // Derives its key from `secret`; an empty secret is allowed (tests) but signs weakly.
  explicit TokenSigner(std::string_view secret);

  std::string Sign(TokenKind kind, std::string_view body, Alphabet alphabet) const;
  // The body, or nullopt for anything this signer did not produce for `kind`.
  std::optional<std::string> Verify(TokenKind kind, std::string_view token,
                                    Alphabet alphabet) const;

 private:
  std::string key_;
};

// One HLS or DASH session, with every default applied.
struct SessionParams {
  TokenKind kind = TokenKind::kHlsSession;  // kHlsSession or kDashSession
  StreamId stream_id;
  std::string stream;  // engine name
  PlaybackMode mode = PlaybackMode::kLive;
  index::TimeAxis axis = index::TimeAxis::kServer;
  std::optional<TimestampMs> start;
  std::optional<TimestampMs> end;
  ContainerFormat container = ContainerFormat::kFragmentedMp4;
  DiscontinuityMode discontinuity = DiscontinuityMode::kAlways;
  bool display_timestamp = false;
  bool display_number = false;  // DASH
  bool low_latency = false;     // HLS
  uint32_t max_fragments = 5;
  TimestampMs issued;
  TimestampMs expires;
  // DASH dynamic manifests: the wall-clock time (ms) of media time 0, fixed for the session so
  // that every refresh places segments at the same presentation times (README.md, "DASH").
  int64_t availability_start_ms = 0;

  friend bool operator==(const SessionParams&, const SessionParams&) = default;
};

class SessionTokenCodec {
 public:
  explicit SessionTokenCodec(std::string_view secret) : signer_(secret) {}

  std::string Encode(const SessionParams& params) const;
  // DeadlineExceeded with kSessionInvalidMessage for a token this codec did not issue and with
  // kSessionExpiredMessage once `now` reached its expiry.
  Result<SessionParams> Decode(std::string_view token, TimestampMs now) const;

 private:
  TokenSigner signer_;
};

}  // namespace sluice::consumers::playback

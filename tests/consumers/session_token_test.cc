// SPDX-License-Identifier: Apache-2.0
// Session tokens and signed page tokens: round trips, every altered character rejected, expiry,
// kinds and secrets kept apart.
#include "consumers/playback/session_token.h"

#include <gtest/gtest.h>

namespace sluice::consumers::playback {
namespace {

SessionParams Sample() {
  SessionParams p;
  p.kind = TokenKind::kHlsSession;
  p.stream_id = StreamId(42);
  p.stream = "front-door.cam_1";
  p.mode = PlaybackMode::kLiveReplay;
  p.axis = index::TimeAxis::kProducer;
  p.start = TimestampMs(1'700'000'000'000);
  p.container = ContainerFormat::kMpegTs;
  p.discontinuity = DiscontinuityMode::kOnDiscontinuity;
  p.display_timestamp = true;
  p.low_latency = true;
  p.max_fragments = 4999;
  p.issued = TimestampMs(1'700'000'100'000);
  p.expires = TimestampMs(1'700'000'400'000);
  p.availability_start_ms = -12345;
  return p;
}

TEST(SessionTokenTest, RoundTripsEveryParameter) {
  SessionTokenCodec codec("secret");
  SessionParams p = Sample();
  auto back = codec.Decode(codec.Encode(p), p.issued);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, p);

  p.kind = TokenKind::kDashSession;
  p.mode = PlaybackMode::kOnDemand;
  p.axis = index::TimeAxis::kServer;
  p.end = TimestampMs(1'700'000'050'000);
  p.start = TimestampMs(-1);
  p.display_number = true;
  p.low_latency = false;
  p.container = ContainerFormat::kFragmentedMp4;
  p.discontinuity = DiscontinuityMode::kNever;
  back = codec.Decode(codec.Encode(p), p.issued);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, p);
}

TEST(SessionTokenTest, TokensAreUrlSafe) {
  SessionTokenCodec codec("secret");
  const std::string token = codec.Encode(Sample());
  for (char c : token) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
  }
}

TEST(SessionTokenTest, EveryAlteredCharacterIsRejected) {
  SessionTokenCodec codec("secret");
  const SessionParams p = Sample();
  const std::string token = codec.Encode(p);
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=%";
  for (size_t i = 0; i < token.size(); ++i) {
    for (char c : {static_cast<char>(token[i] ^ 1),
                   alphabet[(alphabet.find(token[i]) + 7) % alphabet.size()]}) {
      if (c == token[i]) continue;
      std::string bad = token;
      bad[i] = c;
      auto r = codec.Decode(bad, p.issued);
      ASSERT_FALSE(r.ok()) << "position " << i;
      EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
      EXPECT_EQ(r.status().message(), kSessionInvalidMessage);
    }
  }
  for (const std::string& bad :
       {std::string(), token.substr(1), token + "A", token + "==", std::string(5000, 'A')}) {
    EXPECT_EQ(codec.Decode(bad, p.issued).status().message(), kSessionInvalidMessage);
  }
}

TEST(SessionTokenTest, ExpiresAtItsExpiryTime) {
  ManualClock clock(TimestampMs(1'700'000'100'000));
  SessionTokenCodec codec("secret");
  const SessionParams p = Sample();  // 300 s
  const std::string token = codec.Encode(p);
  EXPECT_TRUE(codec.Decode(token, clock.Now()).ok());
  clock.Advance(299'999);
  EXPECT_TRUE(codec.Decode(token, clock.Now()).ok());
  clock.Advance(1);
  auto r = codec.Decode(token, clock.Now());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), kSessionExpiredMessage);
}

TEST(SessionTokenTest, OtherSecretOrKindIsRejected) {
  const SessionParams p = Sample();
  const std::string token = SessionTokenCodec("secret").Encode(p);
  EXPECT_FALSE(SessionTokenCodec("other").Decode(token, p.issued).ok());

  TokenSigner signer("secret");
  const std::string page = signer.Sign(TokenKind::kImagesPage, "body", TokenSigner::Alphabet::kUrl);
  EXPECT_FALSE(SessionTokenCodec("secret").Decode(page, p.issued).ok());
  EXPECT_EQ(signer.Verify(TokenKind::kImagesPage, page, TokenSigner::Alphabet::kUrl), "body");
  EXPECT_EQ(signer.Verify(TokenKind::kHlsSession, page, TokenSigner::Alphabet::kUrl), std::nullopt);
}

TEST(SessionTokenTest, StandardAlphabetIsPaddedAndStrict) {
  TokenSigner signer("k");
  for (const std::string& body : {std::string(), std::string("a"), std::string("ab"),
                                  std::string("abc"), std::string(100, '\xff')}) {
    const std::string t =
        signer.Sign(TokenKind::kImagesPage, body, TokenSigner::Alphabet::kStandard);
    EXPECT_EQ(t.size() % 4, 0u);
    EXPECT_EQ(signer.Verify(TokenKind::kImagesPage, t, TokenSigner::Alphabet::kStandard), body);
    if (t.find_first_of("+/=") != std::string::npos) {
      EXPECT_EQ(signer.Verify(TokenKind::kImagesPage, t, TokenSigner::Alphabet::kUrl), std::nullopt)
          << t;
    }
    if (t.back() == '=') {
      EXPECT_EQ(signer.Verify(TokenKind::kImagesPage, t.substr(0, t.size() - 1),
                              TokenSigner::Alphabet::kStandard),
                std::nullopt);
    }
  }
}

}  // namespace
}  // namespace sluice::consumers::playback

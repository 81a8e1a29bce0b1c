// SPDX-License-Identifier: Apache-2.0
// SelectPlayableTracks and DescribeTrack: real headers from ffmpeg (H.264, H.265, AAC, G.711),
// size and rate read from the parameter sets, RFC 6381 strings, the three error kinds, and
// untrusted codec private data (random bytes, every truncation) that must never crash.
#include <gtest/gtest.h>

#include <random>

#include "media/remux.h"
#include "media/remux_codec_config.h"
#include "tests/media/remux_test_util.h"

namespace sluice::media {
namespace {

using testing::LoadStream;
using testing::StoredStream;

TrackInfo Track(uint64_t number, TrackType type, std::string codec_id, std::string priv) {
  TrackInfo t;
  t.number = number;
  t.type = type;
  t.codec_id = std::move(codec_id);
  t.codec_private = std::move(priv);
  return t;
}

TrackHeader HeaderOf(std::vector<TrackInfo> tracks) {
  TrackHeader h;
  h.version = 1;
  h.tracks = std::move(tracks);
  return h;
}

void ExpectError(const Result<PlayableTracks>& r, std::string_view prefix) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(r.status().message().starts_with(prefix)) << r.status().message();
}

std::string Hex2(uint8_t v) {
  static const char* kDigits = "0123456789abcdef";
  return {kDigits[v >> 4], kDigits[v & 15]};
}

TEST(RemuxTracksTest, SelectsVideoAndAudioOfARealStream) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264_aac");
  ASSERT_EQ(s.header.tracks.size(), 2u);
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->count(), 2u);
  EXPECT_EQ(t->video, &s.header.tracks[0]);
  EXPECT_EQ(t->audio, &s.header.tracks[1]);
  EXPECT_EQ(t->Output(1), t->video);
  EXPECT_EQ(t->Output(2), t->audio);
  EXPECT_EQ(t->Output(3), nullptr);
  EXPECT_EQ(t->Output(0), nullptr);
}

TEST(RemuxTracksTest, DescribesH264FromAvcC) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264");
  ASSERT_EQ(s.header.tracks.size(), 1u);
  const TrackInfo& v = s.header.tracks[0];
  Result<TrackDescription> d = DescribeTrack(v);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const auto b = [&](size_t i) { return static_cast<uint8_t>(v.codec_private[i]); };
  EXPECT_EQ(d->codecs, "avc1." + Hex2(b(1)) + Hex2(b(2)) + Hex2(b(3)));
  EXPECT_EQ(d->codecs.substr(0, 7), "avc1.64");  // x264 default: High profile
  EXPECT_EQ(d->width, 320u);
  EXPECT_EQ(d->height, 240u);
  EXPECT_DOUBLE_EQ(d->frame_rate, 25.0);
  EXPECT_EQ(d->sample_rate, 0u);
}

TEST(RemuxTracksTest, SizeAndRateComeFromTheSpsWhenTheTrackLacksThem) {
  REQUIRE_FFMPEG();
  for (const char* name : {"h264", "h265"}) {
    TrackInfo v = LoadStream(name).header.tracks.at(0);
    v.width = 0;
    v.height = 0;
    v.default_duration_ns = kUnknownTime;
    Result<TrackDescription> d = DescribeTrack(v);
    ASSERT_TRUE(d.ok()) << name << d.status().ToString();
    EXPECT_EQ(d->width, 320u) << name;
    EXPECT_EQ(d->height, 240u) << name;
    // x264 writes timing info in the SPS VUI, which is read. x265 writes it in its SPS VUI only
    // (not in the VPS, not in hvcC's avgFrameRate), which is not read: unknown.
    EXPECT_DOUBLE_EQ(d->frame_rate, std::string(name) == "h264" ? 25.0 : 0.0) << name;
  }
}

TEST(RemuxTracksTest, DescribesH265FromHvcC) {
  REQUIRE_FFMPEG();
  const TrackInfo v = LoadStream("h265").header.tracks.at(0);
  Result<TrackDescription> d = DescribeTrack(v);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  // Main profile (1), compatibility flags 1 and 2 (reversed: 6), main tier, hvcC's level.
  EXPECT_TRUE(d->codecs.starts_with("hvc1.1.6.L" +
                                    std::to_string(static_cast<uint8_t>(v.codec_private[12]))))
      << d->codecs;
  EXPECT_EQ(d->width, 320u);
  EXPECT_EQ(d->height, 240u);
  EXPECT_DOUBLE_EQ(d->frame_rate, 25.0);

  // Other profile, tier and constraint bytes, on the same parameter sets.
  TrackInfo other = v;
  other.codec_private[1] = static_cast<char>(0x40 | 0x20 | 2);  // space 1 (A), high tier, Main 10
  const std::string compat("\x20\x00\x00\x00", 4);              // flag 2 -> reversed 4
  other.codec_private.replace(2, 4, compat);
  const std::string constraint("\xb0\x00\x00\x00\x00\x00", 6);
  other.codec_private.replace(6, 6, constraint);
  other.codec_private[12] = static_cast<char>(153);
  d = DescribeTrack(other);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->codecs, "hvc1.A2.4.H153.B0");
}

TEST(RemuxTracksTest, DescribesAudio) {
  REQUIRE_FFMPEG();
  Result<TrackDescription> aac = DescribeTrack(LoadStream("h264_aac").header.tracks.at(1));
  ASSERT_TRUE(aac.ok()) << aac.status().ToString();
  EXPECT_EQ(aac->codecs, "mp4a.40.2");
  EXPECT_EQ(aac->sample_rate, 44100u);
  EXPECT_EQ(aac->channels, 1u);
  Result<TrackDescription> ulaw = DescribeTrack(LoadStream("h264_ulaw").header.tracks.at(1));
  ASSERT_TRUE(ulaw.ok()) << ulaw.status().ToString();
  EXPECT_EQ(ulaw->codecs, "ulaw");
  EXPECT_EQ(ulaw->sample_rate, 8000u);
  EXPECT_EQ(ulaw->channels, 1u);
  // HE-AAC v1 (explicit SBR: object type 5, 24 kHz core, 48 kHz extension, stereo).
  Result<TrackDescription> he =
      DescribeTrack(Track(2, TrackType::kAudio, "A_AAC", std::string("\x2b\x11\x88\x00", 4)));
  ASSERT_TRUE(he.ok()) << he.status().ToString();
  EXPECT_EQ(he->codecs, "mp4a.40.5");
  EXPECT_EQ(he->sample_rate, 48000u);  // what a decoder outputs
  EXPECT_EQ(he->channels, 2u);
}

TEST(RemuxTracksTest, G711OnlyWhereAllowed) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264_ulaw");
  Result<PlayableTracks> hls = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(hls.ok()) << hls.status().ToString();
  EXPECT_EQ(hls->audio, nullptr);  // video plays alone
  EXPECT_EQ(hls->count(), 1u);
  Result<PlayableTracks> dash = SelectPlayableTracks(s.header, {.allow_g711 = true});
  ASSERT_TRUE(dash.ok()) << dash.status().ToString();
  EXPECT_EQ(dash->audio, &s.header.tracks[1]);
  // Audio-only G.711: unsupported for HLS, output track 1 for DASH.
  const TrackHeader audio_only = HeaderOf({s.header.tracks[1]});
  ExpectError(SelectPlayableTracks(audio_only, {}), kUnsupportedMediaPrefix);
  Result<PlayableTracks> a = SelectPlayableTracks(audio_only, {.allow_g711 = true});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->Output(1), &audio_only.tracks[0]);
  EXPECT_EQ(a->Output(2), nullptr);
}

TEST(RemuxTracksTest, AudioOnlyAacIsOutputTrackOne) {
  const TrackHeader h =
      HeaderOf({Track(3, TrackType::kAudio, "A_AAC", std::string("\x12\x10", 2))});
  Result<PlayableTracks> t = SelectPlayableTracks(h, {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->video, nullptr);
  EXPECT_EQ(t->Output(1), &h.tracks[0]);
  EXPECT_EQ(t->count(), 1u);
}

TEST(RemuxTracksTest, UnsupportedMedia) {
  ExpectError(SelectPlayableTracks(HeaderOf({Track(1, TrackType::kVideo, "V_VP9", "x")}), {}),
              kUnsupportedMediaPrefix);
  ExpectError(
      SelectPlayableTracks(HeaderOf({Track(1, TrackType::kSubtitle, "S_TEXT/UTF8", "")}), {}),
      kUnsupportedMediaPrefix);
  ExpectError(SelectPlayableTracks(HeaderOf({}), {}), kUnsupportedMediaPrefix);
  ExpectError(SelectPlayableTracks(HeaderOf({Track(1, TrackType::kAudio, "A_OPUS", "x")}), {}),
              kUnsupportedMediaPrefix);
  // A_MS/ACM that is not G.711 (PCM, format tag 1).
  const std::string pcm("\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00", 16);
  ExpectError(SelectPlayableTracks(HeaderOf({Track(1, TrackType::kAudio, "A_MS/ACM", pcm)}),
                                   {.allow_g711 = true}),
              kUnsupportedMediaPrefix);
  EXPECT_FALSE(DescribeTrack(Track(1, TrackType::kVideo, "V_VP9", "x")).ok());
}

TEST(RemuxTracksTest, MissingCodecPrivateData) {
  ExpectError(
      SelectPlayableTracks(HeaderOf({Track(1, TrackType::kVideo, "V_MPEG4/ISO/AVC", "")}), {}),
      kMissingCodecPrivatePrefix);
  ExpectError(
      SelectPlayableTracks(HeaderOf({Track(1, TrackType::kVideo, "V_MPEGH/ISO/HEVC", "")}), {}),
      kMissingCodecPrivatePrefix);
  ExpectError(SelectPlayableTracks(HeaderOf({Track(1, TrackType::kAudio, "A_AAC", "")}), {}),
              kMissingCodecPrivatePrefix);
  ExpectError(SelectPlayableTracks(HeaderOf({Track(1, TrackType::kAudio, "A_MS/ACM", "")}),
                                   {.allow_g711 = true}),
              kMissingCodecPrivatePrefix);
}

TEST(RemuxTracksTest, InvalidCodecPrivateData) {
  REQUIRE_FFMPEG();
  const TrackInfo h264 = LoadStream("h264").header.tracks.at(0);
  auto with = [&](std::string codec_id, std::string priv) {
    TrackInfo t = h264;
    t.codec_id = std::move(codec_id);
    t.codec_private = std::move(priv);
    return HeaderOf({t});
  };
  // Annex B parameter sets instead of an avcC record.
  ExpectError(
      SelectPlayableTracks(with("V_MPEG4/ISO/AVC", std::string("\0\0\0\x01\x67\x64", 6)), {}),
      kInvalidCodecPrivatePrefix);
  // An avcC cut inside its SPS; an avcC whose SPS is garbage.
  ExpectError(SelectPlayableTracks(with("V_MPEG4/ISO/AVC", h264.codec_private.substr(0, 12)), {}),
              kInvalidCodecPrivatePrefix);
  std::string bad_sps = h264.codec_private;
  bad_sps[8] = 0x01;  // NAL type 1, not an SPS
  ExpectError(SelectPlayableTracks(with("V_MPEG4/ISO/AVC", bad_sps), {}),
              kInvalidCodecPrivatePrefix);
  // avcC bytes on an HEVC track.
  ExpectError(SelectPlayableTracks(with("V_MPEGH/ISO/HEVC", h264.codec_private), {}),
              kInvalidCodecPrivatePrefix);
  // Audio: object type 0; a reserved sampling frequency index.
  const TrackInfo video = h264;
  ExpectError(
      SelectPlayableTracks(
          HeaderOf({video, Track(2, TrackType::kAudio, "A_AAC", std::string("\0\0", 2))}), {}),
      kInvalidCodecPrivatePrefix);
  ExpectError(
      SelectPlayableTracks(
          HeaderOf({video, Track(2, TrackType::kAudio, "A_AAC", std::string("\x16\x88"))}), {}),
      kInvalidCodecPrivatePrefix);
}

// Untrusted bytes: every truncation of real codec private data and random records parse or fail
// cleanly (run under ASan/UBSan in the sanitizer build).
TEST(RemuxTracksTest, ArbitraryCodecPrivateDataNeverCrashes) {
  REQUIRE_FFMPEG();
  std::vector<TrackInfo> real = {
      LoadStream("h264").header.tracks.at(0), LoadStream("h265").header.tracks.at(0),
      LoadStream("h264_aac").header.tracks.at(1), LoadStream("h264_ulaw").header.tracks.at(1)};
  std::mt19937 rng(7);
  for (const TrackInfo& t : real) {
    for (size_t n = 0; n <= t.codec_private.size(); ++n) {
      TrackInfo cut = t;
      cut.codec_private.resize(n);
      DescribeTrack(cut).status().IgnoreError();
    }
    for (int i = 0; i < 2000; ++i) {
      TrackInfo noisy = t;
      for (char& c : noisy.codec_private) {
        if (rng() % 8 == 0) c = static_cast<char>(rng());
      }
      DescribeTrack(noisy).status().IgnoreError();
      std::string random(rng() % 64, '\0');
      for (char& c : random) c = static_cast<char>(rng());
      if (!random.empty()) random[0] = noisy.codec_private.empty() ? 1 : noisy.codec_private[0];
      noisy.codec_private = random;
      DescribeTrack(noisy).status().IgnoreError();
    }
  }
}

}  // namespace
}  // namespace sluice::media

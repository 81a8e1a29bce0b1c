// SPDX-License-Identifier: Apache-2.0
// Codec private data readers: avcC (ISO 14496-15 5.3.3), hvcC (8.3.3), AudioSpecificConfig
// (ISO 14496-3 1.6.2.1) and the WAVEFORMATEX of A_MS/ACM, with the RFC 6381 codecs strings
// (14496-15 Annex E for hvc1).
#include "media/remux_codec_config.h"

#include <cstdio>

#include "media/remux.h"
#include "media/remux_sps.h"

namespace sluice::media::remux {
namespace {

constexpr std::string_view kAvc = "V_MPEG4/ISO/AVC";
constexpr std::string_view kHevc = "V_MPEGH/ISO/HEVC";
constexpr std::string_view kAac = "A_AAC";  // also A_AAC/MPEG4/LC etc. (old ids)
constexpr std::string_view kAcm = "A_MS/ACM";

uint8_t U8(std::string_view b, size_t i) { return static_cast<uint8_t>(b[i]); }
uint32_t U16(std::string_view b, size_t i) { return (uint32_t{U8(b, i)} << 8) | U8(b, i + 1); }
uint32_t U16Le(std::string_view b, size_t i) { return U8(b, i) | (uint32_t{U8(b, i + 1)} << 8); }
uint32_t U32Le(std::string_view b, size_t i) { return U16Le(b, i) | (U16Le(b, i + 2) << 16); }

Status Invalid(const TrackInfo& t, std::string_view what) {
  return FailedPreconditionError(std::string(kInvalidCodecPrivatePrefix) + "track " +
                                 std::to_string(t.number) + " (" + t.codec_id +
                                 "): " + std::string(what));
}

std::string Hex(uint32_t v, const char* format) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

// The video frame rate a track's DefaultDuration implies; 0 without one.
double RateFromDefaultDuration(const TrackInfo& t) {
  if (t.default_duration_ns == kUnknownTime || t.default_duration_ns <= 0) return 0;
  return 1e9 / static_cast<double>(t.default_duration_ns);
}

void ApplySps(const TrackInfo& t, const std::optional<SpsInfo>& sps, CodecConfig* c) {
  c->width = t.width != 0 ? t.width : sps->width;
  c->height = t.height != 0 ? t.height : sps->height;
  c->frame_rate = RateFromDefaultDuration(t);
  if (c->frame_rate == 0) c->frame_rate = sps->frame_rate;
}

Result<CodecConfig> ParseAvcC(const TrackInfo& t) {
  const std::string_view b = t.codec_private;
  if (b.size() < 7 || U8(b, 0) != 1) return Invalid(t, "not an avcC record");
  if ((U8(b, 4) & 3) == 2) return Invalid(t, "NAL length size 3");
  CodecConfig c;
  c.codec = Codec::kH264;
  c.codecs = "avc1." + Hex(U8(b, 1), "%02x") + Hex(U8(b, 2), "%02x") + Hex(U8(b, 3), "%02x");
  size_t pos = 6;
  const int sps_count = U8(b, 5) & 0x1f;
  std::optional<SpsInfo> sps;
  for (int i = 0; i < sps_count; ++i) {
    if (pos + 2 > b.size() || pos + 2 + U16(b, pos) > b.size()) return Invalid(t, "truncated SPS");
    const std::string_view nal = b.substr(pos + 2, U16(b, pos));
    if (!sps) sps = ParseH264Sps(nal);
    pos += 2 + nal.size();
  }
  if (!sps) return Invalid(t, "no parsable SPS");
  if (pos >= b.size()) return Invalid(t, "no PPS count");
  const int pps_count = U8(b, pos++);
  for (int i = 0; i < pps_count; ++i) {
    if (pos + 2 > b.size() || pos + 2 + U16(b, pos) > b.size()) return Invalid(t, "truncated PPS");
    pos += 2 + U16(b, pos);
  }
  ApplySps(t, sps, &c);
  return c;
}

// "hvc1.<space><profile>.<compat reversed>.<tier><level>[.<constraint byte>]*".
std::string HevcCodecs(std::string_view b) {
  const uint8_t ptl = U8(b, 1);
  static constexpr const char* kSpace[] = {"", "A", "B", "C"};
  uint32_t compat = (uint32_t{U16(b, 2)} << 16) | U16(b, 4);
  uint32_t reversed = 0;
  for (int i = 0; i < 32; ++i) reversed |= ((compat >> i) & 1u) << (31 - i);
  std::string s = std::string("hvc1.") + kSpace[ptl >> 6] + std::to_string(ptl & 0x1f) + "." +
                  Hex(reversed, "%X") + "." + ((ptl & 0x20) ? "H" : "L") +
                  std::to_string(U8(b, 12));
  int last = 5;
  while (last >= 0 && U8(b, 6 + static_cast<size_t>(last)) == 0) --last;
  for (int i = 0; i <= last; ++i) s += "." + Hex(U8(b, 6 + static_cast<size_t>(i)), "%02X");
  return s;
}

Result<CodecConfig> ParseHvcC(const TrackInfo& t) {
  const std::string_view b = t.codec_private;
  if (b.size() < 23 || U8(b, 0) != 1) return Invalid(t, "not an hvcC record");
  if ((U8(b, 21) & 3) == 2) return Invalid(t, "NAL length size 3");
  CodecConfig c;
  c.codec = Codec::kH265;
  c.codecs = HevcCodecs(b);
  std::optional<SpsInfo> sps;
  double vps_rate = 0;
  size_t pos = 23;
  const int arrays = U8(b, 22);
  for (int a = 0; a < arrays; ++a) {
    if (pos + 3 > b.size()) return Invalid(t, "truncated NAL array");
    const int type = U8(b, pos) & 0x3f;
    const uint32_t count = U16(b, pos + 1);
    pos += 3;
    for (uint32_t i = 0; i < count; ++i) {
      if (pos + 2 > b.size() || pos + 2 + U16(b, pos) > b.size()) {
        return Invalid(t, "truncated NAL unit");
      }
      const std::string_view nal = b.substr(pos + 2, U16(b, pos));
      if (type == 33 && !sps) sps = ParseH265Sps(nal);
      if (type == 32 && vps_rate == 0) vps_rate = ParseH265VpsFrameRate(nal);
      pos += 2 + nal.size();
    }
  }
  if (!sps) return Invalid(t, "no parsable SPS");
  ApplySps(t, sps, &c);
  if (c.frame_rate == 0) c.frame_rate = vps_rate;
  if (c.frame_rate == 0 && U16(b, 19) != 0) c.frame_rate = U16(b, 19) / 256.0;
  return c;
}

Result<CodecConfig> ParseAudioSpecificConfig(const TrackInfo& t) {
  static constexpr uint32_t kRates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                        22050, 16000, 12000, 11025, 8000,  7350};
  BitReader r(t.codec_private);
  uint32_t object_type = r.Bits(5);
  if (object_type == 31) object_type = 32 + r.Bits(6);
  const uint32_t rate_index = r.Bits(4);
  uint32_t rate = 0;
  if (rate_index == 15) {
    rate = r.Bits(24);
  } else if (rate_index < std::size(kRates)) {
    rate = kRates[rate_index];
  }
  const uint32_t channel_config = r.Bits(4);
  uint32_t core_type = object_type;
  uint32_t output_rate = rate;
  if (object_type == 5 || object_type == 29) {  // explicit SBR / PS: extension rate, core type
    const uint32_t ext_index = r.Bits(4);
    if (ext_index == 15) {
      output_rate = r.Bits(24);
    } else if (ext_index < std::size(kRates)) {
      output_rate = kRates[ext_index];
    }
    core_type = r.Bits(5);
    if (core_type == 31) core_type = 32 + r.Bits(6);
  }
  bool short_frames = false;
  switch (core_type) {  // GASpecificConfig: frameLengthFlag
    case 1:
    case 2:
    case 3:
    case 4:
    case 6:
    case 7:
    case 17:
    case 19:
    case 20:
    case 21:
    case 22:
    case 23:
      short_frames = r.Flag();
      break;
    default:
      break;
  }
  if (r.failed() || object_type == 0 || rate == 0) return Invalid(t, "bad AudioSpecificConfig");
  CodecConfig c;
  c.codec = Codec::kAac;
  c.codecs = "mp4a.40." + std::to_string(object_type);
  c.sample_rate = rate;
  c.output_sample_rate = output_rate != 0 ? output_rate : rate;
  c.channels = channel_config == 7 ? 8 : channel_config;
  if (c.channels == 0) c.channels = t.channels != 0 ? t.channels : 2;  // program config element
  c.frame_samples = short_frames ? 960 : 1024;
  return c;
}

Result<CodecConfig> ParseWaveFormat(const TrackInfo& t, Codec codec) {
  const std::string_view b = t.codec_private;
  if (b.size() < 16) return Invalid(t, "short WAVEFORMATEX");
  CodecConfig c;
  c.codec = codec;
  c.codecs = codec == Codec::kAlaw ? "alaw" : "ulaw";
  c.channels = U16Le(b, 2);
  c.sample_rate = U32Le(b, 4);
  c.output_sample_rate = c.sample_rate;
  if (c.channels == 0 || c.channels > 8 || c.sample_rate == 0 || c.sample_rate > 192000) {
    return Invalid(t, "bad WAVEFORMATEX");
  }
  return c;
}

}  // namespace

std::optional<Codec> CodecOf(const TrackInfo& track, bool allow_g711) {
  const std::string_view id = track.codec_id;
  if (track.type == TrackType::kVideo) {
    if (id == kAvc) return Codec::kH264;
    if (id == kHevc) return Codec::kH265;
    return std::nullopt;
  }
  if (track.type != TrackType::kAudio) return std::nullopt;
  if (id.starts_with(kAac)) return Codec::kAac;
  if (id == kAcm && allow_g711) {
    // Without a WAVEFORMATEX the format is unknown; call it mu-law so that ParseCodecConfig
    // reports the missing codec private data.
    if (track.codec_private.empty()) return Codec::kMulaw;
    if (track.codec_private.size() < 2) return std::nullopt;
    const uint32_t tag = U16Le(track.codec_private, 0);
    if (tag == 6) return Codec::kAlaw;
    if (tag == 7) return Codec::kMulaw;
  }
  return std::nullopt;
}

Result<CodecConfig> ParseCodecConfig(const TrackInfo& track, Codec codec) {
  if (track.codec_private.empty()) {
    return FailedPreconditionError(std::string(kMissingCodecPrivatePrefix) + "track " +
                                   std::to_string(track.number) + " (" + track.codec_id + ")");
  }
  switch (codec) {
    case Codec::kH264:
      return ParseAvcC(track);
    case Codec::kH265:
      return ParseHvcC(track);
    case Codec::kAac:
      return ParseAudioSpecificConfig(track);
    case Codec::kAlaw:
    case Codec::kMulaw:
      return ParseWaveFormat(track, codec);
  }
  return Invalid(track, "unknown codec");
}

}  // namespace sluice::media::remux

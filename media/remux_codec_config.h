// SPDX-License-Identifier: Apache-2.0
// Internal to remux*.cc (and their tests): what the remuxer needs to know about a track's codec,
// read from its MKV codec id and codec private data (avcC / hvcC / AudioSpecificConfig /
// WAVEFORMATEX), including the SPS fields a playlist names (size, frame rate, RFC 6381 string).
// No libav here: plain parsing of untrusted bytes with bounds checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "media/fragment.h"

namespace sluice::media::remux {

enum class Codec { kH264, kH265, kAac, kAlaw, kMulaw };

inline bool IsVideo(Codec c) { return c == Codec::kH264 || c == Codec::kH265; }

// The codec a track carries, or nullopt when the remuxer cannot play it. A_MS/ACM is G.711 only
// when its WAVEFORMATEX says so (format tag 6 = A-law, 7 = mu-law) and `allow_g711`; with no
// codec private data at all it is taken as G.711, so that ParseCodecConfig reports it missing.
std::optional<Codec> CodecOf(const TrackInfo& track, bool allow_g711);

struct CodecConfig {
  Codec codec = Codec::kH264;
  std::string codecs;  // RFC 6381
  // Video: from the track, else the SPS (cropped). frame_rate from the default duration, else
  // the SPS VUI timing (H.264), the VPS timing or hvcC avgFrameRate (H.265; its SPS VUI is not
  // read); 0 when unknown.
  uint32_t width = 0;
  uint32_t height = 0;
  double frame_rate = 0;
  // Audio: AAC from the AudioSpecificConfig (core rate: one frame = frame_samples at this rate).
  uint32_t sample_rate = 0;
  uint32_t output_sample_rate = 0;  // decoded: twice the core rate with explicit SBR (HE-AAC)
  uint32_t channels = 0;
  uint32_t frame_samples = 0;  // AAC 1024 or 960; G.711 0 (any)
};

// Parses the codec private data of a track whose codec is `codec`. FailedPrecondition with
// kMissingCodecPrivatePrefix when it is empty, kInvalidCodecPrivatePrefix when it does not parse.
Result<CodecConfig> ParseCodecConfig(const TrackInfo& track, Codec codec);

}  // namespace sluice::media::remux

// SPDX-License-Identifier: Apache-2.0
// Internal to remux*.cc: the few H.264 / H.265 parameter-set fields playback needs (picture size
// after cropping, frame rate from the timing info), read with a bounds-checked bit reader.
// Input is one NAL unit with its header and emulation prevention bytes, as avcC / hvcC hold it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::media::remux {

// Reads bits MSB first from RBSP bytes; every read past the end sets failed() and returns 0.
class BitReader {
 public:
  explicit BitReader(std::string_view bytes) : data_(bytes) {}
  uint32_t Bits(int n);  // n <= 32
  bool Flag() { return Bits(1) != 0; }
  void Skip(size_t n);
  uint32_t Ue();  // Exp-Golomb, unsigned
  int32_t Se();   // Exp-Golomb, signed
  bool failed() const { return failed_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;  // in bits
  bool failed_ = false;
};

// Removes emulation prevention bytes (00 00 03 -> 00 00).
std::string NalToRbsp(std::string_view nal);

struct SpsInfo {
  uint32_t width = 0;
  uint32_t height = 0;
  double frame_rate = 0;  // 0: no timing info
};

// `nal` starts with the NAL header (1 byte for H.264, 2 for H.265). nullopt when it is not an SPS
// or does not parse as far as the fields above.
std::optional<SpsInfo> ParseH264Sps(std::string_view nal);
std::optional<SpsInfo> ParseH265Sps(std::string_view nal);
// H.265 VPS timing info: frames per second, 0 when absent or unparsable.
double ParseH265VpsFrameRate(std::string_view nal);

}  // namespace sluice::media::remux

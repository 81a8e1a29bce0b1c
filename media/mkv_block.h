// SPDX-License-Identifier: Apache-2.0
// Parses the body of a Matroska SimpleBlock or Block: track number, relative timecode, flags and
// the frames it carries (no lacing, or Xiph, fixed-size and EBML lacing). Pure function over bytes.
// Example:
//   ParsedBlock b;  std::string why;
//   if (!ParseBlock(body, &b, &why)) return Invalid(why);
//   for (const BlockFrame& f : b.frames) Use(body.substr(f.offset, f.size));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::media {

// SimpleBlock flag bits (the Block element uses only the invisible and lacing bits).
constexpr uint8_t kBlockFlagKey = 0x80;
constexpr uint8_t kBlockFlagInvisible = 0x08;
constexpr uint8_t kBlockFlagLacingMask = 0x06;
constexpr uint8_t kBlockFlagDiscardable = 0x01;

// Most frames one laced block may carry (the lace count is one byte).
constexpr int kMaxLacedFrames = 256;

struct BlockFrame {
  uint32_t offset = 0;  // from the start of the block body
  uint32_t size = 0;
};

struct ParsedBlock {
  uint64_t track = 0;
  int16_t timecode = 0;  // relative to the cluster's Timecode
  uint8_t flags = 0;
  std::vector<BlockFrame> frames;
};

// False (with a reason) when the header is short or the lace sizes do not fit the body.
bool ParseBlock(std::string_view body, ParsedBlock* out, std::string* error);

}  // namespace sluice::media

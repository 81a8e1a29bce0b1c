// SPDX-License-Identifier: Apache-2.0
// Block header and lacing parser (Matroska spec, "Block Lacing").
#include "media/mkv_block.h"

#include "media/ebml_codec.h"

namespace sluice::media {
namespace {

bool Bad(std::string* error, const char* why) {
  *error = why;
  return false;
}

// Reads the n-1 explicit lace sizes of Xiph lacing (runs of 255 plus a final byte).
bool XiphSizes(std::string_view* in, int n, std::vector<uint64_t>* sizes) {
  for (int i = 0; i < n - 1; ++i) {
    uint64_t size = 0;
    while (true) {
      if (in->empty()) return false;
      auto b = static_cast<uint8_t>(in->front());
      in->remove_prefix(1);
      size += b;
      if (b != 255) break;
    }
    sizes->push_back(size);
  }
  return true;
}

// EBML lacing: the first size is a vint, each next one a signed vint difference to the previous.
// Any size above `limit` (the block length) is rejected at once, which also keeps the running
// sum far from overflow.
bool EbmlSizes(std::string_view* in, int n, uint64_t limit, std::vector<uint64_t>* sizes) {
  uint64_t first = 0;
  if (n > 1 && (!GetVint(in, &first) || first > limit)) return false;
  if (n > 1) sizes->push_back(first);
  int64_t prev = static_cast<int64_t>(first);
  for (int i = 1; i < n - 1; ++i) {
    uint64_t raw = 0;
    int len = 0;
    if (!GetVint(in, &raw, &len)) return false;
    int64_t bias = (int64_t{1} << (7 * len - 1)) - 1;
    int64_t size = prev + (static_cast<int64_t>(raw) - bias);
    if (size < 0 || static_cast<uint64_t>(size) > limit) return false;
    sizes->push_back(static_cast<uint64_t>(size));
    prev = size;
  }
  return true;
}

}  // namespace

bool ParseBlock(std::string_view body, ParsedBlock* out, std::string* error) {
  const size_t total = body.size();
  std::string_view in = body;
  out->frames.clear();
  if (!GetVint(&in, &out->track)) return Bad(error, "block: bad track number");
  if (in.size() < 3) return Bad(error, "block: header truncated");
  out->timecode =
      static_cast<int16_t>((static_cast<uint8_t>(in[0]) << 8) | static_cast<uint8_t>(in[1]));
  out->flags = static_cast<uint8_t>(in[2]);
  in.remove_prefix(3);
  const uint8_t lacing = out->flags & kBlockFlagLacingMask;
  if (lacing == 0) {
    out->frames.push_back(
        {static_cast<uint32_t>(total - in.size()), static_cast<uint32_t>(in.size())});
    return true;
  }
  if (in.empty()) return Bad(error, "block: lace count missing");
  const int n = static_cast<uint8_t>(in[0]) + 1;
  in.remove_prefix(1);
  std::vector<uint64_t> sizes;
  bool ok = true;
  if (lacing == 0x02) {
    ok = XiphSizes(&in, n, &sizes);
  } else if (lacing == 0x06) {
    ok = EbmlSizes(&in, n, total, &sizes);
  } else {  // fixed-size lacing
    if (in.size() % static_cast<size_t>(n) != 0) return Bad(error, "block: uneven fixed lacing");
    sizes.assign(static_cast<size_t>(n - 1), in.size() / static_cast<size_t>(n));
  }
  if (!ok) return Bad(error, "block: bad lace sizes");
  uint64_t explicit_bytes = 0;
  for (uint64_t s : sizes) {
    explicit_bytes += s;
    if (explicit_bytes > in.size()) return Bad(error, "block: lace sizes exceed the block");
  }
  sizes.push_back(in.size() - explicit_bytes);  // the last frame takes the rest
  uint64_t offset = total - in.size();
  for (uint64_t s : sizes) {
    out->frames.push_back({static_cast<uint32_t>(offset), static_cast<uint32_t>(s)});
    offset += s;
  }
  return true;
}

}  // namespace sluice::media

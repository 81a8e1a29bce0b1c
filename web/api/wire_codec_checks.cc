// SPDX-License-Identifier: Apache-2.0
// Structural pre-checks for untrusted request bodies (UTF-8, CBOR well-formedness, nesting depth),
// run before the JSON/CBOR readers build a tree. Iterative, so hostile input cannot recurse deep.

#include <cstdint>
#include <string>
#include <vector>

#include "web/api/wire_codec_internal.h"

namespace sluice::web::api::internal {

size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const auto cont = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  const uint8_t c = byte(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (i + 2 >= s.size() || !cont(i + 1) || !cont(i + 2)) return 0;
    const uint8_t c1 = byte(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
    if (c == 0xED && c1 > 0x9F) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (i + 3 >= s.size() || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    const uint8_t c1 = byte(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
    if (c == 0xF4 && c1 > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

namespace {

// One open CBOR container while scanning: how many items it still expects (kIndefinite: until a
// break byte), and for an indefinite-length string, the major type its chunks must have.
struct Frame {
  static constexpr uint64_t kIndefinite = UINT64_MAX;
  uint64_t remaining = 0;
  int chunk_major = -1;  // 2 or 3 inside an indefinite byte/text string, else -1
};

Status Malformed(std::string what, size_t pos) {
  return InvalidArgumentError("Malformed CBOR: " + what + " at byte " + std::to_string(pos));
}

// Reads the argument of the head whose additional info is `ai`; false if truncated or reserved.
bool ReadArgument(std::string_view in, size_t* pos, uint8_t ai, uint64_t* value) {
  if (ai < 24) {
    *value = ai;
    return true;
  }
  if (ai > 27) return false;
  const size_t width = size_t{1} << (ai - 24);
  if (in.size() - *pos < width) return false;
  uint64_t v = 0;
  for (size_t k = 0; k < width; ++k) v = (v << 8) | static_cast<uint8_t>(in[*pos + k]);
  *pos += width;
  *value = v;
  return true;
}

}  // namespace

Status CheckCborWellFormed(std::string_view in, int max_depth, std::string* untagged,
                           bool* had_tags) {
  std::vector<Frame> stack{Frame{1, -1}};  // the root expects exactly one item
  size_t pos = 0;
  size_t copied = 0;  // input before this offset is already in *untagged
  *had_tags = false;
  untagged->clear();
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.remaining == 0) {
      stack.pop_back();
      continue;
    }
    if (pos >= in.size()) return Malformed("truncated input", pos);
    const size_t head_pos = pos;
    const uint8_t b = static_cast<uint8_t>(in[pos++]);
    if (b == 0xFF) {
      if (top.remaining != Frame::kIndefinite) return Malformed("unexpected break", head_pos);
      stack.pop_back();
      continue;
    }
    if (top.remaining != Frame::kIndefinite) --top.remaining;
    const int major = b >> 5;
    const uint8_t ai = b & 0x1F;
    if (top.chunk_major >= 0 && (major != top.chunk_major || ai == 31)) {
      return Malformed("bad chunk in indefinite-length string", head_pos);
    }
    const bool indefinite = ai == 31;
    uint64_t arg = 0;
    if (!indefinite && !ReadArgument(in, &pos, ai, &arg)) {
      return Malformed("truncated or reserved head", head_pos);
    }
    const uint64_t left = in.size() - pos;
    Frame next;
    switch (major) {
      case 0:
      case 1:
        if (indefinite) return Malformed("indefinite integer", head_pos);
        continue;
      case 2:
      case 3:
        if (indefinite) {
          next = Frame{Frame::kIndefinite, major};
          break;
        }
        if (arg > left) return Malformed("string longer than input", head_pos);
        if (major == 3 && !IsValidUtf8(in.substr(pos, arg))) {
          return Malformed("text string is not valid UTF-8", head_pos);
        }
        pos += arg;
        continue;
      case 4:
      case 5:
        if (indefinite) {
          next = Frame{Frame::kIndefinite, -1};
          break;
        }
        // Every item takes at least one byte, so a count past the input is a lie.
        if (arg > left || (major == 5 && arg > left / 2)) {
          return Malformed("container longer than input", head_pos);
        }
        next = Frame{major == 5 ? arg * 2 : arg, -1};
        break;
      case 6:
        if (indefinite) return Malformed("indefinite tag", head_pos);
        untagged->append(in.data() + copied, head_pos - copied);
        copied = pos;
        *had_tags = true;
        next = Frame{1, -1};  // the tagged item
        break;
      default:  // 7: simple values and floats; the argument bytes were the payload
        if (indefinite || (ai >= 28 && ai <= 30)) return Malformed("bad simple value", head_pos);
        continue;
    }
    if (static_cast<int>(stack.size()) > max_depth) return Malformed("nesting too deep", head_pos);
    stack.push_back(next);
  }
  if (pos != in.size()) return Malformed("trailing bytes", pos);
  if (*had_tags) untagged->append(in.data() + copied, in.size() - copied);
  return OkStatus();
}

Status CheckJsonDepth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return InvalidArgumentError("JSON body nests too deep");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return OkStatus();
}

}  // namespace sluice::web::api::internal

// SPDX-License-Identifier: Apache-2.0
// Response encoding for the wire codec: one pass over the nlohmann tree straight into the output
// string, for JSON (AWS escaping, base64 blobs, decimal timestamps) and CBOR (RFC 8949 definite
// lengths, byte-string blobs, tag-1 millisecond timestamps). Written by hand because GetRecords
// answers reach 10 MiB and nlohmann's dump() knows neither blobs-as-base64 nor timestamps.

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "web/api/wire_codec.h"
#include "web/api/wire_codec_internal.h"

namespace sluice::web::api {
namespace {

using json = nlohmann::json;

// Every Kinesis Data Streams / Kinesis Video Streams response member that is a timestamp, sorted
// for binary search.
constexpr std::array<std::string_view, 16> kTimestampFields = {
    "ApproximateArrivalTimestamp",
    "ConsumerCreationTimestamp",
    "CreationTime",
    "EarliestAllowedEndAt",
    "EndTimestamp",
    "EndedAt",
    "LastCollectedTime",
    "LastUpdatedTime",
    "LastUpdatedTimestamp",
    "ProducerTimestamp",
    "ServerTimestamp",
    "StartTimestamp",
    "StartedAt",
    "StreamCreationTimestamp",
    "TimeStamp",
    "Timestamp",
};
static_assert(std::is_sorted(kTimestampFields.begin(), kTimestampFields.end()));

// Appends base64 of `size` bytes. EVP_EncodeBlock takes an int length, so huge inputs go in
// chunks of whole 3-byte groups (which concatenate into one valid encoding).
void AppendBase64(const uint8_t* data, size_t size, std::string* out) {
  constexpr size_t kChunk = size_t{3} << 24;
  do {
    const size_t n = std::min(size, kChunk);
    const size_t at = out->size();
    out->resize(at + 4 * ((n + 2) / 3) + 1);  // EVP_EncodeBlock writes a trailing NUL
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out->data() + at), data,
                                        static_cast<int>(n));
    out->resize(at + static_cast<size_t>(written));
    data += n;
    size -= n;
  } while (size > 0);
}

// Milliseconds for a float seconds value, if it is representable.
bool SecondsToMs(double seconds, int64_t* ms) {
  const double v = std::round(seconds * 1000.0);
  if (!std::isfinite(v) || std::fabs(v) >= 9.2e18) return false;
  *ms = static_cast<int64_t>(v);
  return true;
}

// Roughly the encoded size (exact for plain JSON text and base64), so that the output buffer is
// allocated once instead of being copied as it doubles: answers can reach 10 MiB.
size_t EstimateSize(const json& v) {
  switch (v.type()) {
    case json::value_t::object: {
      size_t n = 2;
      for (const auto& [key, member] : v.get_ref<const json::object_t&>()) {
        n += key.size() + 4 + EstimateSize(member);
      }
      return n;
    }
    case json::value_t::array: {
      size_t n = 2;
      for (const json& element : v.get_ref<const json::array_t&>()) n += 1 + EstimateSize(element);
      return n;
    }
    case json::value_t::string:
      return v.get_ref<const json::string_t&>().size() + 2;
    case json::value_t::binary:
      return 4 * ((v.get_binary().size() + 2) / 3) + 2;
    default:
      return 20;
  }
}

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(*out) {}

  void Value(const json& v, bool timestamp) {
    switch (v.type()) {
      case json::value_t::object: {
        out_.push_back('{');
        bool first = true;
        for (const auto& [key, member] : v.get_ref<const json::object_t&>()) {
          if (!first) out_.push_back(',');
          first = false;
          String(key);
          out_.push_back(':');
          Value(member, IsTimestampField(key));
        }
        out_.push_back('}');
        return;
      }
      case json::value_t::array: {
        out_.push_back('[');
        bool first = true;
        for (const json& element : v.get_ref<const json::array_t&>()) {
          if (!first) out_.push_back(',');
          first = false;
          Value(element, timestamp);
        }
        out_.push_back(']');
        return;
      }
      case json::value_t::string:
        return String(v.get_ref<const json::string_t&>());
      case json::value_t::binary: {
        const auto& bytes = v.get_binary();
        out_.push_back('"');
        Base64Into(bytes.data(), bytes.size());
        out_.push_back('"');
        return;
      }
      case json::value_t::boolean:
        out_.append(v.get<bool>() ? "true" : "false");
        return;
      case json::value_t::number_integer:
        return timestamp ? TimestampMs(v.get<int64_t>()) : Integer(v.get<int64_t>());
      case json::value_t::number_unsigned: {
        const uint64_t u = v.get<uint64_t>();
        if (timestamp && u <= INT64_MAX) return TimestampMs(static_cast<int64_t>(u));
        return Integer(u);
      }
      case json::value_t::number_float: {
        int64_t ms = 0;
        if (timestamp && SecondsToMs(v.get<double>(), &ms)) return TimestampMs(ms);
        return Double(v.get<double>());
      }
      case json::value_t::null:
      case json::value_t::discarded:
        out_.append("null");
        return;
    }
  }

 private:
  template <typename Int>
  void Integer(Int i) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof(buf), i);
    out_.append(buf, r.ptr);
  }

  // Epoch seconds with exactly three decimals, never exponent notation: 1506440188.749.
  void TimestampMs(int64_t ms) {
    uint64_t magnitude = static_cast<uint64_t>(ms);
    if (ms < 0) {
      out_.push_back('-');
      magnitude = 0 - magnitude;
    }
    Integer(magnitude / 1000);
    const unsigned frac = static_cast<unsigned>(magnitude % 1000);
    out_.push_back('.');
    out_.push_back(static_cast<char>('0' + frac / 100));
    out_.push_back(static_cast<char>('0' + frac / 10 % 10));
    out_.push_back(static_cast<char>('0' + frac % 10));
  }

  // Shortest round-trip form; fixed notation in the usual range so that strict parsers that
  // dislike exponents are happy. JSON has no NaN or infinity: they become null.
  void Double(double d) {
    if (!std::isfinite(d)) {
      out_.append("null");
      return;
    }
    char buf[400];
    const double a = std::fabs(d);
    const bool fixed = a == 0 || (a >= 1e-6 && a < 1e21);
    const auto r = fixed ? std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::fixed)
                         : std::to_chars(buf, buf + sizeof(buf), d);
    out_.append(buf, r.ptr);
  }

  // Quoted JSON string. Copies runs of plain bytes at once; escapes quotes, backslashes and
  // control characters; replaces bytes that are not UTF-8 with U+FFFD so the output always parses.
  void String(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out_.push_back('"');
    size_t run = 0;
    size_t i = 0;
    while (i < s.size()) {
      const auto c = static_cast<uint8_t>(s[i]);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        ++i;
        continue;
      }
      out_.append(s.data() + run, i - run);
      if (c >= 0x80) {
        const size_t n = internal::Utf8SequenceLength(s, i);
        if (n == 0) {
          out_.append("\xEF\xBF\xBD");
          ++i;
        } else {
          out_.append(s.data() + i, n);
          i += n;
        }
        run = i;
        continue;
      }
      switch (c) {
        case '"':
          out_.append("\\\"");
          break;
        case '\\':
          out_.append("\\\\");
          break;
        case '\n':
          out_.append("\\n");
          break;
        case '\r':
          out_.append("\\r");
          break;
        case '\t':
          out_.append("\\t");
          break;
        case '\b':
          out_.append("\\b");
          break;
        case '\f':
          out_.append("\\f");
          break;
        default:
          out_.append("\\u00");
          out_.push_back(kHex[c >> 4]);
          out_.push_back(kHex[c & 0xF]);
      }
      run = ++i;
    }
    out_.append(s.data() + run, s.size() - run);
    out_.push_back('"');
  }

  void Base64Into(const uint8_t* data, size_t size) { AppendBase64(data, size, &out_); }

  std::string& out_;
};

class CborWriter {
 public:
  explicit CborWriter(std::string* out) : out_(*out) {}

  void Value(const json& v, bool timestamp) {
    switch (v.type()) {
      case json::value_t::object:
        Head(5, v.size());
        for (const auto& [key, member] : v.get_ref<const json::object_t&>()) {
          Bytes(3, key.data(), key.size());
          Value(member, IsTimestampField(key));
        }
        return;
      case json::value_t::array:
        Head(4, v.size());
        for (const json& element : v.get_ref<const json::array_t&>()) Value(element, timestamp);
        return;
      case json::value_t::string: {
        const auto& s = v.get_ref<const json::string_t&>();
        return Bytes(3, s.data(), s.size());
      }
      case json::value_t::binary: {
        const auto& b = v.get_binary();
        return Bytes(2, b.data(), b.size());
      }
      case json::value_t::boolean:
        out_.push_back(static_cast<char>(v.get<bool>() ? 0xF5 : 0xF4));
        return;
      case json::value_t::number_integer:
        if (timestamp) out_.push_back(static_cast<char>(0xC1));
        return Signed(v.get<int64_t>());
      case json::value_t::number_unsigned:
        if (timestamp) out_.push_back(static_cast<char>(0xC1));
        return Head(0, v.get<uint64_t>());
      case json::value_t::number_float: {
        int64_t ms = 0;
        if (timestamp && SecondsToMs(v.get<double>(), &ms)) {
          out_.push_back(static_cast<char>(0xC1));
          return Signed(ms);
        }
        out_.push_back(static_cast<char>(0xFB));
        return BigEndian(std::bit_cast<uint64_t>(v.get<double>()), 8);
      }
      case json::value_t::null:
      case json::value_t::discarded:
        out_.push_back(static_cast<char>(0xF6));
        return;
    }
  }

 private:
  void Signed(int64_t i) {
    // Major type 1 carries -1 - n, which for a negative two's-complement n is ~n.
    if (i >= 0) return Head(0, static_cast<uint64_t>(i));
    Head(1, static_cast<uint64_t>(~i));
  }

  void Head(uint8_t major, uint64_t n) {
    const auto m = static_cast<uint8_t>(major << 5);
    if (n < 24) {
      out_.push_back(static_cast<char>(m | n));
    } else if (n <= 0xFF) {
      out_.push_back(static_cast<char>(m | 24));
      BigEndian(n, 1);
    } else if (n <= 0xFFFF) {
      out_.push_back(static_cast<char>(m | 25));
      BigEndian(n, 2);
    } else if (n <= 0xFFFFFFFF) {
      out_.push_back(static_cast<char>(m | 26));
      BigEndian(n, 4);
    } else {
      out_.push_back(static_cast<char>(m | 27));
      BigEndian(n, 8);
    }
  }

  void BigEndian(uint64_t v, int width) {
    for (int k = width - 1; k >= 0; --k) out_.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
  }

  template <typename Byte>
  void Bytes(uint8_t major, const Byte* data, size_t size) {
    Head(major, size);
    out_.append(reinterpret_cast<const char*>(data), size);
  }

  std::string& out_;
};

}  // namespace

bool IsTimestampField(std::string_view name) {
  return std::binary_search(kTimestampFields.begin(), kTimestampFields.end(), name);
}

std::string EncodeBody(const nlohmann::json& value, WireFormat format) {
  std::string out;
  out.reserve(EstimateSize(value) + 16);
  if (format == WireFormat::kCbor) {
    CborWriter(&out).Value(value, false);
  } else {
    JsonWriter(&out).Value(value, false);
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  AppendBase64(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &out);
  return out;
}

}  // namespace sluice::web::api

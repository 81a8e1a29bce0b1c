// SPDX-License-Identifier: Apache-2.0
// Request side of the wire codec: content types, body decoding (JSON 1.1 / CBOR 1.1) and typed
// member accessors whose errors read like the SerializationException messages AWS sends.
// Response encoding lives in wire_codec_encode.cc.

#include "web/api/wire_codec.h"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <exception>

#include "web/api/wire_codec_internal.h"

namespace sluice::web::api {
namespace {

using json = nlohmann::json;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The Jackson-style token name AWS puts in front of "can not be converted to ...".
std::string TypeMismatch(const json& value, std::string_view target, std::string_view key) {
  std::string message;
  switch (value.type()) {
    case json::value_t::object:
      message = "Start of structure or map found where not expected.";
      break;
    case json::value_t::array:
      message = "Start of list found where not expected";
      break;
    default: {
      std::string_view token = "NUMBER_VALUE";
      if (value.is_string()) token = "STRING_VALUE";
      if (value.is_boolean()) token = value.get<bool>() ? "TRUE_VALUE" : "FALSE_VALUE";
      if (value.is_binary()) token = "BLOB_VALUE";
      message = std::string(token) + " can not be converted to " + std::string(target);
    }
  }
  return message + " (member '" + std::string(key) + "')";
}

// The member, or null when absent or JSON null (AWS treats an explicit null as absent).
const json* Member(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  const auto& map = obj.get_ref<const json::object_t&>();
  const auto it = map.find(std::string(key));
  if (it == map.end() || it->second.is_null()) return nullptr;
  return &it->second;
}

// A JSON number (or numeric string) as a double, for timestamps.
bool NumberOf(const json& v, double* out) {
  if (v.is_number()) {
    *out = v.get<double>();
    return true;
  }
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const json::string_t&>();
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::optional<WireFormat> WireFormatForContentType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (EqualsIgnoreCase(t, "application/x-amz-json-1.1") ||
      EqualsIgnoreCase(t, "application/json")) {
    return WireFormat::kJson;
  }
  if (EqualsIgnoreCase(t, "application/x-amz-cbor-1.1")) return WireFormat::kCbor;
  return std::nullopt;
}

std::string_view ContentTypeFor(WireFormat format) {
  return format == WireFormat::kCbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1";
}

Result<nlohmann::json> DecodeBody(std::string_view body, WireFormat format) {
  if (body.empty()) return json::object();
  json value;
  // nlohmann's non-throwing overloads still throw for a few limits (e.g. a container size past
  // max_size()); nothing may escape the codec, so the edge catches everything.
  try {
    if (format == WireFormat::kCbor) {
      std::string untagged;
      bool had_tags = false;
      RETURN_IF_ERROR(
          internal::CheckCborWellFormed(body, internal::kMaxBodyDepth, &untagged, &had_tags));
      const std::string_view item = had_tags ? std::string_view(untagged) : body;
      value = json::from_cbor(item.begin(), item.end(), /*strict=*/true,
                              /*allow_exceptions=*/false, json::cbor_tag_handler_t::ignore);
      if (value.is_discarded()) return InvalidArgumentError("Malformed CBOR body");
    } else {
      RETURN_IF_ERROR(internal::CheckJsonDepth(body, internal::kMaxBodyDepth));
      value = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
      if (value.is_discarded()) return InvalidArgumentError("Malformed JSON body");
    }
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("Malformed request body: ") + e.what());
  }
  if (!value.is_object()) {
    return InvalidArgumentError(value.is_array() ? "Start of list found where not expected"
                                                 : "Request body must be a structure");
  }
  return value;
}

Result<std::optional<std::string>> GetString(const nlohmann::json& obj, std::string_view key) {
  const json* v = Member(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return InvalidArgumentError(TypeMismatch(*v, "a String", key));
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::optional<int64_t>> GetInt(const nlohmann::json& obj, std::string_view key) {
  const json* v = Member(obj, key);
  if (v == nullptr) return std::optional<int64_t>();
  if (v->is_number_integer() && !v->is_number_unsigned()) {
    return std::optional<int64_t>(v->get<int64_t>());
  }
  if (v->is_number_unsigned()) {
    const uint64_t u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) {
      return InvalidArgumentError("NUMBER_VALUE out of range of Long (member '" + std::string(key) +
                                  "')");
    }
    return std::optional<int64_t>(static_cast<int64_t>(u));
  }
  if (v->is_number_float()) {
    // Jackson truncates a fractional number given for an integer member.
    const double d = std::trunc(v->get<double>());
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) {
      return InvalidArgumentError("NUMBER_VALUE out of range of Long (member '" + std::string(key) +
                                  "')");
    }
    return std::optional<int64_t>(static_cast<int64_t>(d));
  }
  return InvalidArgumentError(TypeMismatch(*v, "an Integer", key));
}

Result<std::optional<bool>> GetBool(const nlohmann::json& obj, std::string_view key) {
  const json* v = Member(obj, key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return InvalidArgumentError(TypeMismatch(*v, "a Boolean", key));
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<std::string>> GetBlob(const nlohmann::json& obj, std::string_view key,
                                           WireFormat format) {
  const json* v = Member(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (v->is_binary()) {
    const auto& b = v->get_binary();
    return std::optional<std::string>(std::string(b.begin(), b.end()));
  }
  // JSON carries blobs as base64 text; some CBOR writers do too, so accept it in both formats.
  if (!v->is_string()) return InvalidArgumentError(TypeMismatch(*v, "a Blob", key));
  auto decoded = Base64Decode(v->get_ref<const json::string_t&>());
  if (!decoded.ok()) {
    return InvalidArgumentError(decoded.status().message() + " (member '" + std::string(key) +
                                "')");
  }
  return std::optional<std::string>(std::move(decoded).value());
}

// A timestamp's unit is told by its size: below 1e11 it is seconds (1e11 s is the year 5138),
// otherwise milliseconds (1e11 ms is March 1973). That reads JSON's fractional seconds, CBOR's
// tag-1 milliseconds (the tag itself is dropped by the reader) and RFC-style tag-1 seconds alike.
Result<std::optional<int64_t>> GetTimestampMs(const nlohmann::json& obj, std::string_view key) {
  const json* v = Member(obj, key);
  if (v == nullptr) return std::optional<int64_t>();
  double number = 0;
  if (!NumberOf(*v, &number)) return InvalidArgumentError(TypeMismatch(*v, "a Timestamp", key));
  constexpr int64_t kMsThreshold = 100000000000;
  if (v->is_number_unsigned()) {
    const uint64_t u = v->get<uint64_t>();
    if (u < uint64_t{kMsThreshold}) return std::optional<int64_t>(static_cast<int64_t>(u) * 1000);
    if (u > uint64_t{INT64_MAX}) {
      return InvalidArgumentError("Timestamp out of range (member '" + std::string(key) + "')");
    }
    return std::optional<int64_t>(static_cast<int64_t>(u));
  }
  if (v->is_number_integer()) {
    const int64_t i = v->get<int64_t>();
    if (i > -kMsThreshold && i < kMsThreshold) return std::optional<int64_t>(i * 1000);
    return std::optional<int64_t>(i);
  }
  const double ms = std::round(std::fabs(number) >= 1e11 ? number : number * 1000.0);
  if (!std::isfinite(ms) || std::fabs(ms) >= 9.2e18) {
    return InvalidArgumentError("Timestamp out of range (member '" + std::string(key) + "')");
  }
  return std::optional<int64_t>(static_cast<int64_t>(ms));
}

// Strict standard base64 with padding (what every AWS SDK sends). EVP_DecodeBlock alone is too
// lenient (it accepts '=' anywhere and trims whitespace), so the text is validated first.
Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return InvalidArgumentError(
        "Base64 encoded length is expected a multiple of 4 bytes but found: " +
        std::to_string(text.size()));
  }
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    if (!IsBase64Char(text[i])) {
      return InvalidArgumentError(
          text[i] == '=' ? std::string("Invalid Base64 padding")
                         : std::string("Invalid Base64 character at offset ") + std::to_string(i));
    }
  }
  std::string out;
  constexpr size_t kChunk = size_t{4} << 24;  // EVP_DecodeBlock takes an int length
  for (size_t at = 0; at < text.size(); at += kChunk) {
    const size_t n = std::min(kChunk, text.size() - at);
    const size_t old = out.size();
    out.resize(old + n / 4 * 3);
    const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data() + old),
                                        reinterpret_cast<const unsigned char*>(text.data() + at),
                                        static_cast<int>(n));
    if (written < 0) return InvalidArgumentError("Invalid Base64 text");
  }
  out.resize(out.size() - padding);
  return out;
}

}  // namespace sluice::web::api

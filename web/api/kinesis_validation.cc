// SPDX-License-Identifier: Apache-2.0
// MemberReader, Violations, member patterns and the shared error texts of the Kinesis API.
#include "web/api/kinesis_validation.h"

#include <ctime>
#include <regex>
#include <utility>

namespace sluice::web::api::kinesis {
namespace {

constexpr size_t kMaxReportedViolations = 10;

std::string StringTypeError(const nlohmann::json& v) {
  if (v.is_boolean()) return "class java.lang.Boolean can not be converted to an String";
  if (v.is_number()) return "class java.math.BigDecimal can not be converted to an String";
  if (v.is_array()) return "Start of list found where not expected";
  return "Start of structure or map found where not expected.";
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// 0|([1-9]\d{0,max_extra})
bool IsDecimal(std::string_view s, size_t max_extra) {
  if (s == "0") return true;
  if (s.empty() || s.size() > max_extra + 1 || s[0] < '1' || s[0] > '9') return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Decodes one UTF-8 code point at s[*i] (advancing *i); invalid bytes decode as themselves.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  auto b = static_cast<uint8_t>(s[(*i)++]);
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  uint32_t cp = extra == 3 ? (b & 0x07) : extra == 2 ? (b & 0x0F) : extra == 1 ? (b & 0x1F) : b;
  for (int k = 0; k < extra && *i < s.size(); ++k) {
    cp = (cp << 6) | (static_cast<uint8_t>(s[(*i)++]) & 0x3F);
  }
  return cp;
}

// kinesalite's tag character class: [\u00C0-\u1FFF\u2C00-\uD7FF\w./\-=+_ @%:]
bool IsTagChar(uint32_t cp) {
  if ((cp >= 0xC0 && cp <= 0x1FFF) || (cp >= 0x2C00 && cp <= 0xD7FF)) return true;
  if (cp >= 0x80) return false;
  char c = static_cast<char>(cp);
  if (IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("_./-=+ @%:").find(c) != std::string_view::npos;
}

}  // namespace

// --- MemberReader -------------------------------------------------------------------------------

MemberReader::MemberReader(const nlohmann::json& obj, WireFormat format)
    : obj_(obj), format_(format), sink_(&own_error_) {}

MemberReader::MemberReader(const nlohmann::json& obj, WireFormat format,
                           std::optional<std::string>* sink)
    : obj_(obj), format_(format), sink_(sink) {}

MemberReader MemberReader::In(const nlohmann::json& obj) const {
  return MemberReader(obj, format_, sink_);
}

const nlohmann::json* MemberReader::Find(std::string_view key) const {
  if (!obj_.is_object()) return nullptr;
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

void MemberReader::Fail(std::string message) {
  if (!sink_->has_value()) *sink_ = std::move(message);
}

ApiResult MemberReader::Failure() const {
  return ApiResult::Fail("SerializationException", sink_->value_or("Serialization error"));
}

// The scalar accessors defer to the codec (which knows JSON vs CBOR representations).
template <typename T>
static std::optional<T> Take(Result<std::optional<T>> r, std::optional<std::string>* sink) {
  if (!r.ok()) {
    if (!sink->has_value()) *sink = r.status().message();
    return std::nullopt;
  }
  return std::move(*r);
}

std::optional<std::string> MemberReader::String(std::string_view key) {
  if (Find(key) == nullptr) return std::nullopt;
  return Take(GetString(obj_, key), sink_);
}

std::optional<int64_t> MemberReader::Int(std::string_view key) {
  if (Find(key) == nullptr) return std::nullopt;
  return Take(GetInt(obj_, key), sink_);
}

std::optional<bool> MemberReader::Bool(std::string_view key) {
  if (Find(key) == nullptr) return std::nullopt;
  return Take(GetBool(obj_, key), sink_);
}

std::optional<std::string> MemberReader::Blob(std::string_view key) {
  if (Find(key) == nullptr) return std::nullopt;
  return Take(GetBlob(obj_, key, format_), sink_);
}

std::optional<int64_t> MemberReader::TimestampMs(std::string_view key) {
  if (Find(key) == nullptr) return std::nullopt;
  return Take(GetTimestampMs(obj_, key), sink_);
}

const nlohmann::json* MemberReader::List(std::string_view key) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr || v->is_array()) return v;
  Fail(v->is_object() ? "Start of structure or map found where not expected."
                      : "Expected list or null");
  return nullptr;
}

const nlohmann::json* MemberReader::Map(std::string_view key) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr || v->is_object()) return v;
  Fail(v->is_array() ? "Start of list found where not expected" : "Expected map or null");
  return nullptr;
}

const nlohmann::json* MemberReader::Struct(std::string_view key) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr || IsObject(*v)) return v;
  return nullptr;
}

bool MemberReader::IsObject(const nlohmann::json& value) {
  if (value.is_object()) return true;
  Fail(value.is_array() ? "Start of list found where not expected" : "Expected null");
  return false;
}

std::optional<std::vector<std::string>> MemberReader::StringList(std::string_view key) {
  const nlohmann::json* list = List(key);
  if (list == nullptr) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(list->size());
  for (const auto& item : *list) {
    if (item.is_null()) continue;
    if (!item.is_string()) {
      Fail(StringTypeError(item));
      return std::nullopt;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<std::map<std::string, std::string>> MemberReader::StringMap(std::string_view key) {
  const nlohmann::json* map = Map(key);
  if (map == nullptr) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& [k, item] : map->items()) {
    if (item.is_null()) continue;
    if (!item.is_string()) {
      Fail(StringTypeError(item));
      return std::nullopt;
    }
    out.emplace(k, item.get<std::string>());
  }
  return out;
}

// --- Violations ---------------------------------------------------------------------------------

void Violations::Add(std::optional<std::string_view> value, std::string_view member,
                     std::string_view constraint) {
  if (errors_.size() >= kMaxReportedViolations) return;
  std::string e = "Value ";
  if (value) {
    e.append("'").append(*value).append("'");
  } else {
    e.append("null");
  }
  e.append(" at '").append(member).append("' failed to satisfy constraint: ").append(constraint);
  errors_.push_back(std::move(e));
}

bool Violations::NotNull(bool present, std::string_view member) {
  if (!present) Add(std::nullopt, member, "Member must not be null");
  return present;
}

bool Violations::Length(const std::optional<std::string>& v, std::string_view member, int64_t min,
                        int64_t max) {
  if (!v) return true;
  auto len = static_cast<int64_t>(Utf16Length(*v));
  bool ok = true;
  if (len < min) {
    Add(*v, member, "Member must have length greater than or equal to " + std::to_string(min));
    ok = false;
  }
  if (len > max) {
    Add(*v, member, "Member must have length less than or equal to " + std::to_string(max));
    ok = false;
  }
  return ok;
}

bool Violations::Pattern(const std::optional<std::string>& v, std::string_view member,
                         std::string_view pattern, bool (*matches)(std::string_view)) {
  if (!v || matches(*v)) return true;
  Add(*v, member, std::string("Member must satisfy regular expression pattern: ").append(pattern));
  return false;
}

bool Violations::Range(const std::optional<int64_t>& v, std::string_view member, int64_t min,
                       int64_t max) {
  if (!v) return true;
  if (*v < min) {
    Add(std::to_string(*v), member,
        "Member must have value greater than or equal to " + std::to_string(min));
    return false;
  }
  if (*v > max) {
    Add(std::to_string(*v), member,
        "Member must have value less than or equal to " + std::to_string(max));
    return false;
  }
  return true;
}

bool Violations::Enum(const std::optional<std::string>& v, std::string_view member,
                      std::initializer_list<std::string_view> values) {
  if (!v) return true;
  std::string set;
  for (std::string_view allowed : values) {
    if (*v == allowed) return true;
    if (!set.empty()) set.append(", ");
    set.append(allowed);
  }
  Add(*v, member, "Member must satisfy enum value set: [" + set + "]");
  return false;
}

bool Violations::BlobLength(const std::optional<std::string>& v, std::string_view member,
                            uint64_t max) {
  if (!v || v->size() <= max) return true;
  std::string n = std::to_string(v->size());
  Add("java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]", member,
      "Member must have length less than or equal to " + std::to_string(max));
  return false;
}

bool Violations::ListLength(const std::vector<std::string>& v, std::string_view member, int64_t min,
                            int64_t max) {
  auto n = static_cast<int64_t>(v.size());
  if (n >= min && n <= max) return true;
  std::string rendered = "[";
  for (size_t i = 0; i < v.size(); ++i) rendered.append(i ? ", " : "").append(v[i]);
  rendered.append("]");
  Add(rendered, member,
      n < min ? "Member must have length greater than or equal to " + std::to_string(min)
              : "Member must have length less than or equal to " + std::to_string(max));
  return false;
}

bool Violations::MapLength(const std::map<std::string, std::string>& v, std::string_view member,
                           int64_t min, int64_t max) {
  auto n = static_cast<int64_t>(v.size());
  if (n >= min && n <= max) return true;
  std::string rendered = "{";
  bool first = true;
  for (const auto& [k, val] : v) {
    rendered.append(first ? "" : ", ").append(k).append("=").append(val);
    first = false;
  }
  rendered.append("}");
  Add(rendered, member,
      n < min ? "Member must have length greater than or equal to " + std::to_string(min)
              : "Member must have length less than or equal to " + std::to_string(max));
  return false;
}

void Violations::Append(const Violations& other) {
  for (const std::string& e : other.errors_) {
    if (errors_.size() < kMaxReportedViolations) errors_.push_back(e);
  }
}

ApiResult Violations::Failure() const {
  std::string msg =
      std::to_string(errors_.size()) +
      (errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < errors_.size(); ++i) msg.append(i ? "; " : "").append(errors_[i]);
  return ApiResult::Fail("ValidationException", std::move(msg));
}

// --- patterns -----------------------------------------------------------------------------------

bool IsStreamName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsSequenceNumber(std::string_view s) { return IsDecimal(s, 128); }
bool IsHashKey(std::string_view s) { return IsDecimal(s, 38); }

bool IsStreamArn(std::string_view s) {
  static const std::regex kArn("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
  return std::regex_match(s.begin(), s.end(), kArn);
}

size_t Utf16Length(std::string_view utf8) {
  size_t n = 0;
  for (char ch : utf8) {
    auto b = static_cast<uint8_t>(ch);
    if ((b & 0xC0) != 0x80) ++n;  // a lead byte starts a code point
    if (b >= 0xF0) ++n;           // outside the BMP: a surrogate pair in UTF-16
  }
  return n;
}

void CheckStreamName(Violations& v, const std::optional<std::string>& name, std::string_view member,
                     bool required) {
  if (required && !v.NotNull(name.has_value(), member)) return;
  v.Pattern(name, member, kStreamNamePattern, IsStreamName);
  v.Length(name, member, 1, 128);
}

void CheckStreamArn(Violations& v, const std::optional<std::string>& arn) {
  v.Length(arn, "streamARN", 1, 2048);
  v.Pattern(arn, "streamARN", kStreamArnPattern, IsStreamArn);
}

void CheckShardId(Violations& v, const std::optional<std::string>& id, std::string_view member,
                  bool required) {
  if (required && !v.NotNull(id.has_value(), member)) return;
  v.Pattern(id, member, kStreamNamePattern, IsStreamName);
  v.Length(id, member, 1, 128);
}

std::optional<std::string> CheckTagCharacters(const std::vector<std::string>& texts,
                                              std::string_view action, std::string_view stream,
                                              std::string_view account) {
  bool percent = false;
  for (const std::string& t : texts) {
    for (size_t i = 0; i < t.size();) {
      uint32_t cp = NextCodePoint(t, &i);
      if (!IsTagChar(cp)) {
        return "Some tags contain invalid characters. Valid characters: Unicode letters, digits, "
               "white space, _ . / = + - % @ :.";
      }
      percent = percent || cp == '%';
    }
  }
  if (!percent) return std::nullopt;
  return "Failed to " + std::string(action) + " stream " + std::string(stream) + " under account " +
         std::string(account) +
         " because some tags contained illegal characters. The allowed characters are Unicode "
         "letters, white-spaces, '_',',','/','=','+','-','@',':'.";
}

void CheckTagMap(Violations& v, const std::optional<std::map<std::string, std::string>>& tags,
                 bool required) {
  if (required && !v.NotNull(tags.has_value(), "tags")) return;
  if (!tags) return;
  v.MapLength(*tags, "tags", 1, 200);
  bool keys_ok = true, values_ok = true;
  for (const auto& [k, val] : *tags) {
    size_t klen = Utf16Length(k);
    keys_ok = keys_ok && klen >= 1 && klen <= 128;
    values_ok = values_ok && Utf16Length(val) <= 256;
  }
  if (keys_ok && values_ok) return;
  std::string rendered = "{";
  for (const auto& [k, val] : *tags)
    rendered.append(rendered.size() > 1 ? ", " : "").append(k).append("=").append(val);
  rendered.append("}");
  if (!keys_ok) {
    v.Add(rendered, "tags",
          "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "
          "Member must have length greater than or equal to 1]");
  }
  if (!values_ok) {
    v.Add(rendered, "tags",
          "Map value must satisfy constraint: [Member must have length less than or equal to "
          "256, Member must have length greater than or equal to 0]");
  }
}

ApiResult TooManyTags(std::string_view stream, std::string_view account) {
  return ApiResult::Fail("LimitExceededException",
                         "Failed to add tags to stream " + std::string(stream) + " under account " +
                             std::string(account) +
                             " because a given stream cannot have more than 50 tags associated "
                             "with it.");
}

// --- errors -------------------------------------------------------------------------------------

ApiResult InvalidArgument(std::string message) {
  return ApiResult::Fail("InvalidArgumentException", std::move(message));
}

ApiResult StreamNotFound(std::string_view stream, std::string_view account) {
  return ApiResult::Fail(
      "ResourceNotFoundException",
      "Stream " + std::string(stream) + " under account " + std::string(account) + " not found.");
}

ApiResult StreamInUse(std::string_view stream, std::string_view account) {
  return ApiResult::Fail("ResourceInUseException", "Stream " + std::string(stream) +
                                                       " under account " + std::string(account) +
                                                       " already exists.");
}

ApiResult ShardNotFound(std::string_view shard_id, std::string_view stream,
                        std::string_view account) {
  return ApiResult::Fail("ResourceNotFoundException",
                         "Shard " + std::string(shard_id) + " in stream " + std::string(stream) +
                             " under account " + std::string(account) + " does not exist");
}

std::string AmzUtcString(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S UTC %Y", &tm);
  return std::string(buf, n);
}

}  // namespace sluice::web::api::kinesis

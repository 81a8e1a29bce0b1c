// SPDX-License-Identifier: Apache-2.0
// Request checking for the Kinesis operations, in the wording AWS (and kinesalite) use:
//   MemberReader  reads typed members; a wrong type becomes a SerializationException.
//   Violations    collects member-constraint failures into one ValidationException
//                 ("2 validation errors detected: Value 'x' at 'partitionKey' failed to satisfy
//                 constraint: Member must have length less than or equal to 256; ...").
// Plus the shared error texts ("Stream X under account N not found.").
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "web/api/api_call.h"
#include "web/api/wire_codec.h"

namespace sluice::web::api::kinesis {

// Reads members of one request object (or of a nested structure, via In()). Absent and null
// members read as nullopt / nullptr. The first member of a wrong type is remembered; check ok()
// after reading everything and answer Failure() if it is false.
// Lifetime: `obj` must outlive the reader; readers made by In() share the root's error slot and
// must not outlive it.
class MemberReader {
 public:
  MemberReader(const nlohmann::json& obj, WireFormat format);

  std::optional<std::string> String(std::string_view key);
  std::optional<int64_t> Int(std::string_view key);
  std::optional<bool> Bool(std::string_view key);
  std::optional<std::string> Blob(std::string_view key);
  std::optional<int64_t> TimestampMs(std::string_view key);
  // Containers: nullptr when absent, null or of the wrong type.
  const nlohmann::json* List(std::string_view key);
  const nlohmann::json* Map(std::string_view key);
  const nlohmann::json* Struct(std::string_view key);
  // A list of strings / a string-to-string map; nullopt when absent or mistyped.
  std::optional<std::vector<std::string>> StringList(std::string_view key);
  std::optional<std::map<std::string, std::string>> StringMap(std::string_view key);

  // A reader for a nested structure (an element of a list, a Struct member).
  MemberReader In(const nlohmann::json& obj) const;
  bool IsObject(const nlohmann::json& value);  // records "Expected null"-style errors otherwise

  bool ok() const { return !sink_->has_value(); }
  ApiResult Failure() const;  // SerializationException with the first type error

 private:
  MemberReader(const nlohmann::json& obj, WireFormat format, std::optional<std::string>* sink);
  const nlohmann::json* Find(std::string_view key) const;
  void Fail(std::string message);

  const nlohmann::json& obj_;
  WireFormat format_;
  std::optional<std::string> own_error_;
  std::optional<std::string>* sink_;  // where the first error goes (the root's own_error_)
};

// Collects "Value ... at '<member>' failed to satisfy constraint: ..." entries (at most 10, as
// AWS). `member` is the wire path in lower camel case ("records.3.member.data").
class Violations {
 public:
  void Add(std::optional<std::string_view> value, std::string_view member,
           std::string_view constraint);

  // Each returns false when it recorded a violation.
  bool NotNull(bool present, std::string_view member);
  bool Length(const std::optional<std::string>& v, std::string_view member, int64_t min,
              int64_t max);
  bool Pattern(const std::optional<std::string>& v, std::string_view member,
               std::string_view pattern, bool (*matches)(std::string_view));
  bool Range(const std::optional<int64_t>& v, std::string_view member, int64_t min, int64_t max);
  bool Enum(const std::optional<std::string>& v, std::string_view member,
            std::initializer_list<std::string_view> values);
  // Blob lengths render as AWS renders a ByteBuffer.
  bool BlobLength(const std::optional<std::string>& v, std::string_view member, uint64_t max);
  // Lists and maps: element-count bounds, rendering the value as AWS does.
  bool ListLength(const std::vector<std::string>& v, std::string_view member, int64_t min,
                  int64_t max);
  bool MapLength(const std::map<std::string, std::string>& v, std::string_view member, int64_t min,
                 int64_t max);

  // Appends `other`'s entries after this one's (to keep AWS's member order).
  void Append(const Violations& other);

  bool empty() const { return errors_.empty(); }
  ApiResult Failure() const;  // ValidationException listing every entry

 private:
  std::vector<std::string> errors_;
};

// --- member patterns ----------------------------------------------------------------------------
bool IsStreamName(std::string_view s);      // [a-zA-Z0-9_.-]+
bool IsSequenceNumber(std::string_view s);  // 0|([1-9]\d{0,128})
bool IsHashKey(std::string_view s);         // 0|([1-9]\d{0,38})
bool IsStreamArn(std::string_view s);       // arn:aws.*:kinesis:.*:\d{12}:stream/\S+
inline constexpr std::string_view kStreamNamePattern = "[a-zA-Z0-9_.-]+";
inline constexpr std::string_view kSequencePattern = "0|([1-9]\\d{0,128})";
inline constexpr std::string_view kHashKeyPattern = "0|([1-9]\\d{0,38})";
inline constexpr std::string_view kStreamArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";

// Java-style string length (UTF-16 code units) of UTF-8 text, as AWS counts member lengths.
size_t Utf16Length(std::string_view utf8);

// Checks a stream name member (pattern and 1..128 length); `required` adds the not-null check.
void CheckStreamName(Violations& v, const std::optional<std::string>& name, std::string_view member,
                     bool required);
void CheckStreamArn(Violations& v, const std::optional<std::string>& arn);
void CheckShardId(Violations& v, const std::optional<std::string>& id, std::string_view member,
                  bool required);
// Tag keys and values: the character rules AWS applies before storing (InvalidArgument texts).
std::optional<std::string> CheckTagCharacters(const std::vector<std::string>& texts,
                                              std::string_view action, std::string_view stream,
                                              std::string_view account);

// The Tags map member: 1..200 entries, keys 1..128, values 0..256 characters.
void CheckTagMap(Violations& v, const std::optional<std::map<std::string, std::string>>& tags,
                 bool required);
inline constexpr size_t kMaxTagsPerStream = 50;

// --- shared error texts ---------------------------------------------------------------------
ApiResult InvalidArgument(std::string message);
ApiResult StreamNotFound(std::string_view stream, std::string_view account);
ApiResult StreamInUse(std::string_view stream, std::string_view account);
ApiResult ShardNotFound(std::string_view shard_id, std::string_view stream,
                        std::string_view account);
// "Thu Jan 22 01:22:02 UTC 2015", as AWS writes times in error texts.
ApiResult TooManyTags(std::string_view stream, std::string_view account);  // LimitExceeded
std::string AmzUtcString(int64_t epoch_ms);

}  // namespace sluice::web::api::kinesis

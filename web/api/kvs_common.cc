// SPDX-License-Identifier: Apache-2.0
// What the KVS operations share: the Context, the Status -> KVS error mapping, and the member
// checks of the kinesisvideo model (patterns and lengths of names, ARNs, versions, tokens).
#include <openssl/rand.h>

#include <regex>
#include <utility>

#include "base/log.h"
#include "web/api/kvs_ops.h"

namespace sluice::web::api::kvs {
namespace {

constexpr std::string_view kNamePattern = "[a-zA-Z0-9_.-]+";
constexpr std::string_view kArnPattern =
    "arn:[a-z\\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+";
constexpr std::string_view kVersionPattern = "[a-zA-Z0-9]+";
constexpr std::string_view kTokenPattern = "[a-zA-Z0-9+/=]*";
constexpr std::string_view kTagKeyPattern = "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$";
constexpr std::string_view kTagValuePattern = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

bool IsArn(std::string_view s) {
  // Compiled once; std::regex matching is thread-safe on a const regex.
  static const std::regex kArn(std::string(kArnPattern), std::regex::ECMAScript);
  return std::regex_match(s.begin(), s.end(), kArn);
}

bool IsVersion(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsAlnum(c)) return false;
  }
  return true;
}

bool IsToken(std::string_view s) {
  for (char c : s) {
    if (!IsAlnum(c) && c != '+' && c != '/' && c != '=') return false;
  }
  return true;
}

// [\p{L}\p{Z}\p{N}_.:/=+\-@]*, exactly for ASCII; any non-ASCII character is taken as a
// letter, space or number (the Unicode classes are not checked).
bool IsTagText(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80 || IsAlnum(c)) continue;
    if (std::string_view(" _.:/=+-@").find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string RandomSecret() {
  std::string secret(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), 32) != 1) {
    // Without a CSPRNG tokens are still checked, only predictable; log it, do not fail.
    LOG_ERROR("kvs", "RAND_bytes failed; NextTokens use a fixed key");
  }
  return secret;
}

}  // namespace

Context::Context(ingest::VideoStreams* streams_in, ingest::FragmentReader* reader_in,
                 KinesisVideoApi::Options options)
    : streams(streams_in),
      reader(reader_in),
      clock(options.clock != nullptr ? options.clock : SystemClock()),
      endpoint_fallback(std::move(options.data_endpoint_fallback)),
      pages(options.token_secret.empty() ? RandomSecret() : options.token_secret) {}

ApiResult FromStatus(const Status& status) {
  const ingest::KvsError e = ingest::KvsErrorOf(status);
  if (e == ingest::KvsError::kInternal) {
    LOG_ERROR("kvs", "operation failed", {{"status", status.ToString()}});
    return ApiResult::Fail("InternalFailure", "Internal service failure.", 500);
  }
  std::string message = status.message();
  // The ingest layer tags some messages with a prefix for the mapping; clients see the rest.
  for (std::string_view prefix :
       {ingest::kVersionMismatchPrefix, ingest::kStreamLimitPrefix, ingest::kTagLimitPrefix}) {
    if (std::string_view(message).starts_with(prefix)) message.erase(0, prefix.size());
  }
  if (e == ingest::KvsError::kVersionMismatch) {
    message = "The version of the stream does not match the specified version: " + message;
  }
  return ApiResult::Fail(std::string(ingest::KvsErrorName(e)), std::move(message),
                         ingest::KvsHttpStatus(e));
}

ApiResult InvalidArgument(std::string message) {
  return ApiResult::Fail("InvalidArgumentException", std::move(message), 400);
}

ApiResult Invalid(const Violations& v) {
  ApiResult r = v.Failure();
  r.error->type = "InvalidArgumentException";
  return r;
}

void CheckVideoStreamName(Violations& v, const std::optional<std::string>& name,
                          std::string_view member, bool required) {
  if (required && !v.NotNull(name.has_value(), member)) return;
  if (v.Length(name, member, 1, 256)) v.Pattern(name, member, kNamePattern, &IsName);
}

void CheckArn(Violations& v, const std::optional<std::string>& arn, std::string_view member,
              bool required) {
  if (required && !v.NotNull(arn.has_value(), member)) return;
  if (v.Length(arn, member, 1, 1024)) v.Pattern(arn, member, kArnPattern, &IsArn);
}

void CheckVersion(Violations& v, const std::optional<std::string>& version, std::string_view member,
                  bool required) {
  if (required && !v.NotNull(version.has_value(), member)) return;
  if (v.Length(version, member, 1, 64)) v.Pattern(version, member, kVersionPattern, &IsVersion);
}

void CheckNextToken(Violations& v, const std::optional<std::string>& token, std::string_view member,
                    size_t max_length) {
  if (v.Length(token, member, 0, static_cast<int64_t>(max_length))) {
    v.Pattern(token, member, kTokenPattern, &IsToken);
  }
}

void CheckTagKey(Violations& v, const std::string& key, std::string_view member) {
  std::optional<std::string> k = key;
  if (v.Length(k, member, 1, 128)) v.Pattern(k, member, kTagKeyPattern, &IsTagText);
}

void CheckTagValue(Violations& v, const std::string& value, std::string_view member) {
  std::optional<std::string> val = value;
  if (v.Length(val, member, 0, 256)) v.Pattern(val, member, kTagValuePattern, &IsTagText);
}

void CheckVideoTagMap(Violations& v, const std::optional<std::map<std::string, std::string>>& tags,
                      bool required) {
  if (required && !v.NotNull(tags.has_value(), "tags")) return;
  if (!tags || !v.MapLength(*tags, "tags", 1, 50)) return;
  for (const auto& [key, value] : *tags) {
    CheckTagKey(v, key, "tags.key");
    CheckTagValue(v, value, "tags.value");
  }
}

ingest::VideoStreamRef ReadStreamRef(MemberReader& in, Violations& v) {
  std::optional<std::string> name = in.String("StreamName");
  std::optional<std::string> arn = in.String("StreamARN");
  CheckVideoStreamName(v, name, "streamName", /*required=*/false);
  CheckArn(v, arn, "streamARN", /*required=*/false);
  return {name.value_or(""), arn.value_or("")};
}

bool IsNextToken(std::string_view s) {
  size_t pad = 0;
  while (pad < s.size() && pad < 2 && s[s.size() - 1 - pad] == '=') ++pad;
  if (pad == s.size()) return false;
  for (char c : s.substr(0, s.size() - pad)) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '+' && c != '/') return false;
  }
  return true;
}

}  // namespace sluice::web::api::kvs

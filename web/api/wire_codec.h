// SPDX-License-Identifier: Apache-2.0
// Wire codec for AWS JSON 1.1 and CBOR 1.1 bodies. Requests decode into nlohmann::json; responses
// are built as nlohmann::json and encoded in the request's format. Two value conventions make one
// handler serve both formats:
//   - Blobs (Record.Data): in a response, put them as json::binary; JSON output writes base64,
//     CBOR output a byte string. In a request, read them with GetBlob (base64 text in JSON, byte
//     string in CBOR).
//   - Timestamps: in a response, put integer epoch milliseconds under a field named in
//     kTimestampFields; JSON output writes epoch seconds with a millisecond fraction as a plain
//     decimal (1506440188.749, never exponent notation), CBOR output writes tag 1 around the
//     integer milliseconds (what the AWS Java SDKs expect). In a request, read them with
//     GetTimestampMs (JSON seconds number or CBOR tagged/untagged milliseconds or seconds).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace sluice::web::api {

enum class WireFormat { kJson, kCbor };

// "application/x-amz-json-1.1" | "application/x-amz-cbor-1.1" (plus "application/json").
std::optional<WireFormat> WireFormatForContentType(std::string_view content_type);
std::string_view ContentTypeFor(WireFormat format);

// Field names whose integer values are epoch milliseconds to be written as timestamps.
bool IsTimestampField(std::string_view name);

// Parses a request body. An empty body is an empty object. A body that is not an object, or not
// well-formed, is InvalidArgument (the caller answers SerializationException).
Result<nlohmann::json> DecodeBody(std::string_view body, WireFormat format);
std::string EncodeBody(const nlohmann::json& value, WireFormat format);

// Typed accessors for request members. Absent members give nullopt; a present member of the
// wrong type gives InvalidArgument naming the member (the caller answers SerializationException).
Result<std::optional<std::string>> GetString(const nlohmann::json& obj, std::string_view key);
Result<std::optional<int64_t>> GetInt(const nlohmann::json& obj, std::string_view key);
Result<std::optional<bool>> GetBool(const nlohmann::json& obj, std::string_view key);
Result<std::optional<std::string>> GetBlob(const nlohmann::json& obj, std::string_view key,
                                           WireFormat format);
Result<std::optional<int64_t>> GetTimestampMs(const nlohmann::json& obj, std::string_view key);

std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// Request and answer JSON of the remote face-detection consumer (remote_wire.h).
#include "consumers/face_detect/remote_wire.h"

#include <nlohmann/json.hpp>

#include "base/uint128.h"

namespace sluice::consumers::face_detect::wire {
namespace {

using nlohmann::json;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Result<json> Parse(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return DataLossError("answer is not a JSON object");
  return j;
}

std::string Text(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string Target(std::string_view operation) {
  return "Kinesis_20131202." + std::string(operation);
}

std::string ErrorType(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return "";
  std::string type = Text(j, "__type");
  if (const size_t hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);
  return type;
}

std::string ErrorText(int http_status, std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  std::string message;
  if (j.is_object()) message = Text(j, "message").empty() ? Text(j, "Message") : Text(j, "message");
  const std::string type = ErrorType(body);
  return "HTTP " + std::to_string(http_status) + (type.empty() ? "" : " " + type) +
         (message.empty() ? "" : ": " + message);
}

std::string GetMediaBody(std::string_view stream, const StartPosition& start) {
  json selector;
  switch (start.type) {
    case StartPosition::Type::kEarliest:
      selector["StartSelectorType"] = "EARLIEST";
      break;
    case StartPosition::Type::kNow:
      selector["StartSelectorType"] = "NOW";
      break;
    case StartPosition::Type::kAfterFragment:
      selector["StartSelectorType"] = "FRAGMENT_NUMBER";
      selector["AfterFragmentNumber"] = start.fragment_number;
      break;
    case StartPosition::Type::kServerTimestamp:
      selector["StartSelectorType"] = "SERVER_TIMESTAMP";
      selector["StartTimestamp"] = static_cast<double>(start.timestamp.value()) / 1000.0;
      break;
  }
  return json{{"StreamName", stream}, {"StartSelector", selector}}.dump();
}

std::string CreateStreamBody(std::string_view stream, int shard_count) {
  return json{{"StreamName", stream}, {"ShardCount", shard_count}}.dump();
}

std::string StreamNameBody(std::string_view stream) { return json{{"StreamName", stream}}.dump(); }

Result<std::string> ParseStreamStatus(std::string_view body) {
  ASSIGN_OR_RETURN(json j, Parse(body));
  const auto s = j.find("StreamDescriptionSummary");
  if (s == j.end() || !s->is_object()) return DataLossError("no StreamDescriptionSummary");
  return Text(*s, "StreamStatus");
}

std::string PutRecordsBody(std::string_view stream, const std::vector<PutRecord>& records) {
  json list = json::array();
  for (const PutRecord& r : records) {
    list.push_back({{"Data", Base64Encode(r.data)}, {"PartitionKey", r.partition_key}});
  }
  return json{{"StreamName", stream}, {"Records", list}}.dump();
}

Result<std::vector<std::optional<std::string>>> ParsePutRecordsErrors(std::string_view body,
                                                                      size_t sent) {
  ASSIGN_OR_RETURN(json j, Parse(body));
  const auto records = j.find("Records");
  if (records == j.end() || !records->is_array() || records->size() != sent) {
    return DataLossError("PutRecords answer does not list every record");
  }
  std::vector<std::optional<std::string>> out;
  for (const json& r : *records) {
    const std::string code = r.is_object() ? Text(r, "ErrorCode") : "malformed";
    if (code.empty()) {
      out.emplace_back();
    } else {
      out.emplace_back(code + ": " + (r.is_object() ? Text(r, "ErrorMessage") : ""));
    }
  }
  return out;
}

std::string ListShardsNextBody(std::string_view next_token) {
  return json{{"NextToken", next_token}}.dump();
}

Result<ShardsPage> ParseShardsHoldingKey(std::string_view body, std::string_view partition_key) {
  ASSIGN_OR_RETURN(json j, Parse(body));
  const uint128 key = Md5AsUint128(partition_key);
  ShardsPage page;
  const auto shards = j.find("Shards");
  if (shards == j.end() || !shards->is_array()) return DataLossError("ListShards: no Shards");
  for (const json& s : *shards) {
    if (!s.is_object() || !s.contains("HashKeyRange")) continue;
    const json& range = s["HashKeyRange"];
    if (!range.is_object()) continue;
    auto start = ParseUint128(Text(range, "StartingHashKey"));
    auto end = ParseUint128(Text(range, "EndingHashKey"));
    if (!start.ok() || !end.ok()) return DataLossError("ListShards: bad HashKeyRange");
    if (*start <= key && key <= *end) page.shard_ids.push_back(Text(s, "ShardId"));
  }
  if (const std::string token = Text(j, "NextToken"); !token.empty()) page.next_token = token;
  return page;
}

std::string GetShardIteratorBody(std::string_view stream, std::string_view shard_id,
                                 std::optional<TimestampMs> at) {
  json j{{"StreamName", stream}, {"ShardId", shard_id}};
  if (at) {
    j["ShardIteratorType"] = "AT_TIMESTAMP";
    j["Timestamp"] = static_cast<double>(at->value()) / 1000.0;
  } else {
    j["ShardIteratorType"] = "TRIM_HORIZON";
  }
  return j.dump();
}

Result<std::string> ParseShardIterator(std::string_view body) {
  ASSIGN_OR_RETURN(json j, Parse(body));
  std::string it = Text(j, "ShardIterator");
  if (it.empty()) return DataLossError("GetShardIterator: no ShardIterator");
  return it;
}

std::string GetRecordsBody(std::string_view iterator, int limit) {
  return json{{"ShardIterator", iterator}, {"Limit", limit}}.dump();
}

Result<RecordsPage> ParseGetRecords(std::string_view body) {
  ASSIGN_OR_RETURN(json j, Parse(body));
  RecordsPage page;
  const auto records = j.find("Records");
  if (records == j.end() || !records->is_array()) return DataLossError("GetRecords: no Records");
  for (const json& r : *records) {
    if (!r.is_object()) continue;
    ASSIGN_OR_RETURN(std::string data, Base64Decode(Text(r, "Data")));
    page.records.push_back({.partition_key = Text(r, "PartitionKey"), .data = std::move(data)});
  }
  if (const std::string next = Text(j, "NextShardIterator"); !next.empty()) {
    page.next_iterator = next;
  }
  const auto behind = j.find("MillisBehindLatest");
  if (behind != j.end() && behind->is_number_integer()) {
    page.millis_behind_latest = behind->get<int64_t>();
  }
  return page;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
                       (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < bytes.size()) {
    const bool two = i + 1 < bytes.size();
    const uint32_t v = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
                       (two ? uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8 : 0);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += two ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return InvalidArgumentError("base64 length is not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      uint32_t d = 0;
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++pad;
      } else if (pad > 0) {
        return InvalidArgumentError("base64 data after padding");
      } else {
        const size_t at = kAlphabet.find(c);
        if (at == std::string_view::npos) return InvalidArgumentError("bad base64 character");
        d = static_cast<uint32_t>(at);
      }
      v = (v << 6) | d;
    }
    out += static_cast<char>((v >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(v & 0xFF);
  }
  return out;
}

}  // namespace sluice::consumers::face_detect::wire

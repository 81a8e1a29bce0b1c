// SPDX-License-Identifier: Apache-2.0
// The JSON of the requests a remote face-detection consumer sends and of the answers it reads,
// without any transport (app/consume_cmd.cc sends them): GetMedia's body (kinesis-wire.md B6),
// and the Kinesis Data Streams operations behind the remote DetectionSink (JSON 1.1, target
// Kinesis_20131202.<Operation>): CreateStream, DescribeStreamSummary, PutRecords, ListShards,
// GetShardIterator, GetRecords. Record data travels base64-encoded, as AWS sends it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"
#include "base/result.h"
#include "consumers/face_detect/face_detect_ports.h"

namespace sluice::consumers::face_detect::wire {

inline constexpr std::string_view kJsonContentType = "application/x-amz-json-1.1";
// "Kinesis_20131202.<operation>", for X-Amz-Target.
std::string Target(std::string_view operation);
// The exception name of an error answer ("ResourceNotFoundException"), from __type (with or
// without a "namespace#" prefix); "" when there is none.
std::string ErrorType(std::string_view body);
// "<type>: <message>" of an error answer, for logs.
std::string ErrorText(int http_status, std::string_view body);

// GetMedia: {"StreamName", "StartSelector"} for a start position.
std::string GetMediaBody(std::string_view stream, const StartPosition& start);

std::string CreateStreamBody(std::string_view stream, int shard_count);
std::string StreamNameBody(std::string_view stream);  // DescribeStreamSummary, ListShards
// StreamDescriptionSummary.StreamStatus ("ACTIVE", ...).
Result<std::string> ParseStreamStatus(std::string_view body);

struct PutRecord {
  std::string partition_key;
  std::string data;  // raw bytes; encoded to base64 in the body
};
std::string PutRecordsBody(std::string_view stream, const std::vector<PutRecord>& records);
// Per record: OK, or "<ErrorCode>: <ErrorMessage>" when it failed.
Result<std::vector<std::optional<std::string>>> ParsePutRecordsErrors(std::string_view body,
                                                                      size_t sent);

// ListShards: the ids of the shards (open or closed) whose hash range holds MD5(partition_key),
// and the NextToken when the answer has more pages.
struct ShardsPage {
  std::vector<std::string> shard_ids;
  std::optional<std::string> next_token;
};
std::string ListShardsNextBody(std::string_view next_token);
Result<ShardsPage> ParseShardsHoldingKey(std::string_view body, std::string_view partition_key);

// GetShardIterator: AT_TIMESTAMP `at`, else TRIM_HORIZON.
std::string GetShardIteratorBody(std::string_view stream, std::string_view shard_id,
                                 std::optional<TimestampMs> at);
Result<std::string> ParseShardIterator(std::string_view body);

struct RecordsPage {
  struct Record {
    std::string partition_key;
    std::string data;  // decoded
  };
  std::vector<Record> records;
  std::optional<std::string> next_iterator;  // none once a closed shard is read to its end
  int64_t millis_behind_latest = 0;
};
std::string GetRecordsBody(std::string_view iterator, int limit);
Result<RecordsPage> ParseGetRecords(std::string_view body);

std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace sluice::consumers::face_detect::wire

// SPDX-License-Identifier: Apache-2.0
// Value types of the engine's public API: stream and shard descriptions, records in and out, read
// positions. Plain data; no behaviour beyond parsing and naming.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"
#include "base/result.h"
#include "base/uint128.h"

namespace sluice::engine {

// What a stream carries. Both live on the same engine; only the payload meaning differs.
enum class StreamKind { kData, kVideo };
enum class StreamMode { kProvisioned, kOnDemand };
enum class StreamStatus { kCreating, kActive, kUpdating, kDeleting };

std::string_view StreamModeName(StreamMode m);      // "PROVISIONED" | "ON_DEMAND"
std::string_view StreamStatusName(StreamStatus s);  // "CREATING" | "ACTIVE" | ...
Result<StreamMode> ParseStreamMode(std::string_view s);

// When an append is acknowledged relative to fsync.
//   always       fsync (group commit) before acknowledging; the default.
//   interval:N   acknowledge after write(2); a background fsync runs every N ms.
//   never        acknowledge after write(2); the OS decides when bytes reach the disk.
struct FsyncPolicy {
  enum class Kind { kAlways, kInterval, kNever };
  Kind kind = Kind::kAlways;
  int interval_ms = 0;

  static Result<FsyncPolicy> Parse(std::string_view text);  // "always" | "interval:<ms>" | "never"
  std::string ToString() const;
  friend bool operator==(const FsyncPolicy&, const FsyncPolicy&) = default;
};

constexpr int kMinRetentionHours = 24;
constexpr int kMaxRetentionHours = 8760;
constexpr int kDefaultRetentionHours = 24;
constexpr uint64_t kDefaultMaxRecordBytes = 1024 * 1024;  // data + partition key

// Video streams (StreamKind::kVideo) follow Kinesis Video Streams' bounds instead: retention
// 0..87600 hours, where 0 ("not persisted" in KVS) keeps entries for at least
// kUnpersistedRetentionMs; names up to 256 characters; records (one fragment each) up to
// kMaxVideoRecordBytes so that a 50 MB KVS fragment fits in one log entry.
constexpr int kMinVideoRetentionHours = 0;
constexpr int kMaxVideoRetentionHours = 87600;
constexpr int64_t kUnpersistedRetentionMs = 5 * 60 * 1000;
constexpr uint64_t kMaxVideoRecordBytes = 63ull << 20;
constexpr size_t kMaxDataStreamNameLength = 128;
constexpr size_t kMaxVideoStreamNameLength = 256;

// Everything CreateStream decides. Validation (name pattern, counts, ranges) is the engine's job.
struct StreamConfig {
  std::string name;  // [a-zA-Z0-9_.-]{1,128} (video: {1,256})
  StreamKind kind = StreamKind::kData;
  StreamMode mode = StreamMode::kProvisioned;
  uint32_t shard_count = 1;                      // >= 1
  int retention_hours = kDefaultRetentionHours;  // data: 24..8760; video: 0..87600
  FsyncPolicy fsync;
  uint64_t max_record_bytes = kDefaultMaxRecordBytes;
  std::map<std::string, std::string> tags;
  // Opaque per-kind settings owned by the module that created the stream (e.g. video's media
  // type and device name as JSON). The engine stores and returns them untouched.
  std::string settings_json = "{}";
};

struct ShardInfo {
  ShardIndex index;
  std::optional<ShardIndex> parent;
  std::optional<ShardIndex> adjacent_parent;
  uint128 hash_start = 0;  // inclusive
  uint128 hash_end = 0;    // inclusive
  TimestampMs created;
  // Set once the shard is closed (after a reshard): the last counter it will ever hold.
  std::optional<EntryCounter> ending_counter;

  std::string ShardId() const;  // "shardId-000000000007"
  bool open() const { return !ending_counter.has_value(); }
};

// "shardId-000000000007" -> 7; InvalidArgument for anything else.
Result<ShardIndex> ParseShardId(std::string_view shard_id);
std::string FormatShardId(ShardIndex index);

struct StreamInfo {
  StreamId id;
  std::string name;
  // Data: arn:aws:kinesis:<region>:<account>:stream/<name>
  // Video: arn:aws:kinesisvideo:<region>:<account>:stream/<name>/<creation epoch ms>
  std::string arn;
  StreamKind kind = StreamKind::kData;
  StreamMode mode = StreamMode::kProvisioned;
  StreamStatus status = StreamStatus::kActive;
  int retention_hours = kDefaultRetentionHours;
  TimestampMs created;
  FsyncPolicy fsync;
  uint64_t max_record_bytes = kDefaultMaxRecordBytes;
  std::map<std::string, std::string> tags;
  std::vector<std::string> shard_level_metrics;  // enhanced monitoring, as set by the user
  std::string encryption_type = "NONE";          // "NONE" | "KMS"
  std::string key_id;
  std::string settings_json = "{}";
  std::vector<ShardInfo> shards;  // every shard not yet expired, ordered by index
};

// One record to append. The shard is chosen from explicit_hash_key if set, else MD5(partition_key).
struct RecordInput {
  std::string partition_key;
  std::optional<uint128> explicit_hash_key;
  std::string data;
  // Opaque bytes stored beside the record (e.g. a video fragment's metadata). Not shown by the
  // Kinesis API; returned by reads.
  std::string meta;
};

// What an acknowledged append produced for one record.
struct Appended {
  ShardIndex shard;
  EntryCounter counter;
  TimestampMs arrival;
  std::string sequence_number;  // the wire form (engine/sequence_number.h)
};

// One result per input record, in input order: each either Appended or the reason it failed
// (ResourceExhausted when throttled, Internal when the write or fsync failed, ...).
using PutResults = std::vector<Result<Appended>>;
// Called exactly once, from an engine thread, after every record is durable (per the stream's
// fsync policy) or has failed. Must not block for long.
using PutDone = std::function<void(PutResults)>;

// One stored record as read back.
struct StoredRecord {
  EntryCounter counter;
  std::string sequence_number;
  TimestampMs arrival;
  std::string partition_key;
  std::string data;
  std::string meta;
};

struct ReadLimits {
  size_t max_records = 10000;
  size_t max_bytes = 10 * 1024 * 1024;  // data + partition keys
};

struct ReadBatch {
  std::vector<StoredRecord> records;
  EntryCounter next;        // where the next read continues
  EntryCounter tip;         // one past the last visible (durable) entry of the shard
  TimestampMs tip_arrival;  // arrival time of the last visible entry (0 when empty)
  // True when the shard is closed and `next` is past its last entry: the reader is done.
  bool shard_finished = false;
};

}  // namespace sluice::engine

// SPDX-License-Identifier: Apache-2.0
// VideoStreams: the transport-free Kinesis Video Streams control plane over the StreamStore —
// create, describe, list, update, data retention, delete and tags of video streams. A video stream
// is an engine stream of kind kVideo with one shard; its KVS settings (DeviceName, MediaType,
// KmsKeyId, Version) are the stream's settings_json, its ARN the engine's info.arn
// (arn:aws:kinesisvideo:<region>:<account>:stream/<name>/<creation ms>).
// Errors are Status values; KvsErrorOf() names the KVS exception and HTTP status for one.
// Thread-safety: all methods may be called concurrently (version checks are serialised inside).
// Example (a /describeStream handler):
//   Result<VideoStreamInfo> info = streams.Describe({.name = "cam1"});
//   if (!info.ok()) { KvsError e = KvsErrorOf(info.status()); /* KvsErrorName(e), KvsHttpStatus(e)
//   */ }
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"
#include "base/result.h"
#include "engine/stream_store.h"
#include "index/fragment_index.h"

namespace sluice::ingest {

// 0..87600 hours (10 years); 0 = "not persisted": see README.md, "Retention 0".
constexpr int kMaxVideoRetentionHours = engine::kMaxVideoRetentionHours;
constexpr size_t kMaxVideoTags = 50;
constexpr size_t kVersionLength = 20;

// Names a stream by StreamName or StreamARN (at least one; when both are given they must agree).
struct VideoStreamRef {
  std::string name;
  std::string arn;
};

struct CreateVideoStreamRequest {
  std::string name;         // 1-256 of [a-zA-Z0-9_.-]
  std::string device_name;  // <= 128
  std::string media_type;   // e.g. "video/h264,audio/aac"; <= 128
  std::string kms_key_id;   // empty: the default alias/aws/kinesisvideo key ARN
  int data_retention_hours = 0;
  std::map<std::string, std::string> tags;
};

struct VideoStreamInfo {
  StreamId id;
  std::string name;
  std::string arn;
  std::string device_name;
  std::string media_type;
  std::string kms_key_id;
  std::string version;  // 20 alphanumeric characters; changes on every metadata change
  engine::StreamStatus status = engine::StreamStatus::kActive;
  TimestampMs created;
  int data_retention_hours = 0;
  std::map<std::string, std::string> tags;
};

struct UpdateVideoStreamRequest {
  VideoStreamRef ref;
  std::string current_version;  // required
  std::optional<std::string> device_name;
  std::optional<std::string> media_type;
};

enum class RetentionChange { kIncrease, kDecrease };
struct UpdateDataRetentionRequest {
  VideoStreamRef ref;
  std::string current_version;  // required
  RetentionChange operation = RetentionChange::kIncrease;
  int change_in_hours = 0;  // >= 1
};

struct ListVideoStreamsRequest {
  size_t max_results = 10000;  // 1..10000
  std::string next_token;      // from the previous page; empty for the first
  std::string name_prefix;     // StreamNameCondition BEGINS_WITH; empty: all
};

struct VideoStreamPage {
  std::vector<VideoStreamInfo> streams;  // ordered by name
  std::string next_token;                // empty on the last page
};

// The KVS exception a Status stands for, with its HTTP status (kinesis-wire.md B1).
enum class KvsError {
  kNone,                          // OK
  kResourceNotFound,              // 404  NotFound
  kResourceInUse,                 // 400  AlreadyExists; FailedPrecondition (stream not ACTIVE)
  kVersionMismatch,               // 400  FailedPrecondition starting with kVersionMismatchPrefix
  kInvalidArgument,               // 400  InvalidArgument
  kAccountStreamLimitExceeded,    // 400  ResourceExhausted starting with kStreamLimitPrefix
  kTagsPerResourceExceededLimit,  // 400  InvalidArgument starting with kTagLimitPrefix
  kClientLimitExceeded,           // 400  other ResourceExhausted, Unavailable
  kNotAuthorized,                 // 401  never produced here; the web layer's authentication
  kInternal,                      // 500  everything else
};
constexpr std::string_view kVersionMismatchPrefix = "version mismatch: ";
constexpr std::string_view kStreamLimitPrefix = "stream limit: ";
constexpr std::string_view kTagLimitPrefix = "tag limit: ";

KvsError KvsErrorOf(const Status& status);
std::string_view KvsErrorName(KvsError error);  // "ResourceNotFoundException", ...
int KvsHttpStatus(KvsError error);

struct VideoStreamsOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  size_t max_streams = 10000;  // video streams; AccountStreamLimitExceeded beyond
};

class VideoStreams {
 public:
  // `store` must outlive this object; `index` too, unless null (then Delete leaves the stream's
  // index rows for the next repair to drop).
  VideoStreams(engine::StreamStore* store, index::FragmentIndex* index,
               VideoStreamsOptions options = {});

  Result<VideoStreamInfo> Create(const CreateVideoStreamRequest& request);
  // NotFound for a missing stream and for a stream that is not a video stream.
  Result<VideoStreamInfo> Describe(const VideoStreamRef& ref);
  Result<VideoStreamPage> List(const ListVideoStreamsRequest& request);
  Status Update(const UpdateVideoStreamRequest& request);
  Status UpdateDataRetention(const UpdateDataRetentionRequest& request);
  // `current_version`, when given, must match.
  Status Delete(const VideoStreamRef& ref, std::optional<std::string> current_version);

  Status Tag(const VideoStreamRef& ref, const std::map<std::string, std::string>& tags);
  Status Untag(const VideoStreamRef& ref, const std::vector<std::string>& keys);
  Result<std::map<std::string, std::string>> ListTags(const VideoStreamRef& ref);

  // The engine stream name a ref designates (for the data-plane handlers: PutMedia, GetMedia,
  // ListFragments). NotFound unless it is a video stream.
  Result<std::string> ResolveName(const VideoStreamRef& ref);

 private:
  Result<engine::StreamInfo> Find(const VideoStreamRef& ref);
  // Applies `mutate` to the settings after checking `current_version`, with a new Version.
  Status Mutate(const VideoStreamRef& ref, std::string_view current_version,
                const std::function<Status(engine::StreamInfo*, VideoStreamInfo*)>& mutate);

  // Constant after construction.
  engine::StreamStore* const store_;
  index::FragmentIndex* const index_;
  const VideoStreamsOptions options_;

  // Serialises read-check-write of a stream's Version.
  std::mutex mu_;
};

}  // namespace sluice::ingest

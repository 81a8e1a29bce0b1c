// SPDX-License-Identifier: Apache-2.0
// EmbeddedStore stream administration: create (catalog rows as CREATING, shard folders, ACTIVE),
// delete (DELETING, close, remove folder, remove rows), describe/list and settings updates. Every
// catalog change is one transaction; the in-memory copy changes only after it committed.
#include <algorithm>

#include "base/log.h"
#include "base/metrics.h"
#include "engine/catalog_rows.h"
#include "engine/embedded_store.h"
#include "engine/format.h"

namespace sluice::engine {
namespace {

bool ValidName(std::string_view name, StreamKind kind) {
  const size_t max =
      kind == StreamKind::kVideo ? kMaxVideoStreamNameLength : kMaxDataStreamNameLength;
  if (name.empty() || name.size() > max) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

// Data streams follow Kinesis (24..8760 hours), video streams Kinesis Video (0..87600).
Status ValidateRetention(int hours, StreamKind kind) {
  const bool video = kind == StreamKind::kVideo;
  const int min = video ? kMinVideoRetentionHours : kMinRetentionHours;
  const int max = video ? kMaxVideoRetentionHours : kMaxRetentionHours;
  if (hours < min || hours > max) {
    return InvalidArgumentError("retention period " + std::to_string(hours) + " hours is outside " +
                                std::to_string(min) + ".." + std::to_string(max));
  }
  return OkStatus();
}

}  // namespace

Status EmbeddedStore::ValidateConfig(const StreamConfig& c) const {
  if (!ValidName(c.name, c.kind)) {
    const size_t max =
        c.kind == StreamKind::kVideo ? kMaxVideoStreamNameLength : kMaxDataStreamNameLength;
    return InvalidArgumentError("stream name '" + c.name + "' must match [a-zA-Z0-9_.-]{1," +
                                std::to_string(max) + "}");
  }
  if (c.shard_count < 1) return InvalidArgumentError("shard count must be at least 1");
  if (c.shard_count > kMaxSequenceShardIndex + 1) {
    return InvalidArgumentError("shard count " + std::to_string(c.shard_count) + " is too large");
  }
  RETURN_IF_ERROR(ValidateRetention(c.retention_hours, c.kind));
  // Room for the key, meta and framing of the largest record inside one log entry (video meta
  // is a few KB at most: fragment timestamps and up to ten short tags).
  static_assert(kMaxVideoRecordBytes <= format::kMaxEntryLength - (1u << 20));
  const uint64_t max_record =
      c.kind == StreamKind::kVideo ? kMaxVideoRecordBytes : format::kMaxEntryLength / 2;
  if (c.max_record_bytes < 1 || c.max_record_bytes > max_record) {
    return InvalidArgumentError("max record size must be in 1.." + std::to_string(max_record));
  }
  if (c.fsync.kind == FsyncPolicy::Kind::kInterval && c.fsync.interval_ms <= 0) {
    return InvalidArgumentError("fsync interval must be positive");
  }
  return OkStatus();
}

// Creation times are the streams' identity inside sequence numbers, so each new stream gets a
// time strictly after every earlier one (persisted, so a re-created stream never repeats numbers
// even when created within the same millisecond or after the clock stepped back).
Result<TimestampMs> EmbeddedStore::NextShardCreationTime() {
  const int64_t t = std::max(clock_->Now().value(), last_shard_created_ms_ + 1);
  RETURN_IF_ERROR(catalog_->PutSetting("engine.last_shard_created_ms", std::to_string(t)));
  last_shard_created_ms_ = t;
  return TimestampMs(t);
}

Result<StreamInfo> EmbeddedStore::CreateStream(const StreamConfig& config) {
  RETURN_IF_ERROR(ValidateConfig(config));
  std::lock_guard<std::mutex> admin(admin_mu_);
  if (closed_.load()) return CancelledError("the stream store is closed");
  {
    std::lock_guard<std::mutex> l(mu_);
    if (streams_.count(config.name)) {
      return AlreadyExistsError("stream " + config.name + " already exists");
    }
  }
  const uint32_t open = OpenShardCount();
  if (open + config.shard_count > options_.shard_limit) {
    return ResourceExhaustedError(
        "creating " + std::to_string(config.shard_count) + " shards would exceed the limit of " +
        std::to_string(options_.shard_limit) + " open shards (" + std::to_string(open) +
        " in use); delete streams or raise the shard limit");
  }
  ASSIGN_OR_RETURN(TimestampMs created, NextShardCreationTime());
  StreamInfo info;
  info.name = config.name;
  if (config.kind == StreamKind::kVideo) {
    info.arn = "arn:aws:kinesisvideo:" + options_.region + ":" + options_.account_id + ":stream/" +
               config.name + "/" + std::to_string(created.value());
  } else {
    info.arn =
        "arn:aws:kinesis:" + options_.region + ":" + options_.account_id + ":stream/" + config.name;
  }
  info.kind = config.kind;
  info.mode = config.mode;
  info.status = StreamStatus::kCreating;
  info.retention_hours = config.retention_hours;
  info.created = created;
  info.fsync = config.fsync;
  info.max_record_bytes = config.max_record_bytes;
  info.tags = config.tags;
  info.settings_json = config.settings_json;
  const auto ranges = SplitHashRange(config.shard_count);
  std::vector<index::ShardRow> shard_rows;
  for (uint32_t i = 0; i < config.shard_count; i++) {
    ShardInfo s;
    s.index = ShardIndex(i);
    s.hash_start = ranges[i].first;
    s.hash_end = ranges[i].second;
    s.created = created;
    info.shards.push_back(s);
    shard_rows.push_back(ShardRowFromInfo(StreamId(), s));
  }
  ASSIGN_OR_RETURN(info.id, catalog_->InsertStream(StreamRowFromInfo(info), shard_rows));
  info.status = StreamStatus::kActive;
  Result<std::shared_ptr<Stream>> stream = OpenStream(info);
  Status s = stream.ok() ? catalog_->UpdateStream(StreamRowFromInfo(info)) : stream.status();
  if (!s.ok()) {
    if (stream.ok()) {
      for (auto& shard : (*stream)->shards) shard->Close().IgnoreError();
    }
    info.status = StreamStatus::kDeleting;
    RemoveStreamData(info).IgnoreError();
    return s;
  }
  std::lock_guard<std::mutex> l(mu_);
  streams_[info.name] = *stream;
  return info;
}

// Removes a stream's folder and then its catalog rows. Marked DELETING first by the caller, so a
// crash in between is finished by the next Open.
Status EmbeddedStore::RemoveStreamData(const StreamInfo& info) {
  const std::string dir = StreamDir(info.id);
  if (env_->FileExists(dir)) RETURN_IF_ERROR(env_->RemoveDirRecursively(dir));
  RETURN_IF_ERROR(env_->SyncDir(options_.data_dir + "/streams"));
  RETURN_IF_ERROR(catalog_->DeleteStream(info.id));
  Metrics::Global().RemoveSeriesWithLabel("stream", info.name);
  return OkStatus();
}

Status EmbeddedStore::DeleteStream(std::string_view name) {
  std::lock_guard<std::mutex> admin(admin_mu_);
  ASSIGN_OR_RETURN(std::shared_ptr<Stream> stream, FindStream(name));
  StreamInfo info;
  {
    std::lock_guard<std::mutex> l(mu_);
    info = stream->info;
  }
  info.status = StreamStatus::kDeleting;
  RETURN_IF_ERROR(catalog_->UpdateStream(StreamRowFromInfo(info)));
  {
    std::lock_guard<std::mutex> l(mu_);
    streams_.erase(info.name);  // new calls now get NotFound
  }
  for (auto& shard : stream->shards) shard->Close().IgnoreError();
  LOG_INFO("engine", "deleting stream", {{"stream", info.name}, {"id", info.id.value()}});
  return RemoveStreamData(info);
}

Result<StreamInfo> EmbeddedStore::DescribeStream(std::string_view name) {
  ASSIGN_OR_RETURN(std::shared_ptr<Stream> stream, FindStream(name));
  std::lock_guard<std::mutex> l(mu_);
  return stream->info;
}

std::vector<StreamInfo> EmbeddedStore::ListStreams() {
  std::vector<StreamInfo> out;
  if (closed_.load()) return out;
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [name, stream] : streams_) out.push_back(stream->info);
  return out;  // the map is ordered by name
}

Result<std::string> EmbeddedStore::StreamNameForArn(std::string_view arn) {
  if (closed_.load()) return CancelledError("the stream store is closed");
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [name, stream] : streams_) {
    if (stream->info.arn == arn) return name;
  }
  return NotFoundError("no stream with ARN " + std::string(arn));
}

uint32_t EmbeddedStore::OpenShardCount() {
  std::lock_guard<std::mutex> l(mu_);
  uint32_t n = 0;
  for (auto& [name, stream] : streams_) {
    for (const ShardInfo& s : stream->info.shards) n += s.open() ? 1 : 0;
  }
  return n;
}

Status EmbeddedStore::UpdateInfo(std::string_view name,
                                 const std::function<Status(StreamInfo*)>& mutate) {
  std::lock_guard<std::mutex> admin(admin_mu_);
  ASSIGN_OR_RETURN(std::shared_ptr<Stream> stream, FindStream(name));
  StreamInfo info;
  {
    std::lock_guard<std::mutex> l(mu_);
    info = stream->info;
  }
  RETURN_IF_ERROR(mutate(&info));
  RETURN_IF_ERROR(catalog_->UpdateStream(StreamRowFromInfo(info)));
  std::lock_guard<std::mutex> l(mu_);
  stream->info = std::move(info);
  return OkStatus();
}

Status EmbeddedStore::SetRetentionHours(std::string_view name, int hours) {
  return UpdateInfo(name, [&](StreamInfo* i) {
    RETURN_IF_ERROR(ValidateRetention(hours, i->kind));
    i->retention_hours = hours;
    return OkStatus();
  });
}

Status EmbeddedStore::AddTags(std::string_view name,
                              const std::map<std::string, std::string>& tags) {
  return UpdateInfo(name, [&](StreamInfo* i) {
    for (const auto& [k, v] : tags) i->tags[k] = v;
    return OkStatus();
  });
}

Status EmbeddedStore::RemoveTags(std::string_view name, const std::vector<std::string>& keys) {
  return UpdateInfo(name, [&](StreamInfo* i) {
    for (const auto& k : keys) i->tags.erase(k);
    return OkStatus();
  });
}

Status EmbeddedStore::SetShardLevelMetrics(std::string_view name,
                                           const std::vector<std::string>& metrics) {
  return UpdateInfo(name, [&](StreamInfo* i) {
    i->shard_level_metrics = metrics;
    return OkStatus();
  });
}

Status EmbeddedStore::SetSettingsJson(std::string_view name, std::string settings_json) {
  return UpdateInfo(name, [&](StreamInfo* i) {
    i->settings_json = settings_json;
    return OkStatus();
  });
}

Status EmbeddedStore::SetFsyncPolicy(std::string_view name, FsyncPolicy policy) {
  if (policy.kind == FsyncPolicy::Kind::kInterval && policy.interval_ms <= 0) {
    return InvalidArgumentError("fsync interval must be positive");
  }
  RETURN_IF_ERROR(UpdateInfo(name, [&](StreamInfo* i) {
    i->fsync = policy;
    return OkStatus();
  }));
  ASSIGN_OR_RETURN(std::shared_ptr<Stream> stream, FindStream(name));
  for (auto& shard : stream->shards) shard->SetPolicy(policy);
  return OkStatus();
}

}  // namespace sluice::engine

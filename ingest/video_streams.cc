// SPDX-License-Identifier: Apache-2.0
// VideoStreams: KVS control-plane semantics over engine streams of kind kVideo. The KVS fields
// live in settings_json as {"DeviceName", "MediaType", "KmsKeyId", "Version"}; retention, tags,
// status, ARN and creation time are the engine's own StreamInfo fields.
#include "ingest/video_streams.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

namespace sluice::ingest {
namespace {

using nlohmann::json;

std::string NewVersion() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::string v(kVersionLength, ' ');
  for (char& c : v) c = kAlphabet[pick(rng)];
  return v;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

// MediaType: one or more "type/subtype" of [\w\-\.\+] joined by commas (the KVS model pattern).
bool ValidMediaType(std::string_view m) {
  if (m.empty() || m.size() > 128) return false;
  size_t start = 0;
  while (start <= m.size()) {
    size_t end = m.find(',', start);
    if (end == std::string_view::npos) end = m.size();
    std::string_view part = m.substr(start, end - start);
    const size_t slash = part.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == part.size()) return false;
    for (size_t i = 0; i < part.size(); i++) {
      const char c = part[i];
      if (i != slash && !IsNameChar(c) && c != '+') return false;
    }
    start = end + 1;
  }
  return true;
}

Status ValidateTags(const std::map<std::string, std::string>& tags) {
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > 128)
      return InvalidArgumentError("tag keys must be 1-128 characters");
    if (v.size() > 256) return InvalidArgumentError("tag values must be at most 256 characters");
  }
  return OkStatus();
}

Status ValidateDeviceName(const std::string& d) {
  if (d.size() > 128 || !std::all_of(d.begin(), d.end(), IsNameChar)) {
    return InvalidArgumentError("DeviceName must be at most 128 of [a-zA-Z0-9_.-]");
  }
  return OkStatus();
}

// The KVS fields of a video stream; settings written by an older server may lack some.
VideoStreamInfo InfoOf(const engine::StreamInfo& s) {
  VideoStreamInfo v;
  v.id = s.id;
  v.name = s.name;
  v.arn = s.arn;
  v.status = s.status;
  v.created = s.created;
  v.data_retention_hours = s.retention_hours;
  v.tags = s.tags;
  json j = json::parse(s.settings_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    v.device_name = j.value("DeviceName", "");
    v.media_type = j.value("MediaType", "");
    v.kms_key_id = j.value("KmsKeyId", "");
    v.version = j.value("Version", "");
  }
  return v;
}

std::string SettingsOf(const VideoStreamInfo& v) {
  json j = {{"DeviceName", v.device_name},
            {"MediaType", v.media_type},
            {"KmsKeyId", v.kms_key_id},
            {"Version", v.version}};
  return j.dump();
}

Status StreamNotFound(std::string_view what) {
  return NotFoundError("The requested stream " + std::string(what) + " is not found.");
}

}  // namespace

KvsError KvsErrorOf(const Status& s) {
  const std::string& m = s.message();
  switch (s.code()) {
    case StatusCode::kOk:
      return KvsError::kNone;
    case StatusCode::kNotFound:
      return KvsError::kResourceNotFound;
    case StatusCode::kAlreadyExists:
      return KvsError::kResourceInUse;
    case StatusCode::kFailedPrecondition:
      return m.starts_with(kVersionMismatchPrefix) ? KvsError::kVersionMismatch
                                                   : KvsError::kResourceInUse;
    case StatusCode::kInvalidArgument:
      return m.starts_with(kTagLimitPrefix) ? KvsError::kTagsPerResourceExceededLimit
                                            : KvsError::kInvalidArgument;
    case StatusCode::kResourceExhausted:
      return m.starts_with(kStreamLimitPrefix) ? KvsError::kAccountStreamLimitExceeded
                                               : KvsError::kClientLimitExceeded;
    case StatusCode::kUnavailable:
      return KvsError::kClientLimitExceeded;
    default:
      return KvsError::kInternal;
  }
}

std::string_view KvsErrorName(KvsError e) {
  switch (e) {
    case KvsError::kNone:
      return "";
    case KvsError::kResourceNotFound:
      return "ResourceNotFoundException";
    case KvsError::kResourceInUse:
      return "ResourceInUseException";
    case KvsError::kVersionMismatch:
      return "VersionMismatchException";
    case KvsError::kInvalidArgument:
      return "InvalidArgumentException";
    case KvsError::kAccountStreamLimitExceeded:
      return "AccountStreamLimitExceededException";
    case KvsError::kTagsPerResourceExceededLimit:
      return "TagsPerResourceExceededLimitException";
    case KvsError::kClientLimitExceeded:
      return "ClientLimitExceededException";
    case KvsError::kNotAuthorized:
      return "NotAuthorizedException";
    case KvsError::kInternal:
      return "InternalFailure";
  }
  return "InternalFailure";
}

int KvsHttpStatus(KvsError e) {
  switch (e) {
    case KvsError::kNone:
      return 200;
    case KvsError::kResourceNotFound:
      return 404;
    case KvsError::kNotAuthorized:
      return 401;
    case KvsError::kInternal:
      return 500;
    default:
      return 400;
  }
}

VideoStreams::VideoStreams(engine::StreamStore* store, index::FragmentIndex* index,
                           VideoStreamsOptions options)
    : store_(store), index_(index), options_(std::move(options)) {}

Result<engine::StreamInfo> VideoStreams::Find(const VideoStreamRef& ref) {
  if (ref.name.empty() && ref.arn.empty()) {
    return InvalidArgumentError("either StreamName or StreamARN must be given");
  }
  std::string name = ref.name;
  if (!ref.arn.empty()) {
    Result<std::string> by_arn = store_->StreamNameForArn(ref.arn);
    if (!by_arn.ok()) {
      if (by_arn.status().code() == StatusCode::kNotFound) return StreamNotFound(ref.arn);
      return by_arn.status();
    }
    if (!name.empty() && name != *by_arn) {
      return InvalidArgumentError("StreamName " + name + " does not match StreamARN " + ref.arn);
    }
    name = *by_arn;
  }
  Result<engine::StreamInfo> info = store_->DescribeStream(name);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) return StreamNotFound(name);
    return info.status();
  }
  if (info->kind != engine::StreamKind::kVideo) return StreamNotFound(name);
  return info;
}

Result<VideoStreamInfo> VideoStreams::Create(const CreateVideoStreamRequest& r) {
  RETURN_IF_ERROR(ValidateDeviceName(r.device_name));
  if (!r.media_type.empty() && !ValidMediaType(r.media_type)) {
    return InvalidArgumentError("MediaType '" + r.media_type + "' is not of the form type/subtype");
  }
  if (r.kms_key_id.size() > 2048) return InvalidArgumentError("KmsKeyId is too long");
  if (r.data_retention_hours < engine::kMinVideoRetentionHours ||
      r.data_retention_hours > engine::kMaxVideoRetentionHours) {
    return InvalidArgumentError("DataRetentionInHours must be in 0..87600");
  }
  if (r.tags.size() > kMaxVideoTags) {
    return InvalidArgumentError(std::string(kTagLimitPrefix) + "at most 50 tags per stream");
  }
  RETURN_IF_ERROR(ValidateTags(r.tags));
  std::lock_guard<std::mutex> l(mu_);
  size_t count = 0;
  for (const engine::StreamInfo& s : store_->ListStreams()) {
    count += s.kind == engine::StreamKind::kVideo ? 1 : 0;
  }
  if (count >= options_.max_streams) {
    return ResourceExhaustedError(std::string(kStreamLimitPrefix) + "the account already has " +
                                  std::to_string(count) + " video streams");
  }
  VideoStreamInfo v;
  v.device_name = r.device_name;
  v.media_type = r.media_type;
  v.kms_key_id = r.kms_key_id.empty() ? "arn:aws:kms:" + options_.region + ":" +
                                            options_.account_id + ":alias/aws/kinesisvideo"
                                      : r.kms_key_id;
  v.version = NewVersion();
  engine::StreamConfig c;
  c.name = r.name;
  c.kind = engine::StreamKind::kVideo;
  c.shard_count = 1;
  c.retention_hours = r.data_retention_hours;
  c.max_record_bytes = engine::kMaxVideoRecordBytes;
  c.tags = r.tags;
  c.settings_json = SettingsOf(v);
  Result<engine::StreamInfo> created = store_->CreateStream(c);
  if (!created.ok()) {
    const Status& s = created.status();
    if (s.code() == StatusCode::kAlreadyExists) {
      return AlreadyExistsError("The stream " + r.name + " already exists.");
    }
    if (s.code() == StatusCode::kResourceExhausted &&
        s.message().find("shards would exceed the limit") != std::string::npos) {
      return ResourceExhaustedError(std::string(kStreamLimitPrefix) + s.message());
    }
    return s;
  }
  return InfoOf(*created);
}

Result<VideoStreamInfo> VideoStreams::Describe(const VideoStreamRef& ref) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, Find(ref));
  return InfoOf(info);
}

Result<VideoStreamPage> VideoStreams::List(const ListVideoStreamsRequest& r) {
  if (r.max_results < 1 || r.max_results > 10000) {
    return InvalidArgumentError("MaxResults must be in 1..10000");
  }
  VideoStreamPage page;
  for (const engine::StreamInfo& s : store_->ListStreams()) {  // ordered by name
    if (s.kind != engine::StreamKind::kVideo || !s.name.starts_with(r.name_prefix)) continue;
    if (!r.next_token.empty() && s.name <= r.next_token) continue;
    if (page.streams.size() == r.max_results) {
      page.next_token = page.streams.back().name;
      break;
    }
    page.streams.push_back(InfoOf(s));
  }
  return page;
}

Status VideoStreams::Mutate(
    const VideoStreamRef& ref, std::string_view current_version,
    const std::function<Status(engine::StreamInfo*, VideoStreamInfo*)>& mutate) {
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(engine::StreamInfo info, Find(ref));
  VideoStreamInfo v = InfoOf(info);
  if (current_version != v.version) {
    return FailedPreconditionError(std::string(kVersionMismatchPrefix) + "stream " + info.name +
                                   " has version " + v.version + ", not " +
                                   std::string(current_version));
  }
  const int old_retention = info.retention_hours;
  RETURN_IF_ERROR(mutate(&info, &v));
  v.version = NewVersion();
  if (info.retention_hours != old_retention) {
    RETURN_IF_ERROR(store_->SetRetentionHours(info.name, info.retention_hours));
  }
  return store_->SetSettingsJson(info.name, SettingsOf(v));
}

Status VideoStreams::Update(const UpdateVideoStreamRequest& r) {
  if (r.device_name) RETURN_IF_ERROR(ValidateDeviceName(*r.device_name));
  if (r.media_type && !ValidMediaType(*r.media_type)) {
    return InvalidArgumentError("MediaType '" + *r.media_type +
                                "' is not of the form type/subtype");
  }
  return Mutate(r.ref, r.current_version, [&](engine::StreamInfo*, VideoStreamInfo* v) {
    if (r.device_name) v->device_name = *r.device_name;
    if (r.media_type) v->media_type = *r.media_type;
    return OkStatus();
  });
}

Status VideoStreams::UpdateDataRetention(const UpdateDataRetentionRequest& r) {
  if (r.change_in_hours < 1) return InvalidArgumentError("DataRetentionChangeInHours must be >= 1");
  return Mutate(r.ref, r.current_version, [&](engine::StreamInfo* info, VideoStreamInfo*) {
    const int64_t sign = r.operation == RetentionChange::kIncrease ? 1 : -1;
    const int64_t hours = int64_t{info->retention_hours} + sign * r.change_in_hours;
    if (hours < engine::kMinVideoRetentionHours || hours > engine::kMaxVideoRetentionHours) {
      return InvalidArgumentError("the new retention of " + std::to_string(hours) +
                                  " hours is outside 0..87600");
    }
    info->retention_hours = static_cast<int>(hours);
    return OkStatus();
  });
}

Status VideoStreams::Delete(const VideoStreamRef& ref, std::optional<std::string> current_version) {
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(engine::StreamInfo info, Find(ref));
  if (current_version && *current_version != InfoOf(info).version) {
    return FailedPreconditionError(std::string(kVersionMismatchPrefix) + "stream " + info.name +
                                   " has another version than " + *current_version);
  }
  RETURN_IF_ERROR(store_->DeleteStream(info.name));
  if (index_ != nullptr) RETURN_IF_ERROR(index_->DropStream(info.id));
  return OkStatus();
}

Status VideoStreams::Tag(const VideoStreamRef& ref,
                         const std::map<std::string, std::string>& tags) {
  if (tags.empty()) return InvalidArgumentError("Tags must not be empty");
  RETURN_IF_ERROR(ValidateTags(tags));
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(engine::StreamInfo info, Find(ref));
  std::map<std::string, std::string> merged = info.tags;
  for (const auto& [k, v] : tags) merged[k] = v;
  if (merged.size() > kMaxVideoTags) {
    return InvalidArgumentError(std::string(kTagLimitPrefix) + "a stream can have at most 50 tags");
  }
  return store_->AddTags(info.name, tags);
}

Status VideoStreams::Untag(const VideoStreamRef& ref, const std::vector<std::string>& keys) {
  if (keys.empty() || keys.size() > kMaxVideoTags) {
    return InvalidArgumentError("TagKeyList must hold 1-50 keys");
  }
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(engine::StreamInfo info, Find(ref));
  return store_->RemoveTags(info.name, keys);
}

Result<std::map<std::string, std::string>> VideoStreams::ListTags(const VideoStreamRef& ref) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, Find(ref));
  return info.tags;
}

Result<std::string> VideoStreams::ResolveName(const VideoStreamRef& ref) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, Find(ref));
  return info.name;
}

}  // namespace sluice::ingest

// SPDX-License-Identifier: Apache-2.0
// Context: stream addressing, ARN-derived account/region, id->name and gauge caches.
#include "web/api/kinesis_context.h"

#include <openssl/rand.h>

#include "base/log.h"

namespace sluice::web::api::kinesis {
namespace {

std::string SecretOrRandom(std::string secret) {
  if (!secret.empty()) return secret;
  // Without a configured secret iterators still work; they just do not survive a restart.
  std::string random(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(random.data()),
                 static_cast<int>(random.size())) != 1) {
    LOG_ERROR("kinesis", "RAND_bytes failed; shard iterators use a fixed key");
    return "sluice-unconfigured-iterator-secret";
  }
  LOG_WARN("kinesis", "no iterator secret configured; shard iterators end at restart");
  return random;
}

// "arn:aws:kinesis:<region>:<account>:stream/<name>" -> the i-th ':'-separated field.
std::string_view ArnField(std::string_view arn, int index) {
  for (int i = 0; i < index; ++i) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return {};
    arn.remove_prefix(colon + 1);
  }
  return arn.substr(0, arn.find(':'));
}

std::string_view ArnStreamName(std::string_view arn) {
  size_t slash = arn.find(":stream/");
  if (slash == std::string_view::npos) return arn;
  std::string_view name = arn.substr(slash + 8);
  return name.substr(0, name.find('/'));
}

}  // namespace

StreamRef ReadStreamRef(MemberReader& in, Violations& v) {
  StreamRef ref{in.String("StreamName"), in.String("StreamARN")};
  CheckStreamName(v, ref.name, "streamName", /*required=*/false);
  CheckStreamArn(v, ref.arn);
  return ref;
}

std::optional<ApiResult> RequireActive(const engine::StreamInfo& info, std::string_view account) {
  if (info.status == engine::StreamStatus::kActive) return std::nullopt;
  return ApiResult::Fail("ResourceInUseException",
                         "Stream " + info.name + " under account " + std::string(account) +
                             " not ACTIVE, instead in state " +
                             std::string(engine::StreamStatusName(info.status)));
}

Context::Context(engine::StreamStore* store, KinesisApi::Options options)
    : store_(store),
      clock_(options.clock != nullptr ? options.clock : SystemClock()),
      iterator_ttl_ms_(options.iterator_ttl_ms),
      default_fsync_(options.default_fsync),
      secret_(SecretOrRandom(std::move(options.iterator_secret))),
      iterators_(secret_),
      pages_(secret_) {
  // Learn the account and region of this server's ARNs from any existing stream.
  for (const engine::StreamInfo& info : store_->ListStreams()) {
    LearnArn(info.arn);
    break;
  }
}

std::string Context::account() const {
  std::lock_guard lock(mu_);
  return account_;
}

std::string Context::region() const {
  std::lock_guard lock(mu_);
  return region_;
}

void Context::LearnArn(std::string_view arn) {
  std::string_view region = ArnField(arn, 3);
  std::string_view account = ArnField(arn, 4);
  if (region.empty() || account.size() != 12) return;
  std::lock_guard lock(mu_);
  region_ = region;
  account_ = account;
}

std::string Context::DisplayName(const StreamRef& ref) const {
  if (ref.name) return *ref.name;
  if (ref.arn) return std::string(ArnStreamName(*ref.arn));
  return "";
}

ApiOr<engine::StreamInfo> Context::Describe(std::string_view name) {
  Result<engine::StreamInfo> info = store_->DescribeStream(name);
  if (!info.ok()) return FromStatus(info.status(), name);
  if (info->kind != engine::StreamKind::kData) return StreamNotFound(name, account());
  return std::move(*info);
}

ApiOr<engine::StreamInfo> Context::Resolve(const StreamRef& ref) {
  if (!ref.name && !ref.arn) {
    return InvalidArgument("Either StreamName or StreamARN should be provided.");
  }
  if (!ref.arn) return Describe(*ref.name);
  Result<std::string> name = store_->StreamNameForArn(*ref.arn);
  if (!name.ok()) {
    if (name.status().code() == StatusCode::kNotFound) {
      std::string_view account = ArnField(*ref.arn, 4);
      return StreamNotFound(ArnStreamName(*ref.arn), account.empty() ? this->account() : account);
    }
    return FromStatus(name.status(), ArnStreamName(*ref.arn));
  }
  if (ref.name && *ref.name != *name) {
    return InvalidArgument("StreamARN " + *ref.arn + " and StreamName " + *ref.name +
                           " refer to different streams.");
  }
  return Describe(*name);
}

void Context::RememberStream(const engine::StreamInfo& info) {
  std::lock_guard lock(mu_);
  streams_[info.id] = KnownStream{info.name, info.encryption_type == "KMS"};
}

std::optional<Context::KnownStream> Context::StreamForId(StreamId id) {
  {
    std::lock_guard lock(mu_);
    auto it = streams_.find(id);
    if (it != streams_.end()) return it->second;
  }
  // Not seen since start: the store knows every live stream. Ids are never reused, so a stream
  // that is gone stays gone and the caller answers ResourceNotFound.
  for (const engine::StreamInfo& info : store_->ListStreams()) {
    if (info.id == id && info.kind == engine::StreamKind::kData) {
      RememberStream(info);
      return KnownStream{info.name, info.encryption_type == "KMS"};
    }
  }
  return std::nullopt;
}

void Context::ForgetStream(const std::string& name) {
  // The engine retires the deleted stream's metric series; drop our pointers to them so that a
  // re-created stream gets fresh ones. streams_ keeps the old id: ids are never reused, and reads
  // through old iterators fail in the engine (expected_id) with the stream's name in the message.
  std::lock_guard lock(mu_);
  std::erase_if(ages_, [&](const auto& entry) { return entry.first.first == name; });
}

Gauge* Context::IteratorAge(const std::string& stream, ShardIndex shard) {
  std::lock_guard lock(mu_);
  auto key = std::make_pair(stream, shard.value());
  auto it = ages_.find(key);
  if (it != ages_.end()) return it->second;
  Gauge* g = Metrics::Global().GetGauge(
      "sluice_iterator_age_ms", "Milliseconds the last GetRecords of a shard was behind its tip",
      {{"stream", stream}, {"shard", std::to_string(shard.value())}});
  ages_.emplace(std::move(key), g);
  return g;
}

ApiResult Context::FromStatus(const Status& status, std::string_view stream) const {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return StreamNotFound(stream, account());
    case StatusCode::kAlreadyExists:
      return StreamInUse(stream, account());
    default: {
      ApiError e = ApiErrorFromStatus(status);
      return ApiResult::Fail(std::move(e.type), std::move(e.message), e.http_status);
    }
  }
}

}  // namespace sluice::web::api::kinesis

// SPDX-License-Identifier: Apache-2.0
// Context: what every Kinesis operation shares — the store, the clock, the token codecs, the
// account/region used in error texts, stream addressing (StreamName or StreamARN) and the small
// caches (stream id -> name for iterators, iterator-age gauges). One per KinesisApi.
// Thread-safety: every method may be called concurrently.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/clock.h"
#include "base/metrics.h"
#include "base/thread_annotations.h"
#include "engine/stream_store.h"
#include "web/api/iterator_token.h"
#include "web/api/kinesis_api.h"
#include "web/api/kinesis_validation.h"
#include "web/api/page_token.h"

namespace sluice::web::api::kinesis {

// A value, or the AWS error to answer instead.
template <typename T>
struct ApiOr {
  ApiOr(T v) : value(std::move(v)) {}            // NOLINT: implicit by design
  ApiOr(ApiResult f) : failure(std::move(f)) {}  // NOLINT: implicit by design
  bool ok() const { return value.has_value(); }
  std::optional<T> value;
  ApiResult failure;
};

// How a request names its stream: StreamName and/or StreamARN.
struct StreamRef {
  std::optional<std::string> name;
  std::optional<std::string> arn;
};

// ResourceInUseException unless the stream is ACTIVE (settings change only on ACTIVE streams).
std::optional<ApiResult> RequireActive(const engine::StreamInfo& info, std::string_view account);

// Reads and checks StreamName (member "streamName") and StreamARN.
StreamRef ReadStreamRef(MemberReader& in, Violations& v);

class Context {
 public:
  // `store` must outlive the context.
  Context(engine::StreamStore* store, KinesisApi::Options options);

  engine::StreamStore& store() { return *store_; }
  TimestampMs Now() const { return clock_->Now(); }
  int64_t iterator_ttl_ms() const { return iterator_ttl_ms_; }
  const engine::FsyncPolicy& default_fsync() const { return default_fsync_; }
  const IteratorCodec& iterators() const { return iterators_; }
  const PageTokenCodec& pages() const { return pages_; }

  // The account and region of this server's ARNs (learned from the streams; defaults
  // 000000000000 / us-east-1), as AWS names them in error texts.
  std::string account() const;
  std::string region() const;
  void LearnArn(std::string_view arn);

  // The data stream a request addresses; ResourceNotFoundException (or InvalidArgument when
  // neither member is given) otherwise. Video streams are not Kinesis data streams.
  ApiOr<engine::StreamInfo> Resolve(const StreamRef& ref);
  ApiOr<engine::StreamInfo> Describe(std::string_view name);
  // The stream name a Resolve would use, for error texts before the stream is known.
  std::string DisplayName(const StreamRef& ref) const;

  // Stream id -> name (and whether it is encrypted), for decoding iterators, which carry the id
  // only. Misses fall back to a scan of the store, so iterators keep working across restarts.
  struct KnownStream {
    std::string name;
    bool encrypted = false;
  };
  void RememberStream(const engine::StreamInfo& info);
  std::optional<KnownStream> StreamForId(StreamId id);
  void ForgetStream(const std::string& name);

  // sluice_iterator_age_ms{stream,shard}; created once per series and cached.
  Gauge* IteratorAge(const std::string& stream, ShardIndex shard);

  // The client error for an engine status concerning `stream`.
  ApiResult FromStatus(const Status& status, std::string_view stream) const;

 private:
  engine::StreamStore* const store_;
  Clock* const clock_;
  const int64_t iterator_ttl_ms_;
  const engine::FsyncPolicy default_fsync_;
  const std::string secret_;  // the iterator secret, or a random one when none was configured
  const IteratorCodec iterators_;
  const PageTokenCodec pages_;

  mutable std::mutex mu_;
  std::string account_ GUARDED_BY(mu_) = "000000000000";
  std::string region_ GUARDED_BY(mu_) = "us-east-1";
  std::map<StreamId, KnownStream> streams_ GUARDED_BY(mu_);
  std::map<std::pair<std::string, uint32_t>, Gauge*> ages_ GUARDED_BY(mu_);
};

}  // namespace sluice::web::api::kinesis

// SPDX-License-Identifier: Apache-2.0
// LocalLeaseBackend and LocalRecordSource: thin adapters from the framework's interfaces to
// index::ConsumerLeases, the engine's stream descriptions and RecordIterator.
#include "consumers/framework/local_backend.h"

#include "consumers/framework/record_iterator.h"

namespace sluice::consumers {

LocalLeaseBackend::LocalLeaseBackend(index::ConsumerLeases* leases, engine::StreamStore* store,
                                     Clock* clock)
    : leases_(leases), store_(store), clock_(clock != nullptr ? clock : SystemClock()) {}

TimestampMs LocalLeaseBackend::ExpiryAfter(int64_t duration_ms) const {
  return TimestampMs(clock_->Now().value() + duration_ms);
}

Result<index::ConsumerApplication> LocalLeaseBackend::CreateApplication(
    const ApplicationSpec& spec) {
  using Type = StartPosition::Type;
  if (spec.initial_position != Type::kTrimHorizon && spec.initial_position != Type::kLatest &&
      spec.initial_position != Type::kAtTimestamp) {
    return InvalidArgumentError("an application starts at TRIM_HORIZON, LATEST or AT_TIMESTAMP");
  }
  ASSIGN_OR_RETURN(engine::StreamInfo info, store_->DescribeStream(spec.stream));
  index::ConsumerApplication app;
  app.name = spec.name;
  app.stream = info.name;
  app.stream_id = info.id;
  app.initial_position = std::string(StartTypeName(spec.initial_position));
  app.initial_timestamp = spec.initial_timestamp;
  return leases_->CreateApplication(app);
}

Result<LeaseSnapshot> LocalLeaseBackend::ListLeases(std::string_view application) {
  LeaseSnapshot snap;
  snap.now = clock_->Now();
  ASSIGN_OR_RETURN(snap.leases, leases_->ListLeases(application));
  return snap;
}

Result<std::vector<index::LeaseShard>> LocalLeaseBackend::ListShards(std::string_view stream) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, store_->DescribeStream(stream));
  std::vector<index::LeaseShard> out;
  out.reserve(info.shards.size());
  for (const engine::ShardInfo& s : info.shards) {
    index::LeaseShard l{.shard = s.index};
    if (s.parent) l.parents.push_back(*s.parent);
    if (s.adjacent_parent) l.parents.push_back(*s.adjacent_parent);
    out.push_back(std::move(l));
  }
  return out;
}

Status LocalLeaseBackend::EnsureLeases(std::string_view application,
                                       const std::vector<index::LeaseShard>& shards) {
  return leases_->EnsureLeases(application, shards).status();
}

Result<index::ConsumerLease> LocalLeaseBackend::TakeLease(std::string_view application,
                                                          ShardIndex shard, std::string_view worker,
                                                          uint64_t counter, int64_t duration_ms) {
  return leases_->TakeLease(application, shard, worker, counter, ExpiryAfter(duration_ms));
}

Result<index::ConsumerLease> LocalLeaseBackend::RenewLease(std::string_view application,
                                                           ShardIndex shard,
                                                           std::string_view worker,
                                                           uint64_t counter, int64_t duration_ms) {
  return leases_->RenewLease(application, shard, worker, counter, ExpiryAfter(duration_ms));
}

Status LocalLeaseBackend::Checkpoint(std::string_view application, ShardIndex shard,
                                     std::string_view worker, uint64_t counter,
                                     std::string_view checkpoint) {
  return leases_->Checkpoint(application, shard, worker, counter, checkpoint).status();
}

Status LocalLeaseBackend::ReleaseLease(std::string_view application, ShardIndex shard,
                                       std::string_view worker, uint64_t counter) {
  return leases_->ReleaseLease(application, shard, worker, counter).status();
}

Result<std::unique_ptr<ShardReader>> LocalRecordSource::Open(std::string_view stream,
                                                             ShardIndex shard,
                                                             const StartPosition& start) {
  ASSIGN_OR_RETURN(std::unique_ptr<RecordIterator> it,
                   RecordIterator::Open(store_, stream, shard, start, max_bytes_));
  return std::unique_ptr<ShardReader>(std::move(it));
}

}  // namespace sluice::consumers

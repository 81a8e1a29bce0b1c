// SPDX-License-Identifier: Apache-2.0
// The in-server backends of the consumer framework: LocalLeaseBackend keeps leases in the
// server's index::ConsumerLeases and discovers shards through the engine; LocalRecordSource reads
// shards with RecordIterator. A remote process uses HTTP implementations of the same interfaces.
// Thread-safety: both are safe to share between threads.
// Example:
//   LocalLeaseBackend leases(consumer_leases.get(), store.get());
//   LocalRecordSource records(store.get());
//   Worker worker(&leases, &records, factory, {.application = "archiver", .stream = "orders"});
#pragma once

#include "base/clock.h"
#include "consumers/framework/lease_backend.h"
#include "consumers/framework/record_source.h"
#include "engine/stream_store.h"
#include "index/consumer_leases.h"

namespace sluice::consumers {

class LocalLeaseBackend : public LeaseBackend {
 public:
  // `leases` and `store` must outlive the backend. `clock` null: SystemClock(); it must be the
  // clock `leases` was opened with.
  LocalLeaseBackend(index::ConsumerLeases* leases, engine::StreamStore* store,
                    Clock* clock = nullptr);

  Result<index::ConsumerApplication> CreateApplication(const ApplicationSpec& spec) override;
  Result<LeaseSnapshot> ListLeases(std::string_view application) override;
  Result<std::vector<index::LeaseShard>> ListShards(std::string_view stream) override;
  Status EnsureLeases(std::string_view application,
                      const std::vector<index::LeaseShard>& shards) override;
  Result<index::ConsumerLease> TakeLease(std::string_view application, ShardIndex shard,
                                         std::string_view worker, uint64_t counter,
                                         int64_t duration_ms) override;
  Result<index::ConsumerLease> RenewLease(std::string_view application, ShardIndex shard,
                                          std::string_view worker, uint64_t counter,
                                          int64_t duration_ms) override;
  Status Checkpoint(std::string_view application, ShardIndex shard, std::string_view worker,
                    uint64_t counter, std::string_view checkpoint) override;
  Status ReleaseLease(std::string_view application, ShardIndex shard, std::string_view worker,
                      uint64_t counter) override;

 private:
  TimestampMs ExpiryAfter(int64_t duration_ms) const;

  index::ConsumerLeases* const leases_;
  engine::StreamStore* const store_;
  Clock* const clock_;
};

class LocalRecordSource : public RecordSource {
 public:
  // `store` must outlive the source.
  explicit LocalRecordSource(engine::StreamStore* store, size_t max_bytes = 10 << 20)
      : store_(store), max_bytes_(max_bytes) {}

  Result<std::unique_ptr<ShardReader>> Open(std::string_view stream, ShardIndex shard,
                                            const StartPosition& start) override;

 private:
  engine::StreamStore* const store_;
  const size_t max_bytes_;
};

}  // namespace sluice::consumers

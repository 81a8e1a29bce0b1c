// SPDX-License-Identifier: Apache-2.0
// LeaseBackend: the lease table operations a Worker needs (index/consumer_leases.h) plus shard
// discovery, behind an interface so that workers run inside the server (LocalLeaseBackend,
// local_backend.h) or in a separate process against a remote server. Expiry is decided by the
// backend's clock only: callers pass lease durations, and a listing carries the backend's "now",
// so the workers' clocks never need to agree with each other or with the server.
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"
#include "base/result.h"
#include "consumers/framework/start_position.h"
#include "index/consumer_leases.h"

namespace sluice::consumers {

struct ApplicationSpec {
  std::string name;
  std::string stream;
  // Where shards without lineage start: TRIM_HORIZON, LATEST or AT_TIMESTAMP.
  StartPosition::Type initial_position = StartPosition::Type::kTrimHorizon;
  TimestampMs initial_timestamp;
};

// The application's leases as of the backend's clock reading `now`.
struct LeaseSnapshot {
  std::vector<index::ConsumerLease> leases;
  TimestampMs now;
};

class LeaseBackend {
 public:
  virtual ~LeaseBackend() = default;
  // Idempotent; binds the application to the stream's current incarnation. NotFound for an
  // unknown stream; InvalidArgument for an initial position other than the three above.
  virtual Result<index::ConsumerApplication> CreateApplication(const ApplicationSpec& spec) = 0;
  virtual Result<LeaseSnapshot> ListLeases(std::string_view application) = 0;
  // Every shard of the stream (open and closed, until retention removes them) with its parents.
  virtual Result<std::vector<index::LeaseShard>> ListShards(std::string_view stream) = 0;
  virtual Status EnsureLeases(std::string_view application,
                              const std::vector<index::LeaseShard>& shards) = 0;
  // The conditional writes of index::ConsumerLeases; expiry = backend now + duration_ms.
  virtual Result<index::ConsumerLease> TakeLease(std::string_view application, ShardIndex shard,
                                                 std::string_view worker, uint64_t counter,
                                                 int64_t duration_ms) = 0;
  virtual Result<index::ConsumerLease> RenewLease(std::string_view application, ShardIndex shard,
                                                  std::string_view worker, uint64_t counter,
                                                  int64_t duration_ms) = 0;
  virtual Status Checkpoint(std::string_view application, ShardIndex shard, std::string_view worker,
                            uint64_t counter, std::string_view checkpoint) = 0;
  virtual Status ReleaseLease(std::string_view application, ShardIndex shard,
                              std::string_view worker, uint64_t counter) = 0;
};

}  // namespace sluice::consumers

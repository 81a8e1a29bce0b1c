// SPDX-License-Identifier: Apache-2.0
// ConsumerLeases: the consumer applications and their shard leases and checkpoints, in SQLite
// (WAL, synchronous=FULL) at <data>/consumers.db: the lease table KCL keeps in DynamoDB, kept in
// Sluice itself. Every change of a lease is a conditional write on its lease counter, like KCL's
// DynamoDB conditional updates: whoever holds a stale counter learns that the lease moved.
// Rows use base types only; the consumer framework (consumers/framework/) drives it.
// Thread-safety: every method may be called from any thread (one connection behind a mutex).
// Example:
//   ASSIGN_OR_RETURN(auto leases, index::ConsumerLeases::Open(data_dir + "/consumers.db"));
//   RETURN_IF_ERROR(leases->CreateApplication({.name = "archiver", .stream = "orders", ...}));
//   ASSIGN_OR_RETURN(ConsumerLease l, leases->TakeLease("archiver", ShardIndex(0), "w1", 0, t));
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/ids.h"
#include "base/result.h"

struct sqlite3;

namespace sluice::index {

// Checkpoint sentinels (KCL's names). Any other checkpoint is a wire sequence number: the last
// record the application finished with.
inline constexpr std::string_view kCheckpointTrimHorizon = "TRIM_HORIZON";
inline constexpr std::string_view kCheckpointLatest = "LATEST";
inline constexpr std::string_view kCheckpointAtTimestamp = "AT_TIMESTAMP";
inline constexpr std::string_view kCheckpointShardEnd = "SHARD_END";

// One consumer application: a name bound to one stream (by name and catalog id).
struct ConsumerApplication {
  std::string name;
  std::string stream;
  StreamId stream_id;
  // Where a shard without lineage starts: TRIM_HORIZON, LATEST or AT_TIMESTAMP (then at
  // initial_timestamp).
  std::string initial_position = std::string(kCheckpointTrimHorizon);
  TimestampMs initial_timestamp;
  TimestampMs created;  // set by CreateApplication

  friend bool operator==(const ConsumerApplication&, const ConsumerApplication&) = default;
};

// One lease: who processes a shard of an application, and how far it got.
struct ConsumerLease {
  std::string application;
  ShardIndex shard;
  std::string owner;                // worker id; empty while nobody holds it
  uint64_t counter = 0;             // bumped on every take, renewal and release
  TimestampMs expiry;               // the owner's claim ends here unless renewed (0 when unowned)
  std::string checkpoint;           // a sequence number or one of the sentinels above
  std::vector<ShardIndex> parents;  // finished (SHARD_END) before this shard is taken
  uint64_t owner_switches = 0;      // ownership changes since the last checkpoint
  TimestampMs updated;

  bool owned() const { return !owner.empty(); }
  bool finished() const { return checkpoint == kCheckpointShardEnd; }
  friend bool operator==(const ConsumerLease&, const ConsumerLease&) = default;
};

// A shard to have a lease for, with its parents (resharding lineage).
struct LeaseShard {
  ShardIndex shard;
  std::vector<ShardIndex> parents;
};

class ConsumerLeases {
 public:
  // `clock` null: SystemClock(). Not owned; must outlive the object.
  static Result<std::unique_ptr<ConsumerLeases>> Open(const std::string& path,
                                                      Clock* clock = nullptr);
  ~ConsumerLeases();
  ConsumerLeases(const ConsumerLeases&) = delete;
  ConsumerLeases& operator=(const ConsumerLeases&) = delete;

  // Creates the application, or returns the existing one when it names the same stream and
  // stream id (idempotent; the existing initial position wins). FailedPrecondition when the name
  // is bound to another stream or to an earlier stream of the same name (delete it to start
  // over); InvalidArgument for an empty name or an unknown initial position.
  Result<ConsumerApplication> CreateApplication(const ConsumerApplication& app);
  Result<ConsumerApplication> GetApplication(std::string_view name);  // NotFound if absent
  Result<std::vector<ConsumerApplication>> ListApplications();        // by name
  // Removes the application and all its leases. NotFound if absent.
  Status DeleteApplication(std::string_view name);

  // Every lease of the application in shard order. NotFound for an unknown application.
  Result<std::vector<ConsumerLease>> ListLeases(std::string_view application);
  // Creates the missing leases, unowned. A new shard whose parent already has a lease starts at
  // TRIM_HORIZON (it continues where its parent ends); any other new shard starts at the
  // application's initial position. Existing leases are left alone. Returns the leases created.
  Result<std::vector<ConsumerLease>> EnsureLeases(std::string_view application,
                                                  const std::vector<LeaseShard>& shards);

  // The conditional writes. Each fails with FailedPrecondition when the lease's counter is not
  // `counter` (someone else moved it) or, where an owner is named, when `worker` does not hold
  // it; NotFound when the lease does not exist. Each returns the lease as written.
  //
  // Takes the lease for `worker` (also from another owner: a steal), expiring at `expiry`.
  Result<ConsumerLease> TakeLease(std::string_view application, ShardIndex shard,
                                  std::string_view worker, uint64_t counter, TimestampMs expiry);
  // Extends the owner's claim to `expiry`.
  Result<ConsumerLease> RenewLease(std::string_view application, ShardIndex shard,
                                   std::string_view worker, uint64_t counter, TimestampMs expiry);
  // Records progress; does not move the counter. InvalidArgument for an empty checkpoint.
  Result<ConsumerLease> Checkpoint(std::string_view application, ShardIndex shard,
                                   std::string_view worker, uint64_t counter,
                                   std::string_view checkpoint);
  // Gives the lease up (unowned, expired), keeping its checkpoint.
  Result<ConsumerLease> ReleaseLease(std::string_view application, ShardIndex shard,
                                     std::string_view worker, uint64_t counter);

 private:
  ConsumerLeases(struct sqlite3* db, Clock* clock);
  Result<ConsumerLease> LoadLease(std::string_view application, ShardIndex shard);
  // Runs `update` (SQL with ?1 app, ?2 shard, ?3 counter, ?4 worker, ?5 now, ?6..) inside a
  // transaction; explains a row count of zero as NotFound or FailedPrecondition.
  template <typename Bind>
  Result<ConsumerLease> Conditional(const char* what, const char* update,
                                    std::string_view application, ShardIndex shard,
                                    std::string_view worker, uint64_t counter, Bind&& bind);

  // Constant after construction.
  struct sqlite3* const db_;  // owned
  Clock* const clock_;

  std::mutex mu_;  // serialises use of db_
};

}  // namespace sluice::index

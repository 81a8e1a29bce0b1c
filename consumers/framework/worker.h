// SPDX-License-Identifier: Apache-2.0
// Worker: runs a consumer application over a data stream's shards together with any number of
// other workers (threads or processes) of the same application, like a KCL Scheduler. Every
// lease_interval_ms it renews the leases it holds, discovers shards (creating their leases),
// and takes free leases or steals one to balance (lease_planner.h); each held lease gets a
// ShardConsumer thread that feeds the shard to its own RecordProcessor from the checkpoint.
// A lease that cannot be renewed (taken by another worker, or the backend unreachable for longer
// than the lease duration) stops its shard's processor. A worker that dies stops renewing; after
// lease_duration_ms its leases expire and the others take them over from the last checkpoint
// (see record_processor.h for the duplicate bound).
// Lifecycle: Start; then Stop (graceful: processors flush and checkpoint, leases are released)
// or Kill (as a crash: nothing more is written, leases are left to expire).
// Thread-safety: HeldShards/id from any thread; Start/Stop/Kill from one controlling thread.
// Example:
//   Worker w(&lease_backend, &record_source,
//            [](ShardIndex) { return std::make_unique<MyProcessor>(); },
//            {.application = "archiver", .stream = "orders"});
//   RETURN_IF_ERROR(w.Start());
//   ...
//   w.Stop();
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/thread_annotations.h"
#include "consumers/framework/lease_backend.h"
#include "consumers/framework/record_processor.h"
#include "consumers/framework/record_source.h"
#include "consumers/framework/shard_consumer.h"

namespace sluice::consumers {

struct WorkerOptions {
  std::string application;
  std::string stream;
  std::string worker_id;  // empty: "<host>-<pid>-<random hex>"
  // Where shards without lineage start when the application is first created.
  StartPosition::Type initial_position = StartPosition::Type::kTrimHorizon;
  TimestampMs initial_timestamp;  // for AT_TIMESTAMP
  // How long a lease stays valid without renewal: the failover time after a worker dies.
  int64_t lease_duration_ms = 10'000;
  // How often leases are renewed, shards discovered and leases taken; 0: lease_duration_ms / 3.
  int64_t lease_interval_ms = 0;
  size_t max_records = 1000;    // per ProcessRecords call
  int64_t idle_time_ms = 1000;  // empty ProcessRecords calls at least this often when caught up
  int64_t retry_backoff_ms = 1000;
  size_t max_leases = 0;  // 0: no cap
};

class Worker {
 public:
  // `backend` and `source` must outlive the worker.
  Worker(LeaseBackend* backend, RecordSource* source, ProcessorFactory factory,
         WorkerOptions options);
  ~Worker();  // Stop() when still running
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Creates the application (idempotent), runs the first lease round and starts the lease
  // thread. Errors from CreateApplication are returned (e.g. NotFound: no such stream).
  Status Start();
  void Stop();
  void Kill();

  const std::string& id() const { return options_.worker_id; }
  // The shards whose leases this worker holds and processes, in shard order.
  std::vector<ShardIndex> HeldShards() const;

 private:
  using Consumers = std::map<ShardIndex, std::unique_ptr<ShardConsumer>>;

  void Loop();
  void RunRound();
  void ReapRetired();
  void RenewHeld();
  void DiscoverShards();
  void TakeLeases();
  bool TryTake(const index::ConsumerLease& lease, const char* why);
  void Retire(ShardIndex shard, ShardConsumer::StopReason reason);

  // Constant after construction.
  LeaseBackend* const backend_;
  RecordSource* const source_;
  const ProcessorFactory factory_;
  WorkerOptions options_;  // worker_id and lease_interval_ms filled in by the constructor
  index::ConsumerApplication application_;  // set by Start

  // Stopped consumers not yet joined (their shards are not retaken until they are). Lease thread.
  std::vector<std::unique_ptr<ShardConsumer>> retired_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  Consumers held_ GUARDED_BY(mu_);  // written only by the lease thread (or after it ended)
  bool stopping_ GUARDED_BY(mu_) = false;
  bool running_ = false;
  std::thread thread_;
};

}  // namespace sluice::consumers

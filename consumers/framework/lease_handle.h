// SPDX-License-Identifier: Apache-2.0
// LeaseHandle: one lease a worker holds, shared by the worker's lease thread (renewals) and the
// shard's processing thread (checkpoints). Both writes go through one mutex, so a checkpoint
// always carries the counter of the latest renewal and never fails against its own owner.
// A write refused because the lease moved (FailedPrecondition) or vanished (NotFound) marks the
// handle lost for good; Kill() makes every later write fail with Cancelled (a crash-like stop
// that leaves the lease to expire).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "base/thread_annotations.h"
#include "consumers/framework/lease_backend.h"

namespace sluice::consumers {

class LeaseHandle {
 public:
  // `backend` must outlive the handle. `lease` is the lease as taken.
  LeaseHandle(LeaseBackend* backend, const index::ConsumerLease& lease, std::string worker,
              int64_t duration_ms);

  Status Renew();
  Status Checkpoint(std::string_view checkpoint);
  // Gives the lease up unless it was lost or killed. Errors are returned for logging only.
  Status Release();

  void MarkLost() { lost_ = true; }
  void Kill() { killed_ = true; }
  bool lost() const { return lost_; }
  bool killed() const { return killed_; }
  ShardIndex shard() const { return shard_; }
  // When the last renewal (or the take) succeeded, on this process's steady clock.
  std::chrono::steady_clock::time_point last_renewed() const;

 private:
  // Marks the handle lost when `s` says the lease moved or vanished; returns `s`.
  Status Note(Status s);

  // Constant after construction.
  LeaseBackend* const backend_;
  const std::string application_;
  const ShardIndex shard_;
  const std::string worker_;
  const int64_t duration_ms_;

  mutable std::mutex mu_;
  uint64_t counter_ GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_renewed_ GUARDED_BY(mu_);
  std::atomic<bool> lost_{false};
  std::atomic<bool> killed_{false};
};

}  // namespace sluice::consumers

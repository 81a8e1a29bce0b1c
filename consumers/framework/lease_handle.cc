// SPDX-License-Identifier: Apache-2.0
// LeaseHandle: serialised renew/checkpoint/release with the current counter; lost and killed.
#include "consumers/framework/lease_handle.h"

namespace sluice::consumers {

LeaseHandle::LeaseHandle(LeaseBackend* backend, const index::ConsumerLease& lease,
                         std::string worker, int64_t duration_ms)
    : backend_(backend),
      application_(lease.application),
      shard_(lease.shard),
      worker_(std::move(worker)),
      duration_ms_(duration_ms),
      counter_(lease.counter),
      last_renewed_(std::chrono::steady_clock::now()) {}

Status LeaseHandle::Note(Status s) {
  if (s.code() == StatusCode::kFailedPrecondition || s.code() == StatusCode::kNotFound) {
    lost_ = true;
  }
  return s;
}

Status LeaseHandle::Renew() {
  std::lock_guard<std::mutex> l(mu_);
  if (killed_) return CancelledError("worker killed");
  if (lost_) return FailedPreconditionError("lease lost");
  const auto started = std::chrono::steady_clock::now();
  Result<index::ConsumerLease> r =
      backend_->RenewLease(application_, shard_, worker_, counter_, duration_ms_);
  if (!r.ok()) return Note(r.status());
  counter_ = r->counter;
  last_renewed_ = started;  // the expiry was computed no earlier than this
  return OkStatus();
}

Status LeaseHandle::Checkpoint(std::string_view checkpoint) {
  std::lock_guard<std::mutex> l(mu_);
  if (killed_) return CancelledError("worker killed");
  if (lost_) return FailedPreconditionError("lease lost");
  return Note(backend_->Checkpoint(application_, shard_, worker_, counter_, checkpoint));
}

Status LeaseHandle::Release() {
  std::lock_guard<std::mutex> l(mu_);
  if (killed_ || lost_) return OkStatus();
  return Note(backend_->ReleaseLease(application_, shard_, worker_, counter_));
}

std::chrono::steady_clock::time_point LeaseHandle::last_renewed() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_renewed_;
}

}  // namespace sluice::consumers

// SPDX-License-Identifier: Apache-2.0
// LeaseCheckpointStore (lease_checkpoint_store.h).
#include "consumers/face_detect/lease_checkpoint_store.h"

#include "base/log.h"

namespace sluice::consumers::face_detect {
namespace {

constexpr ShardIndex kVideoShard(0);

}  // namespace

std::string FaceDetectApplication(std::string_view stream) {
  return "face-detect:" + std::string(stream);
}

LeaseCheckpointStore::LeaseCheckpointStore(engine::StreamStore* store,
                                           ingest::FragmentReader* reader,
                                           index::ConsumerLeases* leases, std::string stream,
                                           LeaseCheckpointOptions options)
    : store_(store),
      reader_(reader),
      leases_(leases),
      stream_(std::move(stream)),
      application_(FaceDetectApplication(stream_)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : SystemClock()) {}

Status LeaseCheckpointStore::Acquire() {
  held_ = false;
  ASSIGN_OR_RETURN(engine::StreamInfo info, store_->DescribeStream(stream_));
  if (info.kind != engine::StreamKind::kVideo) {
    return FailedPreconditionError(stream_ + " is not a video stream");
  }
  index::ConsumerApplication app;
  app.name = application_;
  app.stream = stream_;
  app.stream_id = info.id;
  app.initial_position = std::string(options_.start_at_latest ? index::kCheckpointLatest
                                                              : index::kCheckpointTrimHorizon);
  auto created = leases_->CreateApplication(app);
  if (!created.ok() && created.status().code() == StatusCode::kFailedPrecondition) {
    LOG_INFO("face_detect", "video stream was re-created: starting its detection over",
             {{"application", application_}});
    RETURN_IF_ERROR(leases_->DeleteApplication(application_));
    created = leases_->CreateApplication(app);
  }
  RETURN_IF_ERROR(created.status());
  RETURN_IF_ERROR(leases_->EnsureLeases(application_, {{.shard = kVideoShard}}).status());
  ASSIGN_OR_RETURN(std::vector<index::ConsumerLease> all, leases_->ListLeases(application_));
  const index::ConsumerLease* lease = nullptr;
  for (const index::ConsumerLease& l : all) {
    if (l.shard == kVideoShard) lease = &l;
  }
  if (lease == nullptr) return InternalError("no lease for " + application_);
  const TimestampMs now = clock_->Now();
  if (lease->owned() && lease->owner != options_.worker && lease->expiry > now) {
    return UnavailableError(application_ + " is held by " + lease->owner + " for another " +
                            std::to_string(lease->expiry.value() - now.value()) + " ms");
  }
  const TimestampMs expiry(now.value() + options_.lease_ms);
  ASSIGN_OR_RETURN(
      index::ConsumerLease taken,
      leases_->TakeLease(application_, kVideoShard, options_.worker, lease->counter, expiry));
  counter_ = taken.counter;
  expiry_ = taken.expiry;
  held_ = true;
  return OkStatus();
}

Status LeaseCheckpointStore::Release() {
  if (!held_) return OkStatus();
  held_ = false;
  return leases_->ReleaseLease(application_, kVideoShard, options_.worker, counter_).status();
}

Status LeaseCheckpointStore::Lost(const Status& why) {
  held_ = false;
  return FailedPreconditionError("lease of " + application_ + " lost: " + why.message());
}

Result<std::optional<Checkpoint>> LeaseCheckpointStore::Load() {
  if (!held_) return FailedPreconditionError("lease of " + application_ + " is not held");
  ASSIGN_OR_RETURN(std::vector<index::ConsumerLease> all, leases_->ListLeases(application_));
  for (const index::ConsumerLease& l : all) {
    if (l.shard != kVideoShard) continue;
    if (l.checkpoint.empty() || l.checkpoint.find_first_not_of("0123456789") != std::string::npos) {
      return std::optional<Checkpoint>();  // a sentinel: LATEST, TRIM_HORIZON, ...
    }
    Checkpoint c{.fragment_number = l.checkpoint};
    // The fragment's arrival bounds the output read-back; unknown once retention removed it.
    auto row = reader_->Find(stream_, l.checkpoint);
    if (row.ok()) c.server_timestamp = row->server_time;
    return std::optional<Checkpoint>(std::move(c));
  }
  return InternalError("no lease for " + application_);
}

Status LeaseCheckpointStore::Save(const Checkpoint& checkpoint) {
  if (!held_) return FailedPreconditionError("lease of " + application_ + " is not held");
  auto written = leases_->Checkpoint(application_, kVideoShard, options_.worker, counter_,
                                     checkpoint.fragment_number);
  if (!written.ok()) {
    return written.status().code() == StatusCode::kFailedPrecondition ? Lost(written.status())
                                                                      : written.status();
  }
  return OkStatus();
}

Status LeaseCheckpointStore::KeepAlive() {
  if (!held_) return FailedPreconditionError("lease of " + application_ + " is not held");
  const TimestampMs now = clock_->Now();
  if (expiry_.value() - now.value() > options_.lease_ms / 2) return OkStatus();
  auto renewed = leases_->RenewLease(application_, kVideoShard, options_.worker, counter_,
                                     TimestampMs(now.value() + options_.lease_ms));
  if (!renewed.ok()) {
    return renewed.status().code() == StatusCode::kFailedPrecondition ? Lost(renewed.status())
                                                                      : renewed.status();
  }
  counter_ = renewed->counter;
  expiry_ = renewed->expiry;
  return OkStatus();
}

}  // namespace sluice::consumers::face_detect

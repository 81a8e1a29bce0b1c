// SPDX-License-Identifier: Apache-2.0
// LeaseCheckpointStore: the CheckpointStore of a consumer inside the server, kept in the consumer
// leases (index/consumer_leases.h) like every other consumer application's: application
// "face-detect:<stream>" bound to the video stream, one lease for its shard 0, whose checkpoint is
// the last fully processed fragment number (the shard's sequence number, so lag is measurable as
// for any consumer). The lease is held while the consumer runs and renewed by KeepAlive().
// Thread-safety: one consumer thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/clock.h"
#include "consumers/face_detect/face_detect_ports.h"
#include "index/consumer_leases.h"
#include "ingest/fragment_reader.h"

namespace sluice::consumers::face_detect {

struct LeaseCheckpointOptions {
  std::string worker = "sluice-server";  // the lease owner; stable across server restarts
  int64_t lease_ms = 30'000;             // a claim lasts this long unless renewed
  bool start_at_latest = false;          // a new application starts at LATEST, else TRIM_HORIZON
  Clock* clock = nullptr;                // null: SystemClock()
};

// "face-detect:<stream>".
std::string FaceDetectApplication(std::string_view stream);

class LeaseCheckpointStore : public CheckpointStore {
 public:
  // `store`, `reader` and `leases` must outlive this object.
  LeaseCheckpointStore(engine::StreamStore* store, ingest::FragmentReader* reader,
                       index::ConsumerLeases* leases, std::string stream,
                       LeaseCheckpointOptions options);

  // Creates the application (again, if the video stream was re-created: its old checkpoint means
  // nothing for the new stream) and its lease, and takes the lease. Unavailable while another
  // worker holds an unexpired claim; NotFound when the video stream does not exist.
  Status Acquire();
  // Gives the lease up (keeping the checkpoint) so another worker can take it at once.
  Status Release();
  bool held() const { return held_; }

  // LATEST / TRIM_HORIZON checkpoints load as nullopt: the consumer's initial position applies.
  Result<std::optional<Checkpoint>> Load() override;
  Status Save(const Checkpoint& checkpoint) override;
  Status KeepAlive() override;

 private:
  Status Lost(const Status& why);

  // Constant after construction.
  engine::StreamStore* const store_;
  ingest::FragmentReader* const reader_;
  index::ConsumerLeases* const leases_;
  const std::string stream_;
  const std::string application_;
  const LeaseCheckpointOptions options_;
  Clock* const clock_;

  bool held_ = false;
  uint64_t counter_ = 0;  // the lease counter as last written by us
  TimestampMs expiry_;
};

}  // namespace sluice::consumers::face_detect

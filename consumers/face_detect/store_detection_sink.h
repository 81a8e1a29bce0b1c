// SPDX-License-Identifier: Apache-2.0
// StoreDetectionSink: the DetectionSink of a consumer inside the server, straight on the engine:
// StreamStore::Put waiting for durability, and a read-back of the shards the partition key maps
// to (engine routing: MD5 of the key inside a shard's hash range) from the arrival-time index.
#pragma once

#include <chrono>
#include <string>

#include "base/clock.h"
#include "consumers/face_detect/face_detect_ports.h"
#include "engine/stream_store.h"

namespace sluice::consumers::face_detect {

class StoreDetectionSink : public DetectionSink {
 public:
  // `store` must outlive the sink. A write not durable within `write_timeout` is Unavailable.
  StoreDetectionSink(engine::StreamStore* store, std::string output_stream,
                     std::chrono::milliseconds write_timeout = std::chrono::seconds(60));

  Status EnsureStream() override;
  Status Write(const std::vector<DetectionRecord>& records) override;
  // `since` nullopt: from each shard's trim horizon.
  Status ScanWritten(std::string_view partition_key, std::optional<TimestampMs> since,
                     const std::function<void(const DetectionRecord&)>& visit) override;

 private:
  engine::StreamStore* const store_;
  const std::string output_stream_;
  const std::chrono::milliseconds write_timeout_;
};

}  // namespace sluice::consumers::face_detect

// SPDX-License-Identifier: Apache-2.0
// DeliverySink: where a DeliveryProcessor puts its batches (a local folder, an HTTP endpoint).
// Deliver must be idempotent per batch name: the same batch may be delivered again after a
// failover, and a sink that can (the folder) makes the second delivery overwrite the first.
// Thread-safety: implementations are shared by the processors of all shards.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "consumers/deliver/delivery_batch.h"

namespace sluice::consumers::deliver {

class DeliverySink {
 public:
  virtual ~DeliverySink() = default;
  // OK once the batch is durable at the destination; any error is retried by the processor.
  virtual Status Deliver(const DeliveryBatch& batch) = 0;
  // The last sequence number of a batch already delivered that starts with `first` (a batch a
  // previous owner delivered but did not checkpoint), so that a redelivery can end at the same
  // record and overwrite it. nullopt when there is none or the sink cannot tell.
  virtual Result<std::optional<std::string>> DeliveredBatchEnd(std::string_view stream,
                                                               std::string_view shard_id,
                                                               const Record& first) {
    return std::optional<std::string>();
  }
  virtual std::string Describe() const = 0;  // for logs: "folder /data/out", "http://..."
};

}  // namespace sluice::consumers::deliver

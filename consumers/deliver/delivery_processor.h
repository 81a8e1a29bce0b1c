// SPDX-License-Identifier: Apache-2.0
// DeliveryProcessor: the delivery plugin (like Firehose) as a RecordProcessor. It buffers a
// shard's records and delivers them in batches to a DeliverySink (a folder, an HTTP endpoint):
// a batch is cut when the buffered bytes reach buffer_bytes (at the record that reaches it, so
// size cuts depend only on the records), or when the oldest buffered record has waited
// buffer_ms, or when the shard ends or the worker stops. Each batch is delivered, retried with
// exponential backoff, and only then checkpointed; a batch that still fails after `retries`
// retries goes to the error folder (when one is given) and is checkpointed past. Batches hold
// exactly the shard's records, in shard order.
//
// Duplicates: a batch delivered but not checkpointed (a crash or lost lease in between) is
// delivered again by the next owner. Names are deterministic, and before its first batch the
// next owner looks for a batch the folder already holds that starts at the same record and ends
// its own first batch at the same record, so the folder gets the same file again instead of an
// overlapping one. HTTP receivers see the repeat with the same X-Sluice-Batch-Id.
// Thread-safety: one processor per shard, called on the shard's thread; sinks are shared.
// Example:
//   auto sink = std::make_shared<FolderSink>(FolderSinkOptions{.root = dir});
//   Worker w(&leases, &records, DeliveryProcessorFactory(sink, errors, {}), options);
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consumers/deliver/delivery_sink.h"
#include "consumers/deliver/folder_sink.h"
#include "consumers/framework/record_processor.h"

namespace sluice::consumers::deliver {

struct DeliveryOptions {
  uint64_t buffer_bytes = 5 << 20;  // data + partition keys per batch (Firehose: 1-128 MiB)
  int64_t buffer_ms = 60'000;       // the longest a record waits in the buffer
  int retries = 5;                  // after the first attempt
  int64_t backoff_ms = 200;         // before the first retry; doubles up to max_backoff_ms
  int64_t max_backoff_ms = 30'000;
};

class DeliveryProcessor : public RecordProcessor {
 public:
  // `error_sink` may be null: a batch that keeps failing then fails the processor, and the shard
  // is retried from its last checkpoint (nothing is skipped).
  DeliveryProcessor(std::shared_ptr<DeliverySink> sink, std::shared_ptr<FolderSink> error_sink,
                    DeliveryOptions options);

  Status Initialize(const ShardContext& context) override;
  Status ProcessRecords(const RecordBatch& batch, Checkpointer& checkpointer) override;
  Status ShardEnded(Checkpointer& checkpointer) override;
  Status ShutdownRequested(Checkpointer& checkpointer) override;
  void LeaseLost() override;

 private:
  // Delivers the batches that are due (all buffered records when `final`).
  Status Flush(Checkpointer& checkpointer, bool final);
  // How many buffered records the next batch takes; nullopt to wait for more records.
  std::optional<size_t> NextBatchSize(bool final, bool* full);
  Status DeliverWithRetries(const DeliveryBatch& batch, Checkpointer& checkpointer);

  // Constant after construction.
  const std::shared_ptr<DeliverySink> sink_;
  const std::shared_ptr<FolderSink> error_sink_;
  const DeliveryOptions options_;

  ShardContext context_;
  std::vector<Record> buffer_;
  std::chrono::steady_clock::time_point oldest_;  // when buffer_[0] was buffered
  // Before the first batch: the end of a batch the sink already holds from the same start.
  bool first_batch_ = true;
  bool looked_for_earlier_ = false;
  std::optional<std::string> earlier_end_;
};

// A ProcessorFactory for Worker: one DeliveryProcessor per shard over the shared sinks.
ProcessorFactory DeliveryProcessorFactory(std::shared_ptr<DeliverySink> sink,
                                          std::shared_ptr<FolderSink> error_sink,
                                          DeliveryOptions options);

}  // namespace sluice::consumers::deliver

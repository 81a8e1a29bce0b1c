// SPDX-License-Identifier: Apache-2.0
// RecordProcessor: what a consumer plugin implements to process one shard of a data stream (KCL's
// ShardRecordProcessor), and the Checkpointer it records its progress with. The Worker
// (worker.h) creates one processor per shard lease it holds and calls it from that shard's own
// thread, so a processor needs no locking of its own.
//
// Delivery guarantee (at least once): after a failover the next owner resumes after the last
// checkpoint, so records processed after it are delivered again. A processor that checkpoints
// at the end of every ProcessRecords call sees at most one batch (WorkerOptions::max_records
// records) of a shard again per failover; one that buffers across calls, at most what it had
// buffered plus one batch.
//
// Call order on one processor: Initialize, then ProcessRecords any number of times, then one of
// ShardEnded (the shard is closed and fully read), ShutdownRequested (the worker stops
// gracefully) or LeaseLost (another worker took the shard, or the lease could not be renewed);
// when the worker is killed, none of them. LeaseLost also follows ShardEnded when the lease was
// lost before the worker could checkpoint SHARD_END (the next owner ends the shard again). A processor method that returns an error makes
// the worker give the lease up; the shard is then retried from its last checkpoint.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/ids.h"
#include "base/status.h"
#include "consumers/framework/record_source.h"

namespace sluice::consumers {

class Checkpointer {
 public:
  virtual ~Checkpointer() = default;
  // Records that every record of the shard up to and including `sequence_number` is done; the
  // next owner resumes after it. InvalidArgument for a number not yet delivered or before the
  // last checkpoint; FailedPrecondition when the lease was lost (stop processing: another worker
  // owns the shard); Cancelled when the worker is stopping without handing over.
  virtual Status Checkpoint(std::string_view sequence_number) = 0;
  // True once the processor should return as soon as it can: the lease was lost or the worker
  // is stopping. Long retry loops inside a processor check it.
  virtual bool ShouldStop() const = 0;
};

struct ShardContext {
  std::string application;
  std::string stream;
  ShardIndex shard;
  std::string shard_id;    // "shardId-000000000001"
  std::string checkpoint;  // the lease's checkpoint when processing started
  StartPosition start;     // where reading starts
  std::string worker_id;
};

class RecordProcessor {
 public:
  virtual ~RecordProcessor() = default;
  virtual Status Initialize(const ShardContext& context) = 0;
  // `batch.records` may be empty: while the shard is caught up the worker calls at least every
  // WorkerOptions::idle_time_ms, so that processors can flush buffers on time.
  virtual Status ProcessRecords(const RecordBatch& batch, Checkpointer& checkpointer) = 0;
  // The shard is closed and every record was delivered: flush and checkpoint the last record.
  // The worker then checkpoints SHARD_END, which lets child shards start.
  virtual Status ShardEnded(Checkpointer& checkpointer) = 0;
  // The worker stops and will release the lease: flush and checkpoint what was processed.
  virtual Status ShutdownRequested(Checkpointer& checkpointer) { return OkStatus(); }
  // Another worker owns the shard now; checkpoints would fail. Drop buffered state.
  virtual void LeaseLost() {}
};

// Makes the processor for one shard (called on the worker's lease thread).
using ProcessorFactory = std::function<std::unique_ptr<RecordProcessor>(ShardIndex shard)>;

}  // namespace sluice::consumers

// SPDX-License-Identifier: Apache-2.0
// BatchCommandProcessor: the batch-command plugin (like Lambda's Kinesis event source mapping) as
// a RecordProcessor. It gathers a shard's records into batches (at most batch_size records and
// max_batch_bytes, waiting up to batch_window_ms for a batch to fill; 0 invokes with whatever
// each read brought), runs the user's command once per batch with the batch as a Lambda-style
// Kinesis event on stdin (kinesis_event.h), and checkpoints after the batch.
//
// Failures (non-zero exit, a signal, the timeout) are retried with exponential backoff. A batch
// that still fails is split in halves, each processed the same way (BisectBatchOnFunctionError),
// which isolates a bad record in about log2(batch size) steps; the failing record (or, without
// bisection, the whole batch) is reported through the log, the on_failure callback and one JSON
// line in failures_file (fsynced; if that fails, the shard is retried from its checkpoint
// instead), and then checkpointed past. Records run in shard order; after a split
// the left half runs before the right.
//
// Environment of the command: SLUICE_STREAM, SLUICE_SHARD_ID, SLUICE_BATCH_SIZE, plus `env`.
// Thread-safety: one processor per shard on the shard's thread; the callback may be called from
// several shards' threads at once (so may the failures file, written with O_APPEND).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "consumers/exec/command_runner.h"
#include "consumers/exec/kinesis_event.h"
#include "consumers/framework/record_processor.h"

namespace sluice::consumers::exec {

// Records that could not be processed, reported once each.
struct FailedBatch {
  std::string stream;
  std::string shard_id;
  std::vector<Record> records;
  std::string error;  // "exit code 3", "timed out after 60000 ms", ...
  int attempts = 0;
  std::string output;  // the last attempt's output (bounded)
};

struct BatchCommandOptions {
  std::vector<std::string> command;  // argv, e.g. {"/bin/sh", "-c", "./handle.py"}
  size_t batch_size = 100;
  int64_t batch_window_ms = 0;
  size_t max_batch_bytes = 6 << 20;  // the JSON of base64 data grows by about 4/3
  int retries = 2;                   // after the first attempt, per batch and per half
  int64_t backoff_ms = 200;          // doubles up to max_backoff_ms
  int64_t max_backoff_ms = 10'000;
  int64_t timeout_ms = 60'000;  // per invocation
  bool bisect_on_error = true;
  std::string stream_arn;  // eventSourceARN
  std::string region = "us-east-1";
  std::map<std::string, std::string> env;
  std::string failures_file;  // "" for none; one JSON line per FailedBatch
  std::function<void(const FailedBatch&)> on_failure;
};

class BatchCommandProcessor : public RecordProcessor {
 public:
  explicit BatchCommandProcessor(BatchCommandOptions options);

  Status Initialize(const ShardContext& context) override;
  Status ProcessRecords(const RecordBatch& batch, Checkpointer& checkpointer) override;
  Status ShardEnded(Checkpointer& checkpointer) override;
  Status ShutdownRequested(Checkpointer& checkpointer) override;
  void LeaseLost() override { buffer_.clear(); }

 private:
  Status Flush(Checkpointer& checkpointer, bool final);
  size_t NextBatchSize() const;
  // Runs `records` (retries, then halves); Cancelled when the processor must stop.
  Status Invoke(const std::vector<Record>& records, Checkpointer& checkpointer);
  Result<CommandResult> RunWithRetries(const std::vector<Record>& records,
                                       Checkpointer& checkpointer, int* attempts);
  Status Report(const FailedBatch& failed);

  const BatchCommandOptions options_;
  ShardContext context_;
  std::vector<Record> buffer_;
  std::chrono::steady_clock::time_point oldest_;
};

ProcessorFactory BatchCommandProcessorFactory(BatchCommandOptions options);

}  // namespace sluice::consumers::exec

// SPDX-License-Identifier: Apache-2.0
// BatchCommandProcessor: batching by size, bytes and window; invocation with retries and
// backoff; bisection on repeated failure; failure reports; checkpoints after each batch.
#include "consumers/exec/batch_command_processor.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/log.h"
#include "consumers/framework/base64.h"

namespace sluice::consumers::exec {
namespace {

using SteadyClock = std::chrono::steady_clock;

size_t RecordBytes(const Record& r) { return r.data.size() + r.partition_key.size(); }

void Backoff(int64_t ms, const Checkpointer& checkpointer) {
  const auto until = SteadyClock::now() + std::chrono::milliseconds(ms);
  while (SteadyClock::now() < until && !checkpointer.ShouldStop()) {
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(std::chrono::milliseconds(20),
                                                                   until - SteadyClock::now()));
  }
}

std::string FailureLine(const FailedBatch& f) {
  nlohmann::ordered_json j;
  j["stream"] = f.stream;
  j["shardId"] = f.shard_id;
  j["startSequenceNumber"] = f.records.front().sequence_number;
  j["endSequenceNumber"] = f.records.back().sequence_number;
  j["batchSize"] = f.records.size();
  j["error"] = f.error;
  j["attempts"] = f.attempts;
  j["output"] = f.output;
  nlohmann::ordered_json records = nlohmann::ordered_json::array();
  for (const Record& r : f.records) {
    records.push_back({{"sequenceNumber", r.sequence_number},
                       {"partitionKey", r.partition_key},
                       {"approximateArrivalTimestamp", r.arrival.value()},
                       {"data", Base64Encode(r.data)}});
  }
  j["records"] = std::move(records);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// Appends one line durably; a single write(2) on an O_APPEND file, so lines of several shards
// never interleave.
Status AppendLine(const std::string& path, const std::string& line) {
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return InternalError("open " + path + ": " + strerror(errno));
  const ssize_t n = write(fd, line.data(), line.size());
  const int write_errno = errno;
  const bool synced = fsync(fd) == 0;
  close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    return InternalError("write " + path + ": " + strerror(write_errno));
  }
  if (!synced) return InternalError("fsync " + path);
  return OkStatus();
}

}  // namespace

BatchCommandProcessor::BatchCommandProcessor(BatchCommandOptions options)
    : options_(std::move(options)) {}

Status BatchCommandProcessor::Initialize(const ShardContext& context) {
  if (options_.command.empty()) return InvalidArgumentError("no command to run");
  context_ = context;
  buffer_.clear();
  return OkStatus();
}

Status BatchCommandProcessor::ProcessRecords(const RecordBatch& batch, Checkpointer& checkpointer) {
  for (const Record& r : batch.records) {
    if (buffer_.empty()) oldest_ = SteadyClock::now();
    buffer_.push_back(r);
  }
  return Flush(checkpointer, /*final=*/false);
}

Status BatchCommandProcessor::ShardEnded(Checkpointer& checkpointer) {
  return Flush(checkpointer, /*final=*/true);
}

Status BatchCommandProcessor::ShutdownRequested(Checkpointer& checkpointer) {
  return Flush(checkpointer, /*final=*/true);
}

size_t BatchCommandProcessor::NextBatchSize() const {
  size_t bytes = 0;
  const size_t limit = std::min(buffer_.size(), std::max<size_t>(1, options_.batch_size));
  for (size_t i = 0; i < limit; i++) {
    bytes += RecordBytes(buffer_[i]);
    if (bytes >= options_.max_batch_bytes) return i + 1;
  }
  return limit;
}

Status BatchCommandProcessor::Flush(Checkpointer& checkpointer, bool final) {
  while (!buffer_.empty()) {
    const size_t n = NextBatchSize();
    const bool full = n < buffer_.size() || n >= options_.batch_size;
    const bool window_over =
        options_.batch_window_ms <= 0 ||
        SteadyClock::now() - oldest_ >= std::chrono::milliseconds(options_.batch_window_ms);
    if (!final && !full && !window_over) return OkStatus();
    std::vector<Record> records(std::make_move_iterator(buffer_.begin()),
                                std::make_move_iterator(buffer_.begin() + static_cast<long>(n)));
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(n));
    RETURN_IF_ERROR(Invoke(records, checkpointer));
    RETURN_IF_ERROR(checkpointer.Checkpoint(records.back().sequence_number));
    oldest_ = SteadyClock::now();
  }
  return OkStatus();
}

Result<CommandResult> BatchCommandProcessor::RunWithRetries(const std::vector<Record>& records,
                                                            Checkpointer& checkpointer,
                                                            int* attempts) {
  const std::string event = EncodeKinesisEvent(records, {.shard_id = context_.shard_id,
                                                         .stream_arn = options_.stream_arn,
                                                         .region = options_.region});
  CommandOptions run{.env = options_.env, .timeout_ms = options_.timeout_ms};
  run.env["SLUICE_STREAM"] = context_.stream;
  run.env["SLUICE_SHARD_ID"] = context_.shard_id;
  run.env["SLUICE_BATCH_SIZE"] = std::to_string(records.size());
  int64_t backoff = options_.backoff_ms;
  CommandResult last;
  for (int attempt = 0; attempt <= options_.retries; attempt++) {
    ++*attempts;
    ASSIGN_OR_RETURN(last, RunCommand(options_.command, event, run));
    if (last.ok()) return last;
    LOG_WARN("exec", "batch command failed",
             {{"shard", context_.shard_id},
              {"first", records.front().sequence_number},
              {"records", records.size()},
              {"attempt", *attempts},
              {"error", last.Describe(options_.timeout_ms)},
              {"output", last.output.substr(0, 512)}});
    if (checkpointer.ShouldStop()) return CancelledError("stopping");
    if (attempt < options_.retries) {
      Backoff(backoff, checkpointer);
      backoff = std::min(backoff * 2, options_.max_backoff_ms);
    }
  }
  return last;
}

Status BatchCommandProcessor::Invoke(const std::vector<Record>& records,
                                     Checkpointer& checkpointer) {
  int attempts = 0;
  ASSIGN_OR_RETURN(CommandResult r, RunWithRetries(records, checkpointer, &attempts));
  if (r.ok()) return OkStatus();
  if (options_.bisect_on_error && records.size() > 1) {
    const auto mid = records.begin() + static_cast<long>(records.size() / 2);
    RETURN_IF_ERROR(Invoke(std::vector<Record>(records.begin(), mid), checkpointer));
    return Invoke(std::vector<Record>(mid, records.end()), checkpointer);
  }
  return Report({.stream = context_.stream,
                 .shard_id = context_.shard_id,
                 .records = records,
                 .error = r.Describe(options_.timeout_ms),
                 .attempts = attempts,
                 .output = r.output});
}

Status BatchCommandProcessor::Report(const FailedBatch& failed) {
  LOG_ERROR("exec", "records skipped after repeated command failures",
            {{"stream", failed.stream},
             {"shard", failed.shard_id},
             {"first", failed.records.front().sequence_number},
             {"last", failed.records.back().sequence_number},
             {"records", failed.records.size()},
             {"error", failed.error}});
  if (options_.on_failure) options_.on_failure(failed);
  if (options_.failures_file.empty()) return OkStatus();
  // Not written, not skipped: the error makes the shard retry from its last checkpoint.
  return AppendLine(options_.failures_file, FailureLine(failed));
}

ProcessorFactory BatchCommandProcessorFactory(BatchCommandOptions options) {
  return [options](ShardIndex) { return std::make_unique<BatchCommandProcessor>(options); };
}

}  // namespace sluice::consumers::exec

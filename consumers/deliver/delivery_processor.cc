// SPDX-License-Identifier: Apache-2.0
// DeliveryProcessor: buffering, batch cuts, alignment with an earlier delivery, retries with
// backoff, the error folder, and checkpoints after delivery.
#include "consumers/deliver/delivery_processor.h"

#include <algorithm>
#include <thread>

#include "base/log.h"
#include "consumers/framework/start_position.h"

namespace sluice::consumers::deliver {
namespace {

using SteadyClock = std::chrono::steady_clock;

size_t RecordBytes(const Record& r) { return r.data.size() + r.partition_key.size(); }

// Sleeps `ms` in short steps, returning early when the processor should stop.
void Backoff(int64_t ms, const Checkpointer& checkpointer) {
  const auto until = SteadyClock::now() + std::chrono::milliseconds(ms);
  while (SteadyClock::now() < until && !checkpointer.ShouldStop()) {
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(std::chrono::milliseconds(20),
                                                                   until - SteadyClock::now()));
  }
}

}  // namespace

DeliveryProcessor::DeliveryProcessor(std::shared_ptr<DeliverySink> sink,
                                     std::shared_ptr<FolderSink> error_sink,
                                     DeliveryOptions options)
    : sink_(std::move(sink)), error_sink_(std::move(error_sink)), options_(options) {}

Status DeliveryProcessor::Initialize(const ShardContext& context) {
  context_ = context;
  buffer_.clear();
  first_batch_ = true;
  looked_for_earlier_ = false;
  earlier_end_.reset();
  return OkStatus();
}

Status DeliveryProcessor::ProcessRecords(const RecordBatch& batch, Checkpointer& checkpointer) {
  for (const Record& r : batch.records) {
    if (buffer_.empty()) oldest_ = SteadyClock::now();
    buffer_.push_back(r);
  }
  return Flush(checkpointer, /*final=*/false);
}

Status DeliveryProcessor::ShardEnded(Checkpointer& checkpointer) {
  return Flush(checkpointer, /*final=*/true);
}

Status DeliveryProcessor::ShutdownRequested(Checkpointer& checkpointer) {
  return Flush(checkpointer, /*final=*/true);
}

void DeliveryProcessor::LeaseLost() { buffer_.clear(); }

std::optional<size_t> DeliveryProcessor::NextBatchSize(bool final, bool* full) {
  size_t n = buffer_.size();
  uint64_t bytes = 0;
  *full = false;
  for (size_t i = 0; i < buffer_.size(); i++) {
    bytes += RecordBytes(buffer_[i]);
    if (bytes >= options_.buffer_bytes) {
      n = i + 1;
      *full = true;
      break;
    }
  }
  if (first_batch_ && earlier_end_) {
    // End where the earlier delivery ended, so that it is overwritten rather than overlapped.
    for (size_t i = 0; i < buffer_.size(); i++) {
      if (buffer_[i].sequence_number == *earlier_end_) {
        *full = true;
        return i + 1;
      }
    }
    if (!final && CompareSequenceNumbers(*earlier_end_, buffer_.back().sequence_number) > 0) {
      return std::nullopt;  // its last record is still to come
    }
  }
  return n;
}

Status DeliveryProcessor::Flush(Checkpointer& checkpointer, bool final) {
  while (!buffer_.empty()) {
    if (first_batch_ && !looked_for_earlier_) {
      looked_for_earlier_ = true;
      Result<std::optional<std::string>> end =
          sink_->DeliveredBatchEnd(context_.stream, context_.shard_id, buffer_.front());
      if (end.ok()) {
        earlier_end_ = *end;
      } else {
        LOG_WARN("deliver", "cannot look for an earlier delivery",
                 {{"shard", context_.shard_id}, {"error", end.status().ToString()}});
      }
    }
    bool full = false;
    std::optional<size_t> n = NextBatchSize(final, &full);
    if (!n) return OkStatus();
    const bool due = final || full ||
                     SteadyClock::now() - oldest_ >= std::chrono::milliseconds(options_.buffer_ms);
    if (!due) return OkStatus();
    DeliveryBatch batch{.stream = context_.stream, .shard_id = context_.shard_id, .records = {}};
    batch.records.assign(std::make_move_iterator(buffer_.begin()),
                         std::make_move_iterator(buffer_.begin() + static_cast<long>(*n)));
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(*n));
    RETURN_IF_ERROR(DeliverWithRetries(batch, checkpointer));
    RETURN_IF_ERROR(checkpointer.Checkpoint(batch.records.back().sequence_number));
    first_batch_ = false;
    earlier_end_.reset();
    oldest_ = SteadyClock::now();
  }
  return OkStatus();
}

Status DeliveryProcessor::DeliverWithRetries(const DeliveryBatch& batch,
                                             Checkpointer& checkpointer) {
  Status last;
  int64_t backoff = options_.backoff_ms;
  int attempts = 0;
  for (int attempt = 0; attempt <= options_.retries; attempt++) {
    attempts++;
    last = sink_->Deliver(batch);
    if (last.ok()) return OkStatus();
    LOG_WARN("deliver", "batch delivery failed",
             {{"batch", batch.Name()},
              {"destination", sink_->Describe()},
              {"attempt", attempts},
              {"error", last.ToString()}});
    if (checkpointer.ShouldStop()) return last;
    if (attempt < options_.retries) {
      Backoff(backoff, checkpointer);
      backoff = std::min(backoff * 2, options_.max_backoff_ms);
    }
  }
  if (error_sink_ == nullptr) return last;
  RETURN_IF_ERROR(error_sink_->DeliverFailed(batch, last, attempts, sink_->Describe()));
  LOG_ERROR("deliver", "batch written to the error folder",
            {{"batch", batch.Name()},
             {"records", batch.records.size()},
             {"folder", error_sink_->Describe()},
             {"error", last.ToString()}});
  return OkStatus();
}

ProcessorFactory DeliveryProcessorFactory(std::shared_ptr<DeliverySink> sink,
                                          std::shared_ptr<FolderSink> error_sink,
                                          DeliveryOptions options) {
  return [sink, error_sink, options](ShardIndex) {
    return std::make_unique<DeliveryProcessor>(sink, error_sink, options);
  };
}

}  // namespace sluice::consumers::deliver

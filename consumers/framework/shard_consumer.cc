// SPDX-License-Identifier: Apache-2.0
// ShardConsumer: resume, read, process, checkpoint, and the stop paths of one shard's thread.
#include "consumers/framework/shard_consumer.h"

#include <chrono>

#include "base/log.h"
#include "consumers/framework/start_position.h"
#include "index/consumer_leases.h"

namespace sluice::consumers {
namespace {

using SteadyClock = std::chrono::steady_clock;

bool IsSentinel(std::string_view checkpoint) {
  return checkpoint == index::kCheckpointTrimHorizon || checkpoint == index::kCheckpointLatest ||
         checkpoint == index::kCheckpointAtTimestamp || checkpoint == index::kCheckpointShardEnd;
}

}  // namespace

// The processor's view of the lease: checks that a checkpoint lies between the last checkpoint
// and the last delivered record, then writes it through the lease handle.
class ShardConsumer::ShardCheckpointer : public Checkpointer {
 public:
  ShardCheckpointer(ShardConsumer* owner, std::string last_checkpoint)
      : owner_(owner), last_checkpoint_(std::move(last_checkpoint)) {}

  Status Checkpoint(std::string_view sequence_number) override {
    if (sequence_number.empty() || IsSentinel(sequence_number)) {
      return InvalidArgumentError("checkpoint a sequence number");
    }
    if (last_delivered_.empty() || CompareSequenceNumbers(sequence_number, last_delivered_) > 0) {
      return InvalidArgumentError("sequence number " + std::string(sequence_number) +
                                  " was not delivered yet");
    }
    if (!last_checkpoint_.empty() &&
        CompareSequenceNumbers(sequence_number, last_checkpoint_) < 0) {
      return InvalidArgumentError("sequence number " + std::string(sequence_number) +
                                  " is before the last checkpoint " + last_checkpoint_);
    }
    RETURN_IF_ERROR(owner_->lease_->Checkpoint(sequence_number));
    last_checkpoint_ = std::string(sequence_number);
    return OkStatus();
  }
  bool ShouldStop() const override { return owner_->stopping() || owner_->lease_->lost(); }

  void Delivered(const std::string& sequence_number) { last_delivered_ = sequence_number; }

 private:
  ShardConsumer* const owner_;
  std::string last_checkpoint_;  // empty while it is a sentinel
  std::string last_delivered_;
};

ShardConsumer::ShardConsumer(RecordSource* source, std::shared_ptr<LeaseHandle> lease,
                             std::unique_ptr<RecordProcessor> processor, ShardContext context,
                             ShardConsumerOptions options)
    : source_(source),
      lease_(std::move(lease)),
      processor_(std::move(processor)),
      options_(options),
      checkpointer_(std::make_unique<ShardCheckpointer>(
          this, IsSentinel(context.checkpoint) ? std::string() : context.checkpoint)),
      context_(std::move(context)) {}

ShardConsumer::~ShardConsumer() {
  if (thread_.joinable()) {
    lease_->Kill();
    RequestStop(StopReason::kKill);
    thread_.join();
  }
}

void ShardConsumer::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ShardConsumer::RequestStop(StopReason reason) {
  StopReason current = stop_.load();
  while (current < reason && !stop_.compare_exchange_weak(current, reason)) {
  }
  std::lock_guard<std::mutex> l(mu_);
  if (reader_ != nullptr) reader_->Interrupt();
  cv_.notify_all();
}

void ShardConsumer::Join() {
  if (thread_.joinable()) thread_.join();
}

void ShardConsumer::SleepUnlessStopped(int64_t ms) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, std::chrono::milliseconds(ms), [&] { return stopping(); });
}

void ShardConsumer::Run() {
  Status s = Process();
  {
    std::lock_guard<std::mutex> l(mu_);
    reader_ = nullptr;
  }
  reader_owned_.reset();
  const StopReason reason = stop_.load();
  if (state_ == State::kEnded) {
    // Done: the processor heard ShardEnded.
  } else if (reason == StopReason::kKill) {
    state_ = State::kStopped;
  } else if (lease_->lost() || reason == StopReason::kLeaseLost) {
    LOG_INFO("consumers", "lease lost",
             {{"application", context_.application},
              {"shard", context_.shard_id},
              {"worker", context_.worker_id}});
    processor_->LeaseLost();
    state_ = State::kStopped;
  } else if (!s.ok()) {
    LOG_WARN("consumers", "shard processing failed",
             {{"application", context_.application},
              {"shard", context_.shard_id},
              {"error", s.ToString()}});
    state_ = State::kFailed;
  } else {
    Status shutdown = processor_->ShutdownRequested(*checkpointer_);
    if (!shutdown.ok()) {
      LOG_WARN("consumers", "processor shutdown failed",
               {{"shard", context_.shard_id}, {"error", shutdown.ToString()}});
    }
    state_ = State::kStopped;
  }
  done_ = true;
}

Status ShardConsumer::Process() {
  if (stopping()) return OkStatus();
  ASSIGN_OR_RETURN(context_.start, ResumePosition(context_.checkpoint, options_.initial_timestamp));
  RETURN_IF_ERROR(processor_->Initialize(context_));
  RETURN_IF_ERROR(OpenReader());
  if (reader_owned_ == nullptr) return OkStatus();  // stopped while opening
  return ProcessLoop();
}

Status ShardConsumer::OpenReader() {
  while (!stopping()) {
    Result<std::unique_ptr<ShardReader>> r =
        source_->Open(context_.stream, context_.shard, context_.start);
    if (r.ok()) {
      reader_owned_ = std::move(*r);
      std::lock_guard<std::mutex> l(mu_);
      reader_ = reader_owned_.get();
      if (stopping()) reader_->Interrupt();
      return OkStatus();
    }
    const StatusCode code = r.status().code();
    if (code == StatusCode::kInvalidArgument || code == StatusCode::kNotFound) return r.status();
    LOG_WARN("consumers", "cannot open shard, retrying",
             {{"shard", context_.shard_id}, {"error", r.status().ToString()}});
    SleepUnlessStopped(options_.retry_backoff_ms);
  }
  return OkStatus();
}

Status ShardConsumer::ProcessLoop() {
  const auto idle = std::chrono::milliseconds(options_.idle_time_ms);
  auto last_call = SteadyClock::now();
  while (!stopping()) {
    Result<RecordBatch> batch = reader_owned_->Read(options_.max_records);
    if (!batch.ok()) {
      if (batch.status().code() == StatusCode::kNotFound) return batch.status();  // stream gone
      LOG_WARN("consumers", "read failed, retrying",
               {{"shard", context_.shard_id}, {"error", batch.status().ToString()}});
      SleepUnlessStopped(options_.retry_backoff_ms);
      continue;
    }
    const bool has_records = !batch->records.empty();
    if (has_records || (!batch->shard_ended && SteadyClock::now() - last_call >= idle)) {
      if (has_records) checkpointer_->Delivered(batch->records.back().sequence_number);
      RETURN_IF_ERROR(processor_->ProcessRecords(*batch, *checkpointer_));
      last_call = SteadyClock::now();
    }
    if (batch->shard_ended) {
      if (stopping()) break;
      RETURN_IF_ERROR(processor_->ShardEnded(*checkpointer_));
      RETURN_IF_ERROR(lease_->Checkpoint(index::kCheckpointShardEnd));
      LOG_INFO("consumers", "shard finished",
               {{"application", context_.application}, {"shard", context_.shard_id}});
      state_ = State::kEnded;
      return OkStatus();
    }
    if (!has_records) {
      const auto waited = SteadyClock::now() - last_call;
      const auto left = waited >= idle
                            ? std::chrono::milliseconds(1)
                            : std::chrono::duration_cast<std::chrono::milliseconds>(idle - waited);
      reader_owned_->WaitForData(std::max(left, std::chrono::milliseconds(1)));
    }
  }
  return OkStatus();
}

}  // namespace sluice::consumers

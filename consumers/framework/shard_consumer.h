// SPDX-License-Identifier: Apache-2.0
// ShardConsumer: the processing thread of one held lease. It resumes after the lease's checkpoint
// (or at the initial position), reads batches through a ShardReader and hands them to the shard's
// RecordProcessor, calls it with empty batches while caught up (every idle_time_ms), and at the
// end of a closed shard calls ShardEnded and checkpoints SHARD_END. Stop requests end the loop
// after the call in progress; the processor then hears ShutdownRequested or LeaseLost on this
// same thread (nothing when killed).
// Lifecycle: Start once; RequestStop any number of times (the strongest request wins); Join.
// Thread-safety: RequestStop/state/done from any thread; the processor only on the own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/thread_annotations.h"
#include "consumers/framework/lease_handle.h"
#include "consumers/framework/record_processor.h"
#include "consumers/framework/record_source.h"

namespace sluice::consumers {

struct ShardConsumerOptions {
  size_t max_records = 1000;
  int64_t idle_time_ms = 1000;
  int64_t retry_backoff_ms = 1000;  // after a failed read or open
  TimestampMs initial_timestamp;    // for an AT_TIMESTAMP checkpoint
};

class ShardConsumer {
 public:
  enum class State { kRunning, kEnded, kFailed, kStopped };
  // Weakest to strongest.
  enum class StopReason { kNone = 0, kShutdown, kLeaseLost, kKill };

  // `source` and the lease's backend must outlive the consumer. `context.checkpoint` is the
  // lease's checkpoint as taken.
  ShardConsumer(RecordSource* source, std::shared_ptr<LeaseHandle> lease,
                std::unique_ptr<RecordProcessor> processor, ShardContext context,
                ShardConsumerOptions options);
  ~ShardConsumer();  // kills and joins when still running
  ShardConsumer(const ShardConsumer&) = delete;
  ShardConsumer& operator=(const ShardConsumer&) = delete;

  void Start();
  void RequestStop(StopReason reason);
  void Join();

  // kEnded: SHARD_END checkpointed. kFailed: the processor or the reader failed; the lease should
  // be released so that the shard is retried from its checkpoint.
  State state() const { return state_; }
  bool done() const { return done_; }  // the thread has finished
  const std::shared_ptr<LeaseHandle>& lease() const { return lease_; }

 private:
  class ShardCheckpointer;

  void Run();
  Status Process();
  Status OpenReader();
  Status ProcessLoop();
  bool stopping() const { return stop_ != StopReason::kNone; }
  void SleepUnlessStopped(int64_t ms);

  // Constant after construction.
  RecordSource* const source_;
  const std::shared_ptr<LeaseHandle> lease_;
  const std::unique_ptr<RecordProcessor> processor_;
  const ShardConsumerOptions options_;
  const std::unique_ptr<ShardCheckpointer> checkpointer_;

  // Owned by the consumer thread.
  ShardContext context_;
  std::unique_ptr<ShardReader> reader_owned_;

  std::atomic<StopReason> stop_{StopReason::kNone};
  std::atomic<State> state_{State::kRunning};
  std::atomic<bool> done_{false};
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable cv_;                     // wakes backoff sleeps on a stop request
  ShardReader* reader_ GUARDED_BY(mu_) = nullptr;  // interrupted on a stop request
};

}  // namespace sluice::consumers

// SPDX-License-Identifier: Apache-2.0
// Syncer: the engine's small pool of group-commit threads. Writers never fsync: they write, queue
// their acknowledgement on the shard and Schedule() the shard here; a sync thread then runs one
// fdatasync that covers every entry written before it started, and completes the acknowledgements
// (leveldb's writer queue, redpanda's flush batching). It also runs the periodic fsync of shards
// under the interval:N policy and delivers callbacks that must run on an engine thread (Post()).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/thread_annotations.h"

namespace sluice::engine {

// Something the syncer services (a shard log). `sync_queued` is owned by the syncer: it keeps a
// client in the queue at most once.
class SyncClient {
 public:
  virtual ~SyncClient() = default;
  // Fsyncs what is pending (if the policy asks for it) and completes ready acknowledgements.
  virtual void ServiceSync() = 0;
  // Marks that the next ServiceSync must fsync even when the policy does not ack on fsync.
  virtual void RequestSync() = 0;

 private:
  friend class Syncer;
  std::atomic<bool> sync_queued_{false};
};

// Lifecycle: constructed running; Stop() drains the queues and joins (the destructor calls it).
// Thread-safe.
class Syncer {
 public:
  explicit Syncer(int threads);
  ~Syncer();
  Syncer(const Syncer&) = delete;
  Syncer& operator=(const Syncer&) = delete;

  // Queues client for a ServiceSync unless already queued. Once Stop() began, runs it inline.
  void Schedule(const std::shared_ptr<SyncClient>& client);
  // Runs fn on a sync thread (inline once Stop() began).
  void Post(std::function<void()> fn);
  // Asks for RequestSync()+Schedule() every interval_ms for this client; 0 stops it.
  void SetPeriodic(const std::shared_ptr<SyncClient>& client, int interval_ms);
  // Finishes every queued job, then stops the threads. Idempotent.
  void Stop();

 private:
  struct Periodic {
    std::weak_ptr<SyncClient> client;
    std::chrono::milliseconds interval;
    std::chrono::steady_clock::time_point due;
  };
  void WorkerLoop();
  void TickerLoop();

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable ticker_cv_;
  std::deque<std::shared_ptr<SyncClient>> clients_ GUARDED_BY(mu_);
  std::deque<std::function<void()>> tasks_ GUARDED_BY(mu_);
  std::map<const SyncClient*, Periodic> periodic_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
  std::thread ticker_;
};

}  // namespace sluice::engine

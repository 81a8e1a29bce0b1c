// SPDX-License-Identifier: Apache-2.0
// WorkPool: a few threads that run slow handler work (remuxing segments, cutting clips, decoding
// images) off the HTTP io threads, with a bounded queue so that an overload is refused at once
// instead of piling up. Each job carries a `drop` callback that answers its request when the pool
// stops before running it (a buffered HttpReply must be answered exactly once).
// Thread-safety: Post may be called from any thread, also from a job.
// Example:
//   WorkPool pool({.name = "playback", .threads = 2, .max_queued = 256});
//   if (!pool.Post([=] { reply(Slow()); }, [=] { reply(Unavailable()); })) reply(Throttled());
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/thread_annotations.h"

namespace sluice::web {

class WorkPool {
 public:
  struct Options {
    std::string name;         // for logs
    size_t threads = 2;       // at least 1
    size_t max_queued = 256;  // jobs waiting for a thread; Post refuses beyond
  };

  explicit WorkPool(Options options);
  // Stops the threads after the jobs running now; queued jobs get their `drop` instead.
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `run`; false (and neither callback runs) when the queue is full or the pool stopped.
  bool Post(std::function<void()> run, std::function<void()> drop);

 private:
  struct Job {
    std::function<void()> run;
    std::function<void()> drop;
  };
  void Loop();

  const Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::deque<Job> queue_ GUARDED_BY(mu_);
  std::vector<std::thread> threads_;  // last: they start once the state above exists
};

}  // namespace sluice::web

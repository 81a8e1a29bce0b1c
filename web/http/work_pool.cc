// SPDX-License-Identifier: Apache-2.0
// WorkPool: fixed threads over one bounded FIFO of jobs.

#include "web/http/work_pool.h"

#include <exception>
#include <utility>

#include "base/log.h"

namespace sluice::web {

WorkPool::WorkPool(Options options) : options_(std::move(options)) {
  const size_t n = options_.threads == 0 ? 1 : options_.threads;
  threads_.reserve(n);
  for (size_t i = 0; i < n; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkPool::~WorkPool() {
  std::deque<Job> dropped;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    dropped.swap(queue_);
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  for (Job& job : dropped) {
    if (job.drop) job.drop();
  }
}

bool WorkPool::Post(std::function<void()> run, std::function<void()> drop) {
  {
    std::lock_guard lock(mu_);
    if (stop_ || queue_.size() >= options_.max_queued) return false;
    queue_.push_back({std::move(run), std::move(drop)});
  }
  cv_.notify_one();
  return true;
}

void WorkPool::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    try {
      job.run();
    } catch (const std::exception& e) {
      // Jobs answer their own errors; an exception is a bug. The job's request is then answered
      // by its drop callback so that the client is not left waiting.
      LOG_ERROR("http", "pool job threw", {{"pool", options_.name}, {"what", e.what()}});
      if (job.drop) job.drop();
    }
    job = {};  // release what the job holds outside the lock
    lock.lock();
  }
}

}  // namespace sluice::web

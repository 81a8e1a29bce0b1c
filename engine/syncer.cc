// SPDX-License-Identifier: Apache-2.0
// Syncer: worker threads draining the shard queue and the task queue, plus a ticker thread for
// interval fsyncs.
#include "engine/syncer.h"

#include <algorithm>

namespace sluice::engine {

Syncer::Syncer(int threads) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; i++) threads_.emplace_back([this] { WorkerLoop(); });
  ticker_ = std::thread([this] { TickerLoop(); });
}

Syncer::~Syncer() { Stop(); }

void Syncer::Schedule(const std::shared_ptr<SyncClient>& client) {
  if (client->sync_queued_.exchange(true, std::memory_order_acq_rel)) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!stopping_) {
      clients_.push_back(client);
      work_cv_.notify_one();
      return;
    }
  }
  client->sync_queued_.store(false, std::memory_order_release);
  client->ServiceSync();
}

void Syncer::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!stopping_) {
      tasks_.push_back(std::move(fn));
      work_cv_.notify_one();
      return;
    }
  }
  fn();
}

void Syncer::SetPeriodic(const std::shared_ptr<SyncClient>& client, int interval_ms) {
  std::lock_guard<std::mutex> l(mu_);
  if (interval_ms <= 0) {
    periodic_.erase(client.get());
  } else {
    auto interval = std::chrono::milliseconds(interval_ms);
    periodic_[client.get()] = {client, interval, std::chrono::steady_clock::now() + interval};
  }
  ticker_cv_.notify_one();
}

void Syncer::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return;
    stopping_ = true;
    work_cv_.notify_all();
    ticker_cv_.notify_all();
  }
  for (auto& t : threads_) t.join();
  ticker_.join();
}

void Syncer::WorkerLoop() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    work_cv_.wait(l, [&] { return stopping_ || !clients_.empty() || !tasks_.empty(); });
    if (!tasks_.empty()) {
      std::function<void()> fn = std::move(tasks_.front());
      tasks_.pop_front();
      l.unlock();
      fn();
      l.lock();
      continue;
    }
    if (!clients_.empty()) {
      std::shared_ptr<SyncClient> c = std::move(clients_.front());
      clients_.pop_front();
      l.unlock();
      // Cleared before servicing: writes that land during the fsync queue the shard again.
      c->sync_queued_.store(false, std::memory_order_release);
      c->ServiceSync();
      c.reset();
      l.lock();
      continue;
    }
    if (stopping_) return;  // both queues drained
  }
}

void Syncer::TickerLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    auto next = now + std::chrono::seconds(1);
    std::vector<std::shared_ptr<SyncClient>> due;
    for (auto it = periodic_.begin(); it != periodic_.end();) {
      std::shared_ptr<SyncClient> c = it->second.client.lock();
      if (!c) {
        it = periodic_.erase(it);
        continue;
      }
      if (it->second.due <= now) {
        due.push_back(std::move(c));
        it->second.due = now + it->second.interval;
      }
      next = std::min(next, it->second.due);
      ++it;
    }
    if (!due.empty()) {
      l.unlock();
      for (auto& c : due) {
        c->RequestSync();
        Schedule(c);
      }
      due.clear();
      l.lock();
      continue;
    }
    ticker_cv_.wait_until(l, next);
  }
}

}  // namespace sluice::engine

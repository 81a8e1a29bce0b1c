// SPDX-License-Identifier: Apache-2.0
// SequenceWaiters: the LL-HLS blocking reload loop (see playback_wait.h).
#include "consumers/playback/playback_wait.h"

#include <algorithm>
#include <vector>

namespace sluice::consumers::playback {
namespace {

constexpr std::chrono::milliseconds kRecheck(200);
constexpr ShardIndex kVideoShard{0};

}  // namespace

SequenceWaiters::SequenceWaiters(engine::StreamStore* store, StreamOf stream_of,
                                 Satisfied satisfied)
    : store_(store),
      stream_of_(std::move(stream_of)),
      satisfied_(std::move(satisfied)),
      signal_(std::make_shared<Signal>()) {}

SequenceWaiters::~SequenceWaiters() { Stop(); }

uint64_t SequenceWaiters::Add(const PlaybackRequest& request, uint64_t msn, int64_t timeout_ms,
                              std::function<void()> ready) {
  Result<std::string> stream = stream_of_(request);
  std::unique_lock<std::mutex> l(mu_);
  const uint64_t id = next_id_++;
  if (!stream.ok() || stopped_) {
    l.unlock();
    ready();  // Serve reports the token or stream error
    return id;
  }
  Waiter& w = waiters_[id];
  w.request = request;
  w.stream = std::move(*stream);
  w.msn = msn;
  w.deadline = std::chrono::steady_clock::now() +
               std::chrono::milliseconds(std::max<int64_t>(0, timeout_ms));
  w.ready = std::move(ready);
  Watch& watch = watches_[w.stream];
  if (watch.users++ == 0) {
    std::weak_ptr<Signal> weak = signal_;
    Result<engine::WatchId> wid = store_->WatchShard(w.stream, kVideoShard, [weak] {
      if (auto s = weak.lock()) {
        std::lock_guard<std::mutex> sl(s->mu);
        s->dirty = true;
        s->cv.notify_all();
      }
    });
    // Without a watch (the stream just went away) the periodic re-check still answers.
    watch.id = wid.ok() ? *wid : 0;
  }
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { Loop(); });
    thread_id_ = thread_.get_id();
  }
  l.unlock();
  std::lock_guard<std::mutex> sl(signal_->mu);
  signal_->dirty = true;
  signal_->cv.notify_all();
  return id;
}

void SequenceWaiters::Release(const std::string& stream) {
  auto it = watches_.find(stream);
  if (it == watches_.end() || --it->second.users > 0) return;
  if (it->second.id != 0) released_.push_back(it->second.id);
  watches_.erase(it);
}

void SequenceWaiters::UnwatchReleased() {
  std::vector<engine::WatchId> ids;
  {
    std::lock_guard<std::mutex> l(mu_);
    ids.swap(released_);
  }
  for (engine::WatchId id : ids) store_->Unwatch(id);
}

void SequenceWaiters::Cancel(uint64_t id) {
  {
    std::unique_lock<std::mutex> l(mu_);
    auto it = waiters_.find(id);
    if (it != waiters_.end()) {
      Release(it->second.stream);
      waiters_.erase(it);
    } else if (std::this_thread::get_id() != thread_id_) {
      fired_cv_.wait(l, [&] { return firing_ != id; });
    }
  }
  UnwatchReleased();
}

void SequenceWaiters::Loop() {
  struct Pending {
    uint64_t id;
    PlaybackRequest request;
    uint64_t msn;
    std::chrono::steady_clock::time_point deadline;
  };
  while (true) {
    auto next = std::chrono::steady_clock::now() + kRecheck;
    {
      std::lock_guard<std::mutex> l(mu_);
      for (const auto& [id, w] : waiters_) next = std::min(next, w.deadline);
    }
    {
      std::unique_lock<std::mutex> sl(signal_->mu);
      signal_->cv.wait_until(sl, next, [&] { return signal_->dirty || signal_->stop; });
      if (signal_->stop) return;
      signal_->dirty = false;
    }
    std::vector<Pending> pending;
    {
      std::lock_guard<std::mutex> l(mu_);
      for (const auto& [id, w] : waiters_) pending.push_back({id, w.request, w.msn, w.deadline});
    }
    // Waiters of one playlist at one sequence number share the answer of one check.
    std::map<std::pair<std::string, uint64_t>, bool> checked;
    for (const Pending& p : pending) {
      bool due = std::chrono::steady_clock::now() >= p.deadline;
      if (!due) {
        auto token = p.request.query.find("SessionToken");
        const auto key =
            std::make_pair(token == p.request.query.end() ? std::string() : token->second, p.msn);
        auto known = checked.find(key);
        due =
            known != checked.end() ? known->second : (checked[key] = satisfied_(p.request, p.msn));
      }
      if (!due) continue;
      std::function<void()> ready;
      {
        std::lock_guard<std::mutex> l(mu_);
        auto it = waiters_.find(p.id);
        if (it == waiters_.end()) continue;  // cancelled meanwhile
        ready = std::move(it->second.ready);
        Release(it->second.stream);
        waiters_.erase(it);
        firing_ = p.id;
      }
      UnwatchReleased();
      ready();
      {
        std::lock_guard<std::mutex> l(mu_);
        firing_ = 0;
      }
      fired_cv_.notify_all();
    }
  }
}

void SequenceWaiters::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  {
    std::lock_guard<std::mutex> sl(signal_->mu);
    signal_->stop = true;
    signal_->cv.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::map<uint64_t, Waiter> left;
  {
    std::lock_guard<std::mutex> l(mu_);
    left.swap(waiters_);
    for (auto& [stream, watch] : watches_) {
      if (watch.id != 0) released_.push_back(watch.id);
    }
    watches_.clear();
  }
  UnwatchReleased();
  for (auto& [id, w] : left) w.ready();
}

}  // namespace sluice::consumers::playback

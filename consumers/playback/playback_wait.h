// SPDX-License-Identifier: Apache-2.0
// SequenceWaiters: LL-HLS blocking playlist reloads. Each waiter holds a media playlist request
// and the media sequence number it waits for; one thread re-checks the waiters whenever the
// stream's shard tip moves (StreamStore::WatchShard on shard 0, one watch per stream shared by
// its waiters), every 200 ms (LIVE_REPLAY grows with the clock, not with data) and at each
// deadline, and calls `ready` once the playlist would list the number, the session can grow no
// more, or the deadline passed. Internal to PlaybackService, which supplies the two questions
// about a request: its stream, and whether its playlist lists a sequence number yet.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/result.h"
#include "base/thread_annotations.h"
#include "consumers/playback/playback_service.h"
#include "engine/stream_store.h"

namespace sluice::consumers::playback {

class SequenceWaiters {
 public:
  // The stream (engine name) a request's session plays; an error answers the waiter at once.
  using StreamOf = std::function<Result<std::string>(const PlaybackRequest&)>;
  // Whether the request can be answered now: its playlist lists `msn`, will never grow, or
  // cannot be built (Serve then reports why).
  using Satisfied = std::function<bool(const PlaybackRequest&, uint64_t msn)>;

  // `store` must outlive this object.
  SequenceWaiters(engine::StreamStore* store, StreamOf stream_of, Satisfied satisfied);
  ~SequenceWaiters();

  // See PlaybackService::WaitForSequence. `ready` runs on the waiter thread, or inline when the
  // token is unusable (Serve then reports why).
  uint64_t Add(const PlaybackRequest& request, uint64_t msn, int64_t timeout_ms,
               std::function<void()> ready);
  // Forgets a waiter; its `ready` does not run after this returns (if it is running on another
  // thread, Cancel waits for it to finish).
  void Cancel(uint64_t id);
  // Calls every pending `ready` and stops the thread. Idempotent.
  void Stop();

 private:
  struct Waiter {
    PlaybackRequest request;
    std::string stream;  // engine name, for the watch
    uint64_t msn = 0;
    std::chrono::steady_clock::time_point deadline;
    std::function<void()> ready;
  };
  // What the engine's watch callbacks may touch: they can outlive this object by a moment.
  struct Signal {
    std::mutex mu;
    std::condition_variable cv;
    bool dirty = false;  // re-check the waiters now
    bool stop = false;
  };
  struct Watch {
    engine::WatchId id = 0;
    int users = 0;
  };

  void Loop();
  void Release(const std::string& stream) REQUIRES(mu_);
  void UnwatchReleased();

  engine::StreamStore* const store_;
  const StreamOf stream_of_;
  const Satisfied satisfied_;
  const std::shared_ptr<Signal> signal_;

  std::mutex mu_;
  std::condition_variable fired_cv_;
  std::map<uint64_t, Waiter> waiters_ GUARDED_BY(mu_);
  std::map<std::string, Watch> watches_ GUARDED_BY(mu_);
  std::vector<engine::WatchId> released_ GUARDED_BY(mu_);  // to Unwatch outside mu_
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  uint64_t firing_ GUARDED_BY(mu_) = 0;  // the id whose `ready` runs now
  bool stopped_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // started with the first waiter
  std::thread::id thread_id_;
};

}  // namespace sluice::consumers::playback

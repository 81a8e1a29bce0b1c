// SPDX-License-Identifier: Apache-2.0
// SegmentCache: recently produced segments (init, fMP4, TS), bounded by bytes with LRU eviction
// and single-flight production: when many viewers of a live stream ask for the same new segment
// at once, one of them remuxes it and the others wait for that result. Errors are handed to the
// waiters of that attempt but never cached. An entry larger than the whole budget is returned
// without being kept.
// Thread-safety: every method may be called from any thread; `produce` runs outside the lock.
// Example:
//   ASSIGN_OR_RETURN(auto bytes, cache.Get(key, [&]() -> Result<std::string> { return Remux(); }));
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"
#include "base/thread_annotations.h"

namespace sluice::consumers::playback {

enum class SegmentKind : uint8_t { kInit, kFmp4, kTs };

struct SegmentKey {
  int64_t stream = 0;  // StreamId value
  SegmentKind kind = SegmentKind::kFmp4;
  uint64_t id = 0;     // header version (init) or entry counter (media)
  uint64_t track = 0;  // output track; 0 for TS (all tracks)
  friend auto operator<=>(const SegmentKey&, const SegmentKey&) = default;
};

struct SegmentCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;  // produce() calls
  uint64_t joins = 0;   // waited for another caller's produce()
  uint64_t evictions = 0;
  uint64_t bytes = 0;
  uint64_t entries = 0;
};

class SegmentCache {
 public:
  using Bytes = std::shared_ptr<const std::string>;
  using Producer = std::function<Result<std::string>()>;

  explicit SegmentCache(uint64_t max_bytes) : max_bytes_(max_bytes) {}
  SegmentCache(const SegmentCache&) = delete;
  SegmentCache& operator=(const SegmentCache&) = delete;

  // The cached bytes of `key`, or the result of `produce` (run once per key at a time).
  Result<Bytes> Get(const SegmentKey& key, const Producer& produce);
  // Drops every entry of a stream (e.g. deleted).
  void DropStream(int64_t stream);
  SegmentCacheStats stats() const;

 private:
  // A production in progress: waiters block on cv until done.
  struct Flight {
    bool done = false;
    Status status;
    Bytes bytes;
  };
  struct Entry {
    Bytes bytes;
    std::list<SegmentKey>::iterator lru;  // position in lru_ (front: most recent)
  };

  void InsertLocked(const SegmentKey& key, Bytes bytes) REQUIRES(mu_);

  const uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<SegmentKey, Entry> entries_ GUARDED_BY(mu_);
  std::list<SegmentKey> lru_ GUARDED_BY(mu_);
  std::map<SegmentKey, std::shared_ptr<Flight>> flights_ GUARDED_BY(mu_);
  SegmentCacheStats stats_ GUARDED_BY(mu_);
};

}  // namespace sluice::consumers::playback

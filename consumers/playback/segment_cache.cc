// SPDX-License-Identifier: Apache-2.0
// SegmentCache: LRU by bytes plus single-flight production.
#include "consumers/playback/segment_cache.h"

#include <utility>

namespace sluice::consumers::playback {

Result<SegmentCache::Bytes> SegmentCache::Get(const SegmentKey& key, const Producer& produce) {
  std::shared_ptr<Flight> flight;
  {
    std::unique_lock<std::mutex> l(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      ++stats_.hits;
      return it->second.bytes;
    }
    auto f = flights_.find(key);
    if (f != flights_.end()) {
      std::shared_ptr<Flight> joined = f->second;
      ++stats_.joins;
      cv_.wait(l, [&] { return joined->done; });
      if (!joined->status.ok()) return joined->status;
      return joined->bytes;
    }
    flight = std::make_shared<Flight>();
    flights_[key] = flight;
    ++stats_.misses;
  }
  Result<std::string> made = produce();
  std::lock_guard<std::mutex> l(mu_);
  flights_.erase(key);
  flight->done = true;
  if (made.ok()) {
    flight->bytes = std::make_shared<const std::string>(std::move(*made));
    InsertLocked(key, flight->bytes);
  } else {
    flight->status = made.status();
  }
  cv_.notify_all();
  if (!flight->status.ok()) return flight->status;
  return flight->bytes;
}

void SegmentCache::InsertLocked(const SegmentKey& key, Bytes bytes) {
  const uint64_t size = bytes->size();
  if (size > max_bytes_) return;
  while (!lru_.empty() && stats_.bytes + size > max_bytes_) {
    auto victim = entries_.find(lru_.back());
    stats_.bytes -= victim->second.bytes->size();
    entries_.erase(victim);
    lru_.pop_back();
    ++stats_.evictions;
  }
  lru_.push_front(key);
  entries_[key] = Entry{std::move(bytes), lru_.begin()};
  stats_.bytes += size;
}

void SegmentCache::DropStream(int64_t stream) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->first.stream != stream) {
      ++it;
      continue;
    }
    stats_.bytes -= it->second.bytes->size();
    lru_.erase(it->second.lru);
    it = entries_.erase(it);
  }
}

SegmentCacheStats SegmentCache::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  SegmentCacheStats s = stats_;
  s.entries = entries_.size();
  return s;
}

}  // namespace sluice::consumers::playback

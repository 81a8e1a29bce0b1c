// SPDX-License-Identifier: Apache-2.0
// Segment: what readers and the writer share about one segment file of a shard: its read handle,
// its sparse time index and its visible extent (the entries readers may see). The writer-only
// state of the active segment lives in ShardLog; the file format in engine/format.h.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "base/env.h"
#include "base/thread_annotations.h"
#include "index/time_index.h"

namespace sluice::engine {

// The entries of a segment readers may see: counters [base, end_counter), bytes before end_pos.
struct SegmentExtent {
  uint64_t end_counter = 0;
  uint64_t end_pos = 0;
  int64_t first_time_ms = 0;  // arrival of the first entry (meaningless when empty)
  int64_t last_time_ms = 0;   // arrival of the last entry (meaningless when empty)
  bool empty(uint64_t base) const { return end_counter == base; }
};

// Lifecycle: created by ShardLog when it opens or rolls to the segment, shared (shared_ptr) with
// readers' snapshots, dropped when retention removes it from the shard's list and the last reader
// lets go. Thread-safe: a short mutex guards the index and the extent; the file is read with pread.
class Segment {
 public:
  Segment(std::string path, uint64_t base_counter, int64_t created_ms,
          std::shared_ptr<RandomAccessFile> file, index::TimeIndex index, SegmentExtent visible)
      : path_(std::move(path)),
        base_counter_(base_counter),
        created_ms_(created_ms),
        file_(std::move(file)),
        index_(std::move(index)),
        visible_(visible) {}

  const std::string& path() const { return path_; }
  std::string tix_path() const { return path_.substr(0, path_.size() - 4) + ".tix"; }
  uint64_t base_counter() const { return base_counter_; }
  int64_t created_ms() const { return created_ms_; }
  const RandomAccessFile& file() const { return *file_; }

  SegmentExtent visible() const {
    std::lock_guard<std::mutex> l(mu_);
    return visible_;
  }
  // Grows the visible extent (never shrinks it).
  void Publish(const SegmentExtent& e) {
    std::lock_guard<std::mutex> l(mu_);
    if (e.end_counter > visible_.end_counter) visible_ = e;
  }
  // Indexes a group of entries written back to back from `pos`: entry i has counter first + i
  // and ends at pos + ends[i].
  void IndexEntries(uint64_t first, int64_t time_ms, uint64_t pos, std::span<const uint64_t> ends) {
    std::lock_guard<std::mutex> l(mu_);
    uint64_t start = pos;
    for (size_t i = 0; i < ends.size(); i++) {
      index_.Add(first + i, time_ms, start, pos + ends[i]);
      start = pos + ends[i];
    }
  }
  bool IndexFits(uint64_t counter, int64_t time_ms) const {
    std::lock_guard<std::mutex> l(mu_);
    return index_.Fits(counter, time_ms);
  }
  std::optional<index::TimePoint> FloorByCounter(uint64_t counter) const {
    std::lock_guard<std::mutex> l(mu_);
    return index_.FloorByCounter(counter);
  }
  std::optional<index::TimePoint> LastBefore(int64_t time_ms) const {
    std::lock_guard<std::mutex> l(mu_);
    return index_.LastBefore(time_ms);
  }
  // Writes the sidecar of a sealed segment (extent = its final extent, size = file size).
  Status WriteSidecar(Env* env, uint64_t size) const {
    std::string bytes;
    {
      std::lock_guard<std::mutex> l(mu_);
      bytes = index_.Encode({visible_.end_counter, visible_.last_time_ms, size});
    }
    return env->WriteFileAtomically(tix_path(), bytes);
  }

 private:
  // Constant after construction.
  const std::string path_;
  const uint64_t base_counter_;
  const int64_t created_ms_;
  const std::shared_ptr<RandomAccessFile> file_;

  mutable std::mutex mu_;
  index::TimeIndex index_ GUARDED_BY(mu_);
  SegmentExtent visible_ GUARDED_BY(mu_);
};

}  // namespace sluice::engine

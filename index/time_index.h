// SPDX-License-Identifier: Apache-2.0
// TimeIndex: the sparse per-segment index of a shard log (counter -> file position, arrival time ->
// file position) and its sidecar file (<segment>.tix). Base types only: the index knows segments as
// byte ranges, never the engine's classes. The sidecar format is described in index/README.md
// ("## Time index"). It is always rebuildable by scanning the segment, so it is never the only copy
// of anything.
// Example:
//   index::TimeIndex tix(base_counter, base_ms);
//   tix.Add(counter, arrival_ms, pos, end_pos);           // for every appended entry, in order
//   auto p = tix.FloorByCounter(c);                        // start a short scan at p->position
//   RETURN_IF_ERROR(tix.WriteSidecar(env, path, summary)); // when the segment is sealed
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/result.h"

namespace sluice::index {

// One index point: the entry with this counter and arrival time starts at this file position.
struct TimePoint {
  uint64_t counter = 0;
  int64_t time_ms = 0;
  uint64_t position = 0;
};

// Facts about a sealed segment stored beside its index, so that opening a shard does not need to
// scan sealed segments: one past the last counter, the last arrival time and the log's size (a
// sidecar whose size disagrees with the log is stale and gets rebuilt).
struct SegmentSummary {
  uint64_t end_counter = 0;
  int64_t last_time_ms = 0;
  uint64_t segment_bytes = 0;
};

// Not thread-safe: the owner serialises Add against lookups (the engine keeps it under a segment
// mutex). Lifecycle: built empty for a new segment and fed every appended entry, or rebuilt by a
// scan, or loaded from a sidecar.
class TimeIndex {
 public:
  // An index point roughly every this many bytes of log.
  static constexpr uint64_t kDefaultIntervalBytes = 4096;

  // base_time_ms must not be later than any entry's arrival (the segment's creation time is).
  TimeIndex(uint64_t base_counter, int64_t base_time_ms,
            uint64_t interval_bytes = kDefaultIntervalBytes);

  // True when (counter, time) can be stored relative to the base in 32 bits each. The writer rolls
  // to a new segment before appending an entry that does not fit.
  bool Fits(uint64_t counter, int64_t time_ms) const;
  // Notes an entry occupying [position, end_position). Entries arrive in counter order with
  // non-decreasing times. Adds a point for the first entry and then whenever at least
  // interval_bytes of log passed since the last point. Ignores entries that do not Fit.
  void Add(uint64_t counter, int64_t time_ms, uint64_t position, uint64_t end_position);

  // The last point whose counter <= counter; nullopt if none (counter before the first point).
  std::optional<TimePoint> FloorByCounter(uint64_t counter) const;
  // The last point whose time < time_ms; nullopt if none. The first entry with time >= time_ms is
  // at or after the returned point (or at the segment start when nullopt), and within about one
  // interval of it unless many entries share one millisecond.
  std::optional<TimePoint> LastBefore(int64_t time_ms) const;

  uint64_t base_counter() const { return base_counter_; }
  int64_t base_time_ms() const { return base_time_ms_; }
  size_t size() const { return rel_counters_.size(); }
  TimePoint PointAt(size_t i) const;

  // Sidecar encoding: header + entries, one CRC over both.
  std::string Encode(const SegmentSummary& summary) const;
  struct Loaded;
  // DataLoss when the bytes are not a valid sidecar (bad magic, version, CRC, size or order).
  static Result<Loaded> Decode(std::string_view bytes);

  // Writes the sidecar atomically (temp file, fsync, rename, fsync dir).
  Status WriteSidecar(Env* env, const std::string& path, const SegmentSummary& summary) const;
  static Result<Loaded> ReadSidecar(Env* env, const std::string& path);

 private:
  uint64_t base_counter_;
  int64_t base_time_ms_;
  uint64_t interval_bytes_;
  uint64_t last_point_position_ = 0;
  // Parallel arrays (struct-of-arrays keeps binary searches cache-friendly).
  std::vector<uint32_t> rel_counters_;
  std::vector<uint32_t> rel_times_;
  std::vector<uint64_t> positions_;
};

struct TimeIndex::Loaded {
  TimeIndex index;
  SegmentSummary summary;
};

}  // namespace sluice::index

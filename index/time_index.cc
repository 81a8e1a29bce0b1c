// SPDX-License-Identifier: Apache-2.0
// TimeIndex: sparse point list, binary-search lookups and the .tix sidecar codec.
#include "index/time_index.h"

#include <algorithm>
#include <limits>

#include "base/coding.h"
#include "base/crc32c.h"

namespace sluice::index {
namespace {

// sidecar := header entry*
// header  := magic "SLCTIX01"(8) | version u32 | entry count u32 | base counter u64 |
//            base time ms i64 | end counter u64 | last time ms i64 | segment bytes u64 |
//            masked crc32c u32 over the 56 header bytes before it and every entry
// entry   := relative counter u32 | relative time ms u32 | absolute file position u64
constexpr char kMagic[8] = {'S', 'L', 'C', 'T', 'I', 'X', '0', '1'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBodySize = 8 + 4 + 4 + 8 + 8 + 8 + 8 + 8;  // 56
constexpr size_t kHeaderSize = kHeaderBodySize + 4;
constexpr size_t kEntrySize = 4 + 4 + 8;
constexpr uint64_t kMaxRel = std::numeric_limits<uint32_t>::max();

}  // namespace

TimeIndex::TimeIndex(uint64_t base_counter, int64_t base_time_ms, uint64_t interval_bytes)
    : base_counter_(base_counter),
      base_time_ms_(base_time_ms),
      interval_bytes_(interval_bytes == 0 ? 1 : interval_bytes) {}

bool TimeIndex::Fits(uint64_t counter, int64_t time_ms) const {
  return counter >= base_counter_ && counter - base_counter_ <= kMaxRel &&
         time_ms >= base_time_ms_ && static_cast<uint64_t>(time_ms - base_time_ms_) <= kMaxRel;
}

void TimeIndex::Add(uint64_t counter, int64_t time_ms, uint64_t position, uint64_t end_position) {
  if (!Fits(counter, time_ms)) return;
  if (!positions_.empty()) {
    // Keep the arrays sorted even if a caller misbehaves: drop out-of-order entries.
    if (counter <= base_counter_ + rel_counters_.back()) return;
    if (time_ms < base_time_ms_ + static_cast<int64_t>(rel_times_.back())) return;
    if (position - last_point_position_ < interval_bytes_) return;
  }
  rel_counters_.push_back(static_cast<uint32_t>(counter - base_counter_));
  rel_times_.push_back(static_cast<uint32_t>(time_ms - base_time_ms_));
  positions_.push_back(position);
  last_point_position_ = position;
  (void)end_position;  // points mark entry starts; the end is accepted for symmetry with scans
}

TimePoint TimeIndex::PointAt(size_t i) const {
  return TimePoint{base_counter_ + rel_counters_[i], base_time_ms_ + rel_times_[i], positions_[i]};
}

std::optional<TimePoint> TimeIndex::FloorByCounter(uint64_t counter) const {
  if (counter < base_counter_) return std::nullopt;
  uint64_t rel = counter - base_counter_;
  if (rel > kMaxRel) rel = kMaxRel;
  // First point with rel_counter > rel, then step back one.
  auto it =
      std::upper_bound(rel_counters_.begin(), rel_counters_.end(), static_cast<uint32_t>(rel));
  if (it == rel_counters_.begin()) return std::nullopt;
  return PointAt(static_cast<size_t>(it - rel_counters_.begin()) - 1);
}

std::optional<TimePoint> TimeIndex::LastBefore(int64_t time_ms) const {
  if (time_ms <= base_time_ms_) return std::nullopt;
  uint64_t rel = static_cast<uint64_t>(time_ms - base_time_ms_);
  // First point with rel_time >= rel, then step back one. Above 32 bits every point qualifies.
  auto it = rel > kMaxRel ? rel_times_.end()
                          : std::lower_bound(rel_times_.begin(), rel_times_.end(),
                                             static_cast<uint32_t>(rel));
  if (it == rel_times_.begin()) return std::nullopt;
  return PointAt(static_cast<size_t>(it - rel_times_.begin()) - 1);
}

std::string TimeIndex::Encode(const SegmentSummary& summary) const {
  std::string out;
  out.reserve(kHeaderSize + positions_.size() * kEntrySize);
  out.append(kMagic, sizeof(kMagic));
  PutFixed32(&out, kVersion);
  PutFixed32(&out, static_cast<uint32_t>(positions_.size()));
  PutFixed64(&out, base_counter_);
  PutFixed64(&out, static_cast<uint64_t>(base_time_ms_));
  PutFixed64(&out, summary.end_counter);
  PutFixed64(&out, static_cast<uint64_t>(summary.last_time_ms));
  PutFixed64(&out, summary.segment_bytes);
  std::string entries;
  entries.reserve(positions_.size() * kEntrySize);
  for (size_t i = 0; i < positions_.size(); i++) {
    PutFixed32(&entries, rel_counters_[i]);
    PutFixed32(&entries, rel_times_[i]);
    PutFixed64(&entries, positions_[i]);
  }
  uint32_t crc = crc32c::Value(out);
  crc = crc32c::Extend(crc, entries.data(), entries.size());
  PutFixed32(&out, crc32c::Mask(crc));
  out += entries;
  return out;
}

Result<TimeIndex::Loaded> TimeIndex::Decode(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) return DataLossError("time index: shorter than its header");
  if (!std::equal(kMagic, kMagic + sizeof(kMagic), bytes.data())) {
    return DataLossError("time index: bad magic");
  }
  const char* p = bytes.data() + sizeof(kMagic);
  uint32_t version = DecodeFixed32(p);
  uint32_t count = DecodeFixed32(p + 4);
  if (version != kVersion) {
    return DataLossError("time index: unsupported version " + std::to_string(version));
  }
  if (bytes.size() != kHeaderSize + static_cast<uint64_t>(count) * kEntrySize) {
    return DataLossError("time index: size does not match its entry count");
  }
  uint32_t crc = crc32c::Value(bytes.data(), kHeaderBodySize);
  crc = crc32c::Extend(crc, bytes.data() + kHeaderSize, bytes.size() - kHeaderSize);
  if (crc32c::Unmask(DecodeFixed32(bytes.data() + kHeaderBodySize)) != crc) {
    return DataLossError("time index: checksum mismatch");
  }
  SegmentSummary summary;
  uint64_t base_counter = DecodeFixed64(p + 8);
  auto base_time = static_cast<int64_t>(DecodeFixed64(p + 16));
  summary.end_counter = DecodeFixed64(p + 24);
  summary.last_time_ms = static_cast<int64_t>(DecodeFixed64(p + 32));
  summary.segment_bytes = DecodeFixed64(p + 40);
  if (summary.end_counter < base_counter) return DataLossError("time index: end before base");
  Loaded loaded{TimeIndex(base_counter, base_time), summary};
  TimeIndex& tix = loaded.index;
  tix.rel_counters_.reserve(count);
  tix.rel_times_.reserve(count);
  tix.positions_.reserve(count);
  const char* e = bytes.data() + kHeaderSize;
  for (uint32_t i = 0; i < count; i++, e += kEntrySize) {
    uint32_t rc = DecodeFixed32(e);
    uint32_t rt = DecodeFixed32(e + 4);
    uint64_t pos = DecodeFixed64(e + 8);
    if (i > 0 && (rc <= tix.rel_counters_.back() || rt < tix.rel_times_.back() ||
                  pos <= tix.positions_.back())) {
      return DataLossError("time index: entries out of order");
    }
    if (pos >= summary.segment_bytes || base_counter + rc >= summary.end_counter) {
      return DataLossError("time index: entry outside its segment");
    }
    tix.rel_counters_.push_back(rc);
    tix.rel_times_.push_back(rt);
    tix.positions_.push_back(pos);
  }
  if (count > 0) tix.last_point_position_ = tix.positions_.back();
  return loaded;
}

Status TimeIndex::WriteSidecar(Env* env, const std::string& path,
                               const SegmentSummary& summary) const {
  return env->WriteFileAtomically(path, Encode(summary));
}

Result<TimeIndex::Loaded> TimeIndex::ReadSidecar(Env* env, const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, env->ReadFileToString(path));
  return Decode(bytes);
}

}  // namespace sluice::index

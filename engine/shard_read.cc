// SPDX-License-Identifier: Apache-2.0
// ShardLog read side: reads by counter and by time over a snapshot of the segment list, and the
// retention sweep that shortens that list. Readers never take the writer's mutex.
#include <algorithm>

#include "base/log.h"
#include "engine/format.h"
#include "engine/segment_reader.h"
#include "engine/shard_log.h"

namespace sluice::engine {
namespace {

Status Unreadable(const Segment& seg, const SegmentReader& reader, SegmentReader::Outcome o,
                  uint64_t counter) {
  if (o == SegmentReader::Outcome::kIoError) return reader.status();
  std::string what = o == SegmentReader::Outcome::kTorn ? "truncated" : "corrupt (bad checksum)";
  LOG_ERROR(
      "engine", "unreadable log entry",
      {{"path", seg.path()}, {"pos", reader.position()}, {"counter", counter}, {"problem", what}});
  return DataLossError("log entry " + std::to_string(counter) + " in " + seg.path() + " at byte " +
                       std::to_string(reader.position()) + " is " + what +
                       "; the rest of this segment cannot be read, later segments can");
}

// Decodes the next record of a scan, skipping entries marked safe to ignore. `expect` is the
// counter the next record must carry (counters are dense within a segment).
Result<bool> NextRecord(const Segment& seg, SegmentReader* reader, uint64_t* expect,
                        RecordView* out) {
  EntryView e;
  for (;;) {
    SegmentReader::Outcome o = reader->Next(&e);
    if (o == SegmentReader::Outcome::kEnd) return false;
    if (o != SegmentReader::Outcome::kEntry) return Unreadable(seg, *reader, o, *expect);
    if ((e.type & format::kTypeMask) != format::kRecordType) {
      if (e.type & format::kSafeToIgnoreBit) continue;
      return DataLossError("unknown log entry type " + std::to_string(e.type) + " in " +
                           seg.path() + " (written by a newer version?)");
    }
    ASSIGN_OR_RETURN(*out, DecodeRecordBody(e.body));
    if (out->counter != *expect) {
      return DataLossError("log entry counter " + std::to_string(out->counter) + " where " +
                           std::to_string(*expect) + " was expected in " + seg.path());
    }
    ++*expect;
    return true;
  }
}

// Where a scan for counter `c` of a segment starts: the closest index point at or before it.
void ScanStart(const Segment& seg, uint64_t c, uint64_t* pos, uint64_t* counter) {
  std::optional<index::TimePoint> p = seg.FloorByCounter(c);
  *pos = p ? p->position : format::kSegmentHeaderSize;
  *counter = p ? p->counter : seg.base_counter();
}

}  // namespace

std::shared_ptr<const ShardLog::SegmentList> ShardLog::Snapshot() const {
  std::lock_guard<std::mutex> l(view_mu_);
  return segments_;
}

void ShardLog::SetSegments(std::shared_ptr<const SegmentList> list) {
  std::lock_guard<std::mutex> l(view_mu_);
  segments_ = std::move(list);
}

EntryCounter ShardLog::TrimHorizon() const {
  return EntryCounter(Snapshot()->front()->base_counter());
}

Result<ReadBatch> ShardLog::Read(EntryCounter from_counter, const ReadLimits& limits) const {
  ReadBatch batch;
  // The tip first, then the list: every visible entry's segment is then in the snapshot.
  const uint64_t visible = visible_.load(std::memory_order_acquire);
  batch.tip = EntryCounter(visible);
  batch.tip_arrival = TimestampMs(visible_arrival_.load(std::memory_order_relaxed));
  std::shared_ptr<const SegmentList> list = Snapshot();
  uint64_t from = std::max(from_counter.value(), list->front()->base_counter());
  auto it = std::upper_bound(list->begin(), list->end(), from,
                             [](uint64_t c, const auto& seg) { return c < seg->base_counter(); });
  if (it != list->begin()) --it;
  size_t bytes = 0;
  const size_t max_records = std::max<size_t>(limits.max_records, 1);
  bool full = false;
  for (; it != list->end() && from < visible && !full; ++it) {
    const Segment& seg = **it;
    const SegmentExtent ext = seg.visible();
    if (from >= ext.end_counter) continue;
    uint64_t pos = 0, expect = 0;
    ScanStart(seg, from, &pos, &expect);
    SegmentReader reader(&seg.file(), pos, ext.end_pos);
    RecordView r;
    while (!full && from < ext.end_counter) {
      Result<bool> got = NextRecord(seg, &reader, &expect, &r);
      if (!got.ok()) {
        if (batch.records.empty()) return got.status();
        full = true;  // return what was read; the next read reports the problem
        break;
      }
      if (!*got) break;
      if (r.counter < from) continue;
      const size_t size = r.data.size() + r.key.size();
      if (!batch.records.empty() && bytes + size > limits.max_bytes) {
        full = true;
        break;
      }
      batch.records.push_back(StoredRecord{
          EntryCounter(r.counter), codec_.Format(EntryCounter(r.counter)),
          TimestampMs(r.arrival_ms), std::string(r.key), std::string(r.data), std::string(r.meta)});
      bytes += size;
      from = r.counter + 1;
      full = batch.records.size() >= max_records;
    }
  }
  batch.next = EntryCounter(from);
  records_out_->Add(batch.records.size());
  bytes_out_->Add(bytes);
  return batch;
}

Result<EntryCounter> ShardLog::AtTimestamp(TimestampMs t) const {
  const uint64_t visible = visible_.load(std::memory_order_acquire);
  std::shared_ptr<const SegmentList> list = Snapshot();
  for (const auto& seg_ptr : *list) {
    const Segment& seg = *seg_ptr;
    const SegmentExtent ext = seg.visible();
    if (ext.empty(seg.base_counter()) || ext.last_time_ms < t.value()) continue;
    // The answer is in this segment: scan from the last index point older than t.
    std::optional<index::TimePoint> p = seg.LastBefore(t.value());
    uint64_t expect = p ? p->counter : seg.base_counter();
    SegmentReader reader(&seg.file(), p ? p->position : format::kSegmentHeaderSize, ext.end_pos);
    RecordView r;
    for (;;) {
      ASSIGN_OR_RETURN(bool got, NextRecord(seg, &reader, &expect, &r));
      if (!got) break;
      if (r.arrival_ms >= t.value()) return EntryCounter(r.counter);
    }
  }
  return EntryCounter(visible);
}

Result<int> ShardLog::ApplyRetention(int64_t cutoff_ms) {
  std::vector<std::shared_ptr<Segment>> doomed;
  Status roll;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (state_ == State::kClosed) return CancelledError("the stream store is closed");
    // All of the active segment expired: roll, so that it can go like any sealed one. The new,
    // empty segment keeps the next counter, so counters are never reused.
    if (state_ == State::kOk && !written_extent_.empty(active_->base_counter()) &&
        written_extent_.last_time_ms < cutoff_ms) {
      roll = Roll();
    }
    std::shared_ptr<const SegmentList> list = Snapshot();
    size_t n = 0;
    while (n < list->size() && (*list)[n] != active_) {
      const Segment& seg = *(*list)[n];
      const SegmentExtent ext = seg.visible();
      const int64_t last = ext.empty(seg.base_counter()) ? seg.created_ms() : ext.last_time_ms;
      if (last >= cutoff_ms) break;
      n++;
    }
    if (n > 0) {
      doomed.assign(list->begin(), list->begin() + static_cast<std::ptrdiff_t>(n));
      SetSegments(std::make_shared<SegmentList>(list->begin() + static_cast<std::ptrdiff_t>(n),
                                                list->end()));
    }
  }
  options_.syncer->Schedule(shared_from_this());  // a roll may have made waiters durable
  for (const auto& seg : doomed) {
    // Readers holding an older snapshot keep their open handles; the files go now.
    Status s = options_.env->RemoveFile(seg->path());
    if (s.ok() && options_.env->FileExists(seg->tix_path()))
      s = options_.env->RemoveFile(seg->tix_path());
    if (!s.ok())
      LOG_WARN("engine", "retention could not remove a segment", {{"error", s.ToString()}});
  }
  if (!doomed.empty()) {
    LOG_INFO("engine", "retention removed segments",
             {{"stream", options_.stream_name},
              {"shard", options_.index.value()},
              {"segments", doomed.size()}});
    RETURN_IF_ERROR(options_.env->SyncDir(options_.dir));
  }
  if (!roll.ok()) return roll;
  return static_cast<int>(doomed.size());
}

}  // namespace sluice::engine

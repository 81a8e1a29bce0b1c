// SPDX-License-Identifier: Apache-2.0
// ShardLog recovery: list the segments, trust sealed ones through valid sidecars (or rebuild the
// index by scanning), scan the last segment entry by entry and truncate a torn or corrupt tail.
#include <algorithm>
#include <charconv>

#include "base/log.h"
#include "engine/format.h"
#include "engine/segment_reader.h"
#include "engine/shard_log.h"

namespace sluice::engine {
namespace {

// "00000000000000000042.log" -> 42.
std::optional<uint64_t> ParseSegmentName(std::string_view name) {
  constexpr size_t kDigits = format::kSegmentNameDigits;
  const std::string_view ext = format::kSegmentExtension;
  if (name.size() != kDigits + ext.size() || !name.ends_with(ext)) return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + kDigits, v);
  if (ec != std::errc() || ptr != name.data() + kDigits) return std::nullopt;
  return v;
}

struct ScanResult {
  index::TimeIndex index;
  SegmentExtent extent;
  SegmentReader::Outcome stop = SegmentReader::Outcome::kEnd;
};

// Walks every entry of a segment, rebuilding its index. Stops at the first entry that is torn,
// fails its CRC, or breaks the dense counter sequence; extent.end_pos is then the last good byte.
Result<ScanResult> ScanSegment(const RandomAccessFile& file, uint64_t base, int64_t created,
                               uint64_t size) {
  ScanResult r{index::TimeIndex(base, created), {base, format::kSegmentHeaderSize, 0, 0}};
  SegmentReader reader(&file, format::kSegmentHeaderSize, size);
  EntryView e;
  for (;;) {
    r.stop = reader.Next(&e);
    if (r.stop == SegmentReader::Outcome::kIoError) return reader.status();
    if (r.stop != SegmentReader::Outcome::kEntry) break;
    if ((e.type & format::kTypeMask) != format::kRecordType) {
      if (!(e.type & format::kSafeToIgnoreBit)) {
        r.stop = SegmentReader::Outcome::kCorrupt;
        break;
      }
      r.extent.end_pos = e.end;
      continue;
    }
    Result<RecordView> rec = DecodeRecordBody(e.body);
    if (!rec.ok() || rec->counter != r.extent.end_counter) {
      r.stop = SegmentReader::Outcome::kCorrupt;
      break;
    }
    if (r.extent.empty(base)) r.extent.first_time_ms = rec->arrival_ms;
    r.extent.last_time_ms = rec->arrival_ms;
    r.extent.end_counter++;
    r.extent.end_pos = e.end;
    r.index.Add(rec->counter, rec->arrival_ms, e.position, e.end);
  }
  return r;
}

const char* OutcomeName(SegmentReader::Outcome o) {
  return o == SegmentReader::Outcome::kTorn ? "torn entry" : "corrupt entry";
}

}  // namespace

Status ShardLog::Recover() {
  Env* env = options_.env;
  RETURN_IF_ERROR(env->CreateDirs(options_.dir));
  ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(options_.dir));
  std::vector<uint64_t> bases;
  for (const std::string& name : names) {
    if (auto base = ParseSegmentName(name)) bases.push_back(*base);
    if (name.ends_with(".tmp")) env->RemoveFile(options_.dir + "/" + name).IgnoreError();
  }
  std::sort(bases.begin(), bases.end());
  auto list = std::make_shared<SegmentList>();
  for (size_t i = 0; i + 1 < bases.size(); i++) {
    ASSIGN_OR_RETURN(std::shared_ptr<Segment> seg, OpenSealed(bases[i], bases[i + 1]));
    list->push_back(std::move(seg));
  }
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& seg : *list) {
    const SegmentExtent ext = seg->visible();
    if (!ext.empty(seg->base_counter())) last_arrival_ = std::max(last_arrival_, ext.last_time_ms);
  }
  if (bases.empty()) {
    SetSegments(list);
    RETURN_IF_ERROR(
        OpenNewSegment(0, std::max(options_.clock->Now().value(), options_.created.value())));
  } else {
    RETURN_IF_ERROR(RecoverActive(bases.back(), list.get()));
  }
  written_ = appended_ = durable_ = written_extent_.end_counter;
  if (!written_extent_.empty(active_->base_counter())) last_arrival_ = written_extent_.last_time_ms;
  visible_.store(written_, std::memory_order_release);
  visible_arrival_.store(last_arrival_, std::memory_order_relaxed);
  std::lock_guard<std::mutex> wl(watch_mu_);
  notified_visible_ = written_;
  return OkStatus();
}

Result<std::shared_ptr<Segment>> ShardLog::OpenSealed(uint64_t base, uint64_t next_base) {
  Env* env = options_.env;
  const std::string path = SegmentPath(options_.dir, base, format::kSegmentExtension);
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  std::shared_ptr<RandomAccessFile> shared_file(std::move(file));
  ASSIGN_OR_RETURN(uint64_t size, shared_file->Size());
  Result<SegmentHeader> header = ReadSegmentHeader(*shared_file);
  if (!header.ok() || header->base_counter != base) {
    LOG_ERROR("engine", "sealed segment has a bad header",
              {{"path", path},
               {"error",
                header.ok() ? "base counter differs from file name" : header.status().ToString()}});
  }
  int64_t created = header.ok() ? header->created_ms : 0;
  const std::string tix = SegmentPath(options_.dir, base, format::kTimeIndexExtension);
  if (env->FileExists(tix)) {
    Result<index::TimeIndex::Loaded> loaded = index::TimeIndex::ReadSidecar(env, tix);
    if (loaded.ok() && loaded->summary.segment_bytes == size &&
        loaded->index.base_counter() == base && loaded->summary.end_counter == next_base) {
      SegmentExtent ext{next_base, size, loaded->index.base_time_ms(),
                        loaded->summary.last_time_ms};
      if (loaded->index.size() > 0) ext.first_time_ms = loaded->index.PointAt(0).time_ms;
      return std::make_shared<Segment>(path, base, loaded->index.base_time_ms(), shared_file,
                                       std::move(loaded->index), ext);
    }
    LOG_WARN("engine", "stale or corrupt time index sidecar; rebuilding",
             {{"path", tix},
              {"error", loaded.ok() ? "does not match its segment" : loaded.status().ToString()}});
  }
  ASSIGN_OR_RETURN(ScanResult scan, ScanSegment(*shared_file, base, created, size));
  if (scan.stop != SegmentReader::Outcome::kEnd || scan.extent.end_counter != next_base) {
    // A sealed segment was fsynced before the next one existed, so this is damage, not a crash
    // artefact. Keep every byte: reads that reach the damage get DataLoss and say where.
    LOG_ERROR("engine", "sealed segment is damaged; reads past the damage return DataLoss",
              {{"path", path},
               {"pos", scan.extent.end_pos},
               {"counter", scan.extent.end_counter},
               {"expected_end", next_base}});
    scan.extent.end_counter = next_base;
    scan.extent.end_pos = size;
  } else {
    Status s = scan.index.WriteSidecar(env, tix, {next_base, scan.extent.last_time_ms, size});
    if (!s.ok())
      LOG_WARN("engine", "cannot write time index sidecar",
               {{"path", tix}, {"error", s.ToString()}});
  }
  return std::make_shared<Segment>(path, base, created, shared_file, std::move(scan.index),
                                   scan.extent);
}

Status ShardLog::RecoverActive(uint64_t base, SegmentList* list) {
  Env* env = options_.env;
  const std::string path = SegmentPath(options_.dir, base, format::kSegmentExtension);
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  std::shared_ptr<RandomAccessFile> shared_file(std::move(file));
  ASSIGN_OR_RETURN(uint64_t size, shared_file->Size());
  Result<SegmentHeader> header = ReadSegmentHeader(*shared_file);
  if (!header.ok() || header->base_counter != base) {
    // The header is fsynced before any entry is appended, so a bad one means the crash came while
    // the segment was being created: nothing in it was ever acknowledged. Start it afresh.
    LOG_WARN("engine", "rewriting the header of a torn new segment",
             {{"path", path}, {"dropped_bytes", size}});
    SetSegments(std::make_shared<SegmentList>(*list));
    return OpenNewSegment(base, std::max(options_.clock->Now().value(), last_arrival_));
  }
  ASSIGN_OR_RETURN(ScanResult scan, ScanSegment(*shared_file, base, header->created_ms, size));
  ASSIGN_OR_RETURN(writer_, SegmentWriter::Reopen(env, path));
  if (scan.stop != SegmentReader::Outcome::kEnd) {
    LOG_WARN("engine", "truncating the log tail after the last complete entry",
             {{"path", path},
              {"reason", OutcomeName(scan.stop)},
              {"kept_entries", scan.extent.end_counter - base},
              {"truncated_bytes", size - scan.extent.end_pos}});
    writer_.reset();
    RETURN_IF_ERROR(env->TruncateFile(path, scan.extent.end_pos));
    ASSIGN_OR_RETURN(writer_, SegmentWriter::Reopen(env, path));
    RETURN_IF_ERROR(writer_->Sync());
  }
  active_ = std::make_shared<Segment>(path, base, header->created_ms, shared_file,
                                      std::move(scan.index), scan.extent);
  written_extent_ = scan.extent;
  list->push_back(active_);
  SetSegments(std::make_shared<SegmentList>(*list));
  return OkStatus();
}

}  // namespace sluice::engine

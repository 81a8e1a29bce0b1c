// SPDX-License-Identifier: Apache-2.0
// Fragment index repair: the index is compared with the log's [trim horizon, tip) range. Every
// entry of a video shard is a fragment, so the index must hold exactly tip - trim rows; the scan
// resumes after the last indexed counter, or starts at the trim horizon when rows are missing
// in the middle (an insert that failed while later ones succeeded).
#include "ingest/fragment_index_repair.h"

#include <set>

#include "base/log.h"
#include "ingest/video_record.h"

namespace sluice::ingest {
namespace {

constexpr ShardIndex kVideoShard{0};
constexpr size_t kScanBatch = 64;

// Indexes every entry from `from` to the tip, in batches of rows (one transaction each).
Status IndexFrom(engine::StreamStore* store, index::FragmentIndex* index,
                 const engine::StreamInfo& info, EntryCounter from, RepairReport* report) {
  engine::ReadRequest req;
  req.stream = info.name;
  req.expected_id = info.id;
  req.shard = kVideoShard;
  req.from = from;
  req.limits.max_records = kScanBatch;
  while (true) {
    ASSIGN_OR_RETURN(engine::ReadBatch batch, store->Read(req));
    std::vector<index::FragmentRow> rows;
    for (const engine::StoredRecord& rec : batch.records) {
      Result<VideoRecordMeta> meta = DecodeVideoRecordMeta(rec.meta);
      if (!meta.ok()) {
        report->entries_skipped++;
        LOG_WARN("ingest", "entry of a video stream is not a fragment",
                 {{"stream", info.name}, {"counter", rec.counter.value()}});
        continue;
      }
      rows.push_back(FragmentRowOf(info.id, kVideoShard, rec.counter, rec.sequence_number,
                                   rec.data.size(), *meta));
    }
    RETURN_IF_ERROR(index->Insert(rows));
    report->rows_added += rows.size();
    if (batch.records.empty() || batch.next >= batch.tip) return OkStatus();
    req.from = batch.next;
  }
}

}  // namespace

Status RepairStream(engine::StreamStore* store, index::FragmentIndex* index,
                    const engine::StreamInfo& info, RepairReport* report) {
  report->streams++;
  ASSIGN_OR_RETURN(EntryCounter trim, store->TrimHorizon(info.name, kVideoShard));
  ASSIGN_OR_RETURN(EntryCounter tip, store->Tip(info.name, kVideoShard));
  ASSIGN_OR_RETURN(uint64_t expired, index->DeleteBefore(info.id, trim));
  ASSIGN_OR_RETURN(uint64_t past_tip, index->DeleteFrom(info.id, tip));
  report->rows_expired += expired;
  report->rows_past_tip += past_tip;
  ASSIGN_OR_RETURN(uint64_t count, index->Count(info.id));
  const uint64_t expected = tip.value() - trim.value();
  if (count == expected) return OkStatus();
  ASSIGN_OR_RETURN(std::optional<EntryCounter> last, index->LastCounter(info.id));
  // Rows are dense up to `last` when count equals last - trim + 1; then only the tail is missing.
  EntryCounter from = trim;
  if (last && count == last->value() - trim.value() + 1) from = EntryCounter(last->value() + 1);
  const uint64_t before = report->rows_added;
  RETURN_IF_ERROR(IndexFrom(store, index, info, from, report));
  LOG_INFO("ingest", "fragment index repaired",
           {{"stream", info.name},
            {"from", from.value()},
            {"added", report->rows_added - before},
            {"expired", expired},
            {"past_tip", past_tip}});
  return OkStatus();
}

Result<RepairReport> RepairFragmentIndex(engine::StreamStore* store, index::FragmentIndex* index) {
  RepairReport report;
  for (const engine::StreamInfo& info : store->ListStreams()) {
    if (info.kind != engine::StreamKind::kVideo) continue;
    Status s = RepairStream(store, index, info, &report);
    // A stream deleted meanwhile is not an error; the next run drops its rows.
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  }
  // Ids are never reused and every indexed id belonged to a stream that existed before this
  // call, so an id missing from a listing taken afterwards is a deleted stream (a stream created
  // concurrently is either listed or not yet indexed).
  ASSIGN_OR_RETURN(std::vector<StreamId> indexed, index->Streams());
  std::set<StreamId> live;
  for (const engine::StreamInfo& info : store->ListStreams()) live.insert(info.id);
  for (StreamId id : indexed) {
    if (live.count(id) != 0) continue;
    RETURN_IF_ERROR(index->DropStream(id));
    report.streams_dropped++;
  }
  return report;
}

}  // namespace sluice::ingest

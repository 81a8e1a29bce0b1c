// SPDX-License-Identifier: Apache-2.0
// FragmentReader and FragmentFollower: index lookups, entry reads, header cache, MKV chunks.
#include "ingest/fragment_reader.h"

#include <algorithm>

#include "ingest/video_record.h"
#include "media/mkv_writer.h"

namespace sluice::ingest {
namespace {

constexpr ShardIndex kVideoShard{0};

Status FragmentNotFound(std::string_view stream, std::string_view number) {
  return NotFoundError("fragment " + std::string(number) + " not found in stream " +
                       std::string(stream));
}

}  // namespace

FragmentReader::FragmentReader(engine::StreamStore* store, index::FragmentIndex* index,
                               Clock* clock)
    : store_(store), index_(index), clock_(clock != nullptr ? clock : SystemClock()) {}

Result<engine::StreamInfo> FragmentReader::VideoStream(std::string_view stream) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, store_->DescribeStream(stream));
  if (info.kind != engine::StreamKind::kVideo) {
    return NotFoundError("stream " + std::string(stream) + " is not a video stream");
  }
  return info;
}

Result<media::TrackHeader> FragmentReader::Header(StreamId stream, uint64_t version) {
  const auto key = std::make_pair(stream.value(), version);
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = headers_.find(key);
    if (it != headers_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(std::optional<index::HeaderRow> row, index_->Header(stream, version));
  if (!row) {
    return NotFoundError("track header version " + std::to_string(version) + " of stream " +
                         std::to_string(stream.value()) + " is missing");
  }
  ASSIGN_OR_RETURN(media::TrackHeader h, media::DecodeTrackHeader(row->bytes));
  h.version = version;
  std::lock_guard<std::mutex> l(mu_);
  headers_.emplace(key, h);
  return h;
}

Result<StoredFragment> FragmentReader::FromRecord(const engine::StreamInfo& info,
                                                  engine::StoredRecord record) {
  ASSIGN_OR_RETURN(VideoRecordMeta meta, DecodeVideoRecordMeta(record.meta));
  StoredFragment f;
  ASSIGN_OR_RETURN(f.header, Header(info.id, meta.fragment.header_version));
  f.row = FragmentRowOf(info.id, kVideoShard, record.counter, std::move(record.sequence_number),
                        record.data.size(), meta);
  f.meta = std::move(meta.fragment);
  f.cluster = std::move(record.data);
  return f;
}

// Reads the one entry at `counter`; NotFound if retention removed it or it does not exist.
static Result<engine::StoredRecord> ReadEntry(engine::StreamStore* store,
                                              const engine::StreamInfo& info, EntryCounter counter,
                                              std::string_view number) {
  engine::ReadRequest req;
  req.stream = info.name;
  req.expected_id = info.id;
  req.shard = kVideoShard;
  req.from = counter;
  req.limits.max_records = 1;
  ASSIGN_OR_RETURN(engine::ReadBatch batch, store->Read(req));
  if (batch.records.empty() || batch.records[0].counter != counter) {
    return FragmentNotFound(info.name, number);
  }
  return std::move(batch.records[0]);
}

Result<index::FragmentRow> FragmentReader::Find(std::string_view stream,
                                                std::string_view fragment_number) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, VideoStream(stream));
  Result<EntryCounter> counter =
      store_->CounterForSequenceNumber(stream, kVideoShard, fragment_number);
  if (!counter.ok()) return FragmentNotFound(stream, fragment_number);
  ASSIGN_OR_RETURN(EntryCounter trim, store_->TrimHorizon(stream, kVideoShard));
  if (*counter < trim) return FragmentNotFound(stream, fragment_number);
  ASSIGN_OR_RETURN(std::optional<index::FragmentRow> row, index_->ByCounter(info.id, *counter));
  if (row) return std::move(*row);
  // Not indexed (yet): the log is the truth.
  ASSIGN_OR_RETURN(engine::StoredRecord rec, ReadEntry(store_, info, *counter, fragment_number));
  ASSIGN_OR_RETURN(VideoRecordMeta meta, DecodeVideoRecordMeta(rec.meta));
  return FragmentRowOf(info.id, kVideoShard, rec.counter, rec.sequence_number, rec.data.size(),
                       meta);
}

Result<StoredFragment> FragmentReader::Read(std::string_view stream,
                                            const index::FragmentRow& row) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, VideoStream(stream));
  if (info.id != row.stream) return FragmentNotFound(stream, row.fragment_number);
  ASSIGN_OR_RETURN(engine::StoredRecord rec,
                   ReadEntry(store_, info, row.counter, row.fragment_number));
  return FromRecord(info, std::move(rec));
}

Result<StoredFragment> FragmentReader::ReadNumber(std::string_view stream,
                                                  std::string_view fragment_number) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, VideoStream(stream));
  Result<EntryCounter> counter =
      store_->CounterForSequenceNumber(stream, kVideoShard, fragment_number);
  if (!counter.ok()) return FragmentNotFound(stream, fragment_number);
  ASSIGN_OR_RETURN(engine::StoredRecord rec, ReadEntry(store_, info, *counter, fragment_number));
  return FromRecord(info, std::move(rec));
}

Result<index::FragmentPage> FragmentReader::List(std::string_view stream,
                                                 index::TimeRangeQuery query) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, VideoStream(stream));
  query.stream = info.id;
  ASSIGN_OR_RETURN(index::FragmentPage page, index_->ListByTime(query));
  ASSIGN_OR_RETURN(EntryCounter trim, store_->TrimHorizon(stream, kVideoShard));
  const auto expired = [&](const index::FragmentRow& r) { return r.counter < trim; };
  if (std::any_of(page.rows.begin(), page.rows.end(), expired)) {
    std::erase_if(page.rows, expired);
    // Retention removed these entries; drop their rows now rather than at the next repair.
    index_->DeleteBefore(info.id, trim).status().IgnoreError();
  }
  return page;
}

Result<EntryCounter> FragmentReader::StartCounter(std::string_view stream,
                                                  const StartSelector& sel) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, VideoStream(stream));
  using Type = StartSelector::Type;
  switch (sel.type) {
    case Type::kEarliest:
      return store_->TrimHorizon(stream, kVideoShard);
    case Type::kNow: {
      ASSIGN_OR_RETURN(EntryCounter tip, store_->Tip(stream, kVideoShard));
      ASSIGN_OR_RETURN(EntryCounter trim, store_->TrimHorizon(stream, kVideoShard));
      return tip > trim ? EntryCounter(tip.value() - 1) : tip;
    }
    case Type::kFragmentNumber:
    case Type::kContinuationToken: {
      Result<EntryCounter> c =
          store_->CounterForSequenceNumber(stream, kVideoShard, sel.fragment_number);
      if (!c.ok()) {
        return InvalidArgumentError("'" + sel.fragment_number +
                                    "' is not a fragment number of stream " + std::string(stream));
      }
      return EntryCounter(c->value() + 1);
    }
    case Type::kServerTimestamp:
    case Type::kProducerTimestamp: {
      const index::TimeAxis axis = sel.type == Type::kServerTimestamp ? index::TimeAxis::kServer
                                                                      : index::TimeAxis::kProducer;
      ASSIGN_OR_RETURN(auto before, index_->LastAtOrBefore(info.id, axis, sel.timestamp));
      if (before) {
        const int64_t start = axis == index::TimeAxis::kServer ? before->server_time.value()
                                                               : before->producer_time.value();
        if (start + before->duration_ms > sel.timestamp.value()) return before->counter;
      }
      ASSIGN_OR_RETURN(auto after, index_->FirstAtOrAfter(info.id, axis, sel.timestamp));
      if (after) return after->counter;
      return store_->Tip(stream, kVideoShard);
    }
  }
  return InvalidArgumentError("unknown start selector");
}

std::string FragmentReader::GetMediaChunk(const StoredFragment& f, TimestampMs now) {
  media::GetMediaChunkInfo info;
  info.fragment_number = f.row.fragment_number;
  info.server_timestamp = f.row.server_time;
  info.producer_timestamp = f.row.producer_time;
  info.millis_behind_now = std::max<int64_t>(0, now.value() - f.row.server_time.value());
  info.continuation_token = f.row.fragment_number;
  return media::WriteGetMediaChunk(f.header, f.cluster, f.meta.tags, info);
}

std::string FragmentReader::FragmentListChunk(const StoredFragment& f) {
  return media::WriteFragmentListChunk(f.header, f.cluster, f.meta.tags, f.row.fragment_number,
                                       f.row.server_time, f.row.producer_time);
}

// --- FragmentFollower -----------------------------------------------------------------------

FragmentFollower::FragmentFollower(FragmentReader* reader, engine::StreamInfo info,
                                   EntryCounter start)
    : reader_(reader), info_(std::move(info)), next_(start) {}

Result<std::unique_ptr<FragmentFollower>> FragmentFollower::Open(FragmentReader* reader,
                                                                 std::string_view stream,
                                                                 const StartSelector& selector,
                                                                 std::function<void()> on_data) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, reader->store()->DescribeStream(stream));
  if (info.kind != engine::StreamKind::kVideo) {
    return NotFoundError("stream " + std::string(stream) + " is not a video stream");
  }
  ASSIGN_OR_RETURN(EntryCounter start, reader->StartCounter(stream, selector));
  std::unique_ptr<FragmentFollower> f(new FragmentFollower(reader, std::move(info), start));
  if (on_data) {
    ASSIGN_OR_RETURN(engine::WatchId id,
                     reader->store()->WatchShard(stream, kVideoShard, std::move(on_data)));
    f->watch_ = id;
  }
  return f;
}

FragmentFollower::~FragmentFollower() {
  if (watch_) reader_->store()->Unwatch(*watch_);
}

Result<std::vector<StoredFragment>> FragmentFollower::Next(size_t max_fragments, size_t max_bytes) {
  engine::ReadRequest req;
  req.stream = info_.name;
  req.expected_id = info_.id;
  req.shard = kVideoShard;
  req.from = next_;
  req.limits.max_records = std::max<size_t>(1, max_fragments);
  req.limits.max_bytes = std::max<size_t>(1, max_bytes);
  ASSIGN_OR_RETURN(engine::ReadBatch batch, reader_->store()->Read(req));
  std::vector<StoredFragment> out;
  out.reserve(batch.records.size());
  for (engine::StoredRecord& rec : batch.records) {
    ASSIGN_OR_RETURN(StoredFragment f, reader_->FromRecord(info_, std::move(rec)));
    out.push_back(std::move(f));
  }
  next_ = batch.next;
  return out;
}

}  // namespace sluice::ingest

// SPDX-License-Identifier: Apache-2.0
// RecordIterator: start positions resolved to entry counters, batched engine reads, tail waits.
#include "consumers/framework/record_iterator.h"

#include <algorithm>

namespace sluice::consumers {
namespace {

Result<EntryCounter> StartCounter(engine::StreamStore* store, std::string_view stream,
                                  ShardIndex shard, const StartPosition& start) {
  using Type = StartPosition::Type;
  switch (start.type) {
    case Type::kTrimHorizon:
      return store->TrimHorizon(stream, shard);
    case Type::kLatest:
      return store->Tip(stream, shard);
    case Type::kAtSequenceNumber:
      return store->CounterForSequenceNumber(stream, shard, start.sequence_number);
    case Type::kAfterSequenceNumber: {
      ASSIGN_OR_RETURN(EntryCounter c,
                       store->CounterForSequenceNumber(stream, shard, start.sequence_number));
      return EntryCounter(c.value() + 1);
    }
    case Type::kAtTimestamp:
      return store->AtTimestamp(stream, shard, start.timestamp);
  }
  return InvalidArgumentError("unknown start position");
}

}  // namespace

Result<std::unique_ptr<RecordIterator>> RecordIterator::Open(engine::StreamStore* store,
                                                             std::string_view stream,
                                                             ShardIndex shard,
                                                             const StartPosition& start,
                                                             size_t max_bytes) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, store->DescribeStream(stream));
  const bool known = std::any_of(info.shards.begin(), info.shards.end(),
                                 [&](const engine::ShardInfo& s) { return s.index == shard; });
  if (!known) {
    return NotFoundError("stream " + std::string(stream) + " has no shard " +
                         engine::FormatShardId(shard));
  }
  ASSIGN_OR_RETURN(EntryCounter from, StartCounter(store, stream, shard, start));
  std::unique_ptr<RecordIterator> it(new RecordIterator(store, std::string(stream), info.id, shard,
                                                        from, std::max<size_t>(1, max_bytes)));
  std::weak_ptr<Wake> weak = it->wake_;
  ASSIGN_OR_RETURN(engine::WatchId id, store->WatchShard(stream, shard, [weak] {
    if (std::shared_ptr<Wake> w = weak.lock()) {
      std::lock_guard<std::mutex> l(w->mu);
      w->generation++;
      w->cv.notify_all();
    }
  }));
  it->watch_ = id;
  return it;
}

RecordIterator::RecordIterator(engine::StreamStore* store, std::string stream, StreamId id,
                               ShardIndex shard, EntryCounter start, size_t max_bytes)
    : store_(store),
      stream_(std::move(stream)),
      stream_id_(id),
      shard_(shard),
      max_bytes_(max_bytes),
      next_(start) {}

RecordIterator::~RecordIterator() {
  if (watch_) store_->Unwatch(*watch_);
}

Result<RecordBatch> RecordIterator::Read(size_t max_records) {
  {
    // Taken before reading: a tip that moves during the read wakes the next wait.
    std::lock_guard<std::mutex> l(wake_->mu);
    seen_generation_ = wake_->generation;
  }
  engine::ReadRequest req;
  req.stream = stream_;
  req.expected_id = stream_id_;
  req.shard = shard_;
  req.from = next_;
  req.limits.max_records = std::max<size_t>(1, max_records);
  req.limits.max_bytes = max_bytes_;
  ASSIGN_OR_RETURN(engine::ReadBatch batch, store_->Read(req));
  RecordBatch out;
  out.records.reserve(batch.records.size());
  for (engine::StoredRecord& r : batch.records) {
    out.records.push_back({.sequence_number = std::move(r.sequence_number),
                           .arrival = r.arrival,
                           .partition_key = std::move(r.partition_key),
                           .data = std::move(r.data)});
  }
  next_ = batch.next;
  if (next_ < batch.tip && !out.records.empty()) {
    out.millis_behind_latest =
        std::max<int64_t>(0, batch.tip_arrival.value() - out.records.back().arrival.value());
  }
  out.shard_ended = batch.shard_finished;
  return out;
}

void RecordIterator::WaitForData(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(wake_->mu);
  wake_->cv.wait_for(l, timeout,
                     [&] { return wake_->interrupted || wake_->generation != seen_generation_; });
}

void RecordIterator::Interrupt() {
  std::lock_guard<std::mutex> l(wake_->mu);
  wake_->interrupted = true;
  wake_->cv.notify_all();
}

}  // namespace sluice::consumers

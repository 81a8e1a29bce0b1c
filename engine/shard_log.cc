// SPDX-License-Identifier: Apache-2.0
// ShardLog write side: append (encode + one write), segment roll, group-commit service, failure
// states, retention and close. Reads are in shard_read.cc, recovery in shard_recovery.cc.
#include "engine/shard_log.h"

#include <algorithm>
#include <cassert>
#include <chrono>

#include "base/log.h"
#include "engine/format.h"

namespace sluice::engine {
namespace {

MetricLabels ShardLabels(const ShardLogOptions& o) {
  return {{"stream", o.stream_name}, {"shard", std::to_string(o.index.value())}};
}

}  // namespace

ShardLog::ShardLog(const ShardLogOptions& o)
    : options_(o),
      codec_(o.index, o.created),
      records_in_(Metrics::Global().GetCounter("sluice_records_in_total", "Records acknowledged",
                                               ShardLabels(o))),
      bytes_in_(Metrics::Global().GetCounter("sluice_bytes_in_total", "Data+key bytes acknowledged",
                                             ShardLabels(o))),
      records_out_(
          Metrics::Global().GetCounter("sluice_records_out_total", "Records read", ShardLabels(o))),
      bytes_out_(Metrics::Global().GetCounter("sluice_bytes_out_total", "Data+key bytes read",
                                              ShardLabels(o))),
      fsyncs_(
          Metrics::Global().GetCounter("sluice_fsyncs_total", "Segment fsyncs", ShardLabels(o))),
      fsync_latency_us_(Metrics::Global().GetGauge(
          "sluice_fsync_latency_us_last", "Latency of the last segment fsync", ShardLabels(o))),
      policy_(o.policy) {}

ShardLog::~ShardLog() = default;

Result<std::shared_ptr<ShardLog>> ShardLog::Open(const ShardLogOptions& options) {
  std::shared_ptr<ShardLog> log(new ShardLog(options));
  RETURN_IF_ERROR(log->Recover());
  if (options.policy.kind == FsyncPolicy::Kind::kInterval) {
    options.syncer->SetPeriodic(log, options.policy.interval_ms);
  }
  return log;
}

Status ShardLog::StateError() const {
  switch (state_) {
    case State::kOk:
      return OkStatus();
    case State::kReadOnly:
      return UnavailableError("shard " + FormatShardId(options_.index) + " of stream " +
                              options_.stream_name +
                              " is read-only after a failed write could not be undone; "
                              "restart the server to recover");
    case State::kFailed:
      return UnavailableError("shard " + FormatShardId(options_.index) + " of stream " +
                              options_.stream_name + " stopped accepting writes after " +
                              failure_.message() + "; restart the server to recover");
    case State::kClosed:
      return CancelledError("the stream store is closed");
  }
  return OkStatus();
}

void ShardLog::FailLater(AppendDone done, Status s) {
  options_.syncer->Post([done = std::move(done), s = std::move(s)] { done(s, 0, 0); });
}

void ShardLog::Append(std::span<const RecordInput* const> records, AppendDone done) {
  std::unique_lock<std::mutex> l(mu_);
  Status s = StateError();
  const int64_t arrival = std::max(options_.clock->Now().value(), last_arrival_);
  if (s.ok() && NeedsRoll(records.size(), arrival)) s = Roll();
  if (!s.ok()) {
    l.unlock();
    options_.syncer->Schedule(shared_from_this());  // a roll may have made waiters durable
    FailLater(std::move(done), std::move(s));
    return;
  }
  const uint64_t first = written_;
  encode_buf_.clear();
  entry_ends_.clear();
  uint64_t bytes = 0;
  for (size_t i = 0; i < records.size(); i++) {
    const RecordInput& r = *records[i];
    AppendRecordEntry(&encode_buf_, first + i, arrival, r.partition_key, r.meta, r.data);
    entry_ends_.push_back(encode_buf_.size());
    bytes += r.data.size() + r.partition_key.size();
  }
  appended_ = first + records.size();
  const uint64_t base_pos = writer_->size();
  s = writer_->Append(encode_buf_);
  if (encode_buf_.capacity() > (8u << 20)) std::string().swap(encode_buf_);
  if (!s.ok()) {
    appended_ = written_;  // the counters were never written: they stay free
    if (writer_->broken()) state_ = State::kReadOnly;
    if (s.code() != StatusCode::kResourceExhausted)
      s = InternalError("write failed: " + s.message());
    l.unlock();
    FailLater(std::move(done), std::move(s));
    return;
  }
  active_->IndexEntries(first, arrival, base_pos, entry_ends_);
  written_ = appended_;
  if (written_extent_.empty(active_->base_counter())) written_extent_.first_time_ms = arrival;
  written_extent_.last_time_ms = arrival;
  written_extent_.end_counter = written_;
  written_extent_.end_pos = writer_->size();
  last_arrival_ = arrival;
  assert(durable_ <= written_ && written_ <= appended_);
  if (policy_.kind != FsyncPolicy::Kind::kAlways) PublishVisible(active_, written_extent_);
  waiters_.push_back({written_, first, arrival, records.size(), bytes, std::move(done)});
  l.unlock();
  options_.syncer->Schedule(shared_from_this());
}

bool ShardLog::NeedsRoll(size_t records, int64_t arrival) const {
  if (written_extent_.empty(active_->base_counter())) return false;
  if (writer_->size() >= options_.segment_bytes) return true;
  if (arrival - written_extent_.first_time_ms >= options_.segment_max_age_ms) return true;
  return !active_->IndexFits(written_ + records, arrival);
}

Status ShardLog::SyncActiveLocked() {
  auto t0 = std::chrono::steady_clock::now();
  Status s = writer_->Sync();
  fsyncs_->Add();
  fsync_latency_us_->Set(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  if (!s.ok()) {
    EnterFailed(s, nullptr);
    return failure_;
  }
  durable_ = written_;
  PublishVisible(active_, written_extent_);
  return OkStatus();
}

// Seals the active segment (fsync, sidecar) and starts a new one at the next counter.
Status ShardLog::Roll() {
  RETURN_IF_ERROR(SyncActiveLocked());
  Status s = active_->WriteSidecar(options_.env, writer_->size());
  if (!s.ok()) {
    // The sidecar is an optimisation: recovery rebuilds a missing one by scanning.
    LOG_WARN("engine", "cannot write time index sidecar",
             {{"path", active_->tix_path()}, {"error", s.ToString()}});
  }
  const int64_t created = std::max(options_.clock->Now().value(), last_arrival_);
  RETURN_IF_ERROR(OpenNewSegment(written_, created));
  last_arrival_ = created;
  return OkStatus();
}

Status ShardLog::OpenNewSegment(uint64_t base, int64_t created_ms) {
  const std::string path = SegmentPath(options_.dir, base, format::kSegmentExtension);
  ASSIGN_OR_RETURN(std::unique_ptr<SegmentWriter> writer,
                   SegmentWriter::Create(options_.env, path, base, created_ms));
  RETURN_IF_ERROR(options_.env->SyncDir(options_.dir));
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, options_.env->NewRandomAccessFile(path));
  const SegmentExtent empty{base, format::kSegmentHeaderSize, 0, 0};
  auto seg = std::make_shared<Segment>(path, base, created_ms,
                                       std::shared_ptr<RandomAccessFile>(std::move(file)),
                                       index::TimeIndex(base, created_ms), empty);
  writer_ = std::move(writer);
  active_ = seg;
  written_extent_ = empty;
  auto list = std::make_shared<SegmentList>(*Snapshot());
  list->push_back(std::move(seg));
  SetSegments(std::move(list));
  return OkStatus();
}

void ShardLog::PublishVisible(const std::shared_ptr<Segment>& seg, const SegmentExtent& ext) {
  seg->Publish(ext);
  if (ext.end_counter > visible_.load(std::memory_order_relaxed)) {
    visible_arrival_.store(ext.last_time_ms, std::memory_order_relaxed);
    visible_.store(ext.end_counter, std::memory_order_release);
  }
}

void ShardLog::EnterFailed(const Status& cause, Completions* out) {
  if (state_ != State::kFailed) {
    state_ = State::kFailed;
    failure_ = InternalError("fsync failed: " + cause.message());
    LOG_ERROR("engine", "fsync failed; shard refuses writes until restart",
              {{"stream", options_.stream_name},
               {"shard", options_.index.value()},
               {"error", cause.ToString()},
               {"unacknowledged", waiters_.size()}});
  }
  if (out == nullptr) return;
  while (!waiters_.empty()) {
    out->emplace_back(std::move(waiters_.front()), failure_);
    waiters_.pop_front();
  }
}

void ShardLog::TakeReady(Completions* out) {
  const uint64_t visible = visible_.load(std::memory_order_relaxed);
  while (!waiters_.empty() && waiters_.front().end <= visible) {
    out->emplace_back(std::move(waiters_.front()), OkStatus());
    waiters_.pop_front();
  }
}

void ShardLog::Complete(Completions* done) {
  for (auto& [w, s] : *done) {
    if (s.ok()) {
      records_in_->Add(w.count);
      bytes_in_->Add(w.bytes);
    }
    w.done(s, w.first, w.arrival);
  }
  done->clear();
}

void ShardLog::ServiceSync() {
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  Completions ready;
  std::shared_ptr<WritableFile> file;
  std::shared_ptr<Segment> seg;
  SegmentExtent ext;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (state_ == State::kFailed) EnterFailed(failure_, &ready);
    TakeReady(&ready);
    const bool requested = sync_requested_.exchange(false, std::memory_order_acq_rel);
    if ((state_ == State::kOk || state_ == State::kReadOnly) && written_ > durable_ &&
        (policy_.kind == FsyncPolicy::Kind::kAlways || requested)) {
      file = writer_->file_for_sync();
      seg = active_;
      ext = written_extent_;
    }
  }
  if (file) {
    // Everything written before this point is covered by this one fsync (group commit).
    auto t0 = std::chrono::steady_clock::now();
    Status s = file->Sync();
    fsyncs_->Add();
    fsync_latency_us_->Set(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count());
    std::lock_guard<std::mutex> l(mu_);
    if (!s.ok()) {
      EnterFailed(s, &ready);
    } else if (state_ != State::kFailed) {
      durable_ = std::max(durable_, ext.end_counter);
      if (policy_.kind == FsyncPolicy::Kind::kAlways) PublishVisible(seg, ext);
      TakeReady(&ready);
    }
  }
  Complete(&ready);
  FireWatchersIfMoved();
}

void ShardLog::FireWatchersIfMoved() {
  const uint64_t v = visible_.load(std::memory_order_acquire);
  std::vector<WatchFn> fns;
  {
    std::lock_guard<std::mutex> l(watch_mu_);
    if (v <= notified_visible_) return;
    notified_visible_ = v;
    fns.reserve(watchers_.size());
    for (auto& [id, fn] : watchers_) fns.push_back(fn);
  }
  for (auto& fn : fns) fn();
}

void ShardLog::AddWatcher(uint64_t id, WatchFn fn) {
  std::lock_guard<std::mutex> l(watch_mu_);
  watchers_[id] = std::move(fn);
}

void ShardLog::RemoveWatcher(uint64_t id) {
  std::lock_guard<std::mutex> l(watch_mu_);
  watchers_.erase(id);
}

void ShardLog::SetPolicy(FsyncPolicy policy) {
  {
    std::lock_guard<std::mutex> l(mu_);
    policy_ = policy;
    if (policy.kind != FsyncPolicy::Kind::kAlways && state_ == State::kOk) {
      PublishVisible(active_, written_extent_);
    }
  }
  options_.syncer->SetPeriodic(
      shared_from_this(), policy.kind == FsyncPolicy::Kind::kInterval ? policy.interval_ms : 0);
  options_.syncer->Schedule(shared_from_this());
}

Status ShardLog::Close() {
  options_.syncer->SetPeriodic(shared_from_this(), 0);
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  Completions ready;
  Status s;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (state_ == State::kClosed) return OkStatus();
    if ((state_ == State::kOk || state_ == State::kReadOnly) && written_ > durable_)
      s = SyncActiveLocked();
    if (state_ == State::kFailed) EnterFailed(failure_, &ready);
    TakeReady(&ready);
    for (Waiter& w : waiters_) ready.emplace_back(std::move(w), CancelledError("shard closed"));
    waiters_.clear();
    state_ = State::kClosed;
    writer_.reset();
  }
  Complete(&ready);
  FireWatchersIfMoved();
  return s;
}

}  // namespace sluice::engine

// SPDX-License-Identifier: Apache-2.0
// ShardLog: the append-only log of one shard, a list of segment files <base counter>.log with
// sidecar time indexes. Appends, reads by counter and time, recovery, retention and the
// group-commit half that runs on the Syncer. The layer above (EmbeddedStore) routes records to
// shards.
//
// Offsets (redpanda's dirty/stable/committed): counters below `appended_` are encoded, below
// `written_` are in the file (write(2) returned), below `durable_` are fsynced, and readers see
// those below `visible_`. Invariant: durable_ <= written_ <= appended_, and visible_ == durable_
// under the "always" policy, == written_ under interval/never.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/env.h"
#include "base/metrics.h"
#include "base/thread_annotations.h"
#include "engine/segment.h"
#include "engine/segment_writer.h"
#include "engine/sequence_number.h"
#include "engine/syncer.h"
#include "engine/types.h"

namespace sluice::engine {

struct ShardLogOptions {
  Env* env = nullptr;        // not owned; outlives the log
  Clock* clock = nullptr;    // not owned; outlives the log
  Syncer* syncer = nullptr;  // not owned; outlives the log
  std::string dir;           // <data>/streams/<id>/shard-<index>
  std::string stream_name;   // for metrics labels and logs
  ShardIndex index;
  TimestampMs created;  // shard creation time (sequence numbers)
  uint64_t segment_bytes = 64ull << 20;
  int64_t segment_max_age_ms = 60 * 60 * 1000;
  FsyncPolicy policy;
};

// Lifecycle: Open() (recovers or creates the directory) -> Append/Read/... from any thread ->
// Close(). Concurrency: one append at a time under mu_ (the single writer); readers take only short
// locks to copy a segment snapshot and never wait for file I/O done under mu_. Sync work runs on
// the Syncer's threads under sync_mu_ (lock order: sync_mu_ before mu_).
class ShardLog : public SyncClient, public std::enable_shared_from_this<ShardLog> {
 public:
  // Called once per Append, from a Syncer thread: the first counter and the arrival time given to
  // the records (record i got first + i), or why none of them was stored.
  using AppendDone = std::function<void(const Status& status, uint64_t first, int64_t arrival)>;

  static Result<std::shared_ptr<ShardLog>> Open(const ShardLogOptions& options);
  ~ShardLog() override;

  // Encodes and writes the records as one group (one write(2)), then queues `done` until they are
  // acknowledgeable under the policy. Errors: Unavailable (shard failed or read-only), Cancelled
  // (closed), ResourceExhausted (disk full), Internal (other write errors), InvalidArgument.
  void Append(std::span<const RecordInput* const> records, AppendDone done) EXCLUDES(mu_);

  Result<ReadBatch> Read(EntryCounter from, const ReadLimits& limits) const;
  EntryCounter TrimHorizon() const;
  EntryCounter Tip() const { return EntryCounter(visible_.load(std::memory_order_acquire)); }
  Result<EntryCounter> AtTimestamp(TimestampMs t) const;
  const SequenceNumberCodec& codec() const { return codec_; }
  ShardIndex index() const { return options_.index; }

  // Deletes sealed segments whose last arrival is before cutoff_ms; rolls the active segment
  // first when all of it has expired. Returns the number of segments deleted.
  Result<int> ApplyRetention(int64_t cutoff_ms) EXCLUDES(mu_);
  void SetPolicy(FsyncPolicy policy) EXCLUDES(mu_);

  using WatchFn = std::function<void()>;
  void AddWatcher(uint64_t id, WatchFn fn);
  void RemoveWatcher(uint64_t id);

  // Fsyncs what is written, completes every acknowledgement, and makes later calls fail with
  // Cancelled. Idempotent.
  Status Close() EXCLUDES(mu_);

  // SyncClient (called by the Syncer).
  void ServiceSync() override EXCLUDES(mu_);
  void RequestSync() override { sync_requested_.store(true, std::memory_order_release); }

 private:
  enum class State { kOk, kReadOnly, kFailed, kClosed };
  struct Waiter {
    uint64_t end;  // acknowledgeable once visible_ >= end
    uint64_t first;
    int64_t arrival;
    uint64_t count;  // records, for metrics on acknowledgement
    uint64_t bytes;  // data + key bytes
    AppendDone done;
  };
  using SegmentList = std::vector<std::shared_ptr<Segment>>;
  using Completions = std::vector<std::pair<Waiter, Status>>;

  explicit ShardLog(const ShardLogOptions& options);
  // shard_recovery.cc
  Status Recover() EXCLUDES(mu_);
  Result<std::shared_ptr<Segment>> OpenSealed(uint64_t base, uint64_t next_base);
  Status RecoverActive(uint64_t base, SegmentList* list) REQUIRES(mu_);

  // shard_log.cc
  bool NeedsRoll(size_t records, int64_t arrival) const REQUIRES(mu_);
  Status Roll() REQUIRES(mu_);
  Status SyncActiveLocked() REQUIRES(mu_);
  Status OpenNewSegment(uint64_t base, int64_t created_ms) REQUIRES(mu_);
  Status StateError() const REQUIRES(mu_);
  void PublishVisible(const std::shared_ptr<Segment>& seg, const SegmentExtent& ext) REQUIRES(mu_);
  void EnterFailed(const Status& cause, Completions* out) REQUIRES(mu_);
  void TakeReady(Completions* out) REQUIRES(mu_);
  void Complete(Completions* done);
  void FireWatchersIfMoved();
  std::shared_ptr<const SegmentList> Snapshot() const;
  void SetSegments(std::shared_ptr<const SegmentList> list);
  void FailLater(AppendDone done, Status s);

  // Constant after construction.
  const ShardLogOptions options_;
  const SequenceNumberCodec codec_;
  Counter* const records_in_;
  Counter* const bytes_in_;
  Counter* const records_out_;  // the counters are atomics; reads bump them
  Counter* const bytes_out_;
  Counter* const fsyncs_;
  Gauge* const fsync_latency_us_;

  // The writer's state.
  mutable std::mutex mu_;
  State state_ GUARDED_BY(mu_) = State::kOk;
  Status failure_ GUARDED_BY(mu_);
  FsyncPolicy policy_ GUARDED_BY(mu_);
  std::unique_ptr<SegmentWriter> writer_ GUARDED_BY(mu_);
  std::shared_ptr<Segment> active_ GUARDED_BY(mu_);
  SegmentExtent written_extent_ GUARDED_BY(mu_);  // of the active segment
  uint64_t appended_ GUARDED_BY(mu_) = 0;
  uint64_t written_ GUARDED_BY(mu_) = 0;
  uint64_t durable_ GUARDED_BY(mu_) = 0;
  int64_t last_arrival_ GUARDED_BY(mu_) = 0;
  std::deque<Waiter> waiters_ GUARDED_BY(mu_);
  std::string encode_buf_ GUARDED_BY(mu_);
  std::vector<uint64_t> entry_ends_ GUARDED_BY(mu_);

  // Serialises ServiceSync runs (an fsync in flight) against each other and Close.
  std::mutex sync_mu_;
  std::atomic<bool> sync_requested_{false};

  // What readers use: a segment list snapshot and the visible tip.
  mutable std::mutex view_mu_;
  std::shared_ptr<const SegmentList> segments_ GUARDED_BY(view_mu_);
  std::atomic<uint64_t> visible_{0};
  std::atomic<int64_t> visible_arrival_{0};

  std::mutex watch_mu_;
  std::map<uint64_t, WatchFn> watchers_ GUARDED_BY(watch_mu_);
  uint64_t notified_visible_ GUARDED_BY(watch_mu_) = 0;
};

}  // namespace sluice::engine

// SPDX-License-Identifier: Apache-2.0
// StreamStore: the core data-stream engine's public interface. Streams of shards, appends routed by
// hash key, reads by entry counter, time and sequence lookups, tail watches. Everything above the
// engine (ingest, consumers, web) talks to this interface only, so that a second storage backend
// (e.g. a replicated one) fits behind it without touching them. OpenEmbeddedStore() gives the
// default backend: segmented logs on the local disk plus a SQLite catalog.
//
// Thread-safety: every method may be called from any thread concurrently. Put/PutToShard never block
// on fsync: they return at once and call `done` from an engine thread when the records are durable.
// Visibility: readers see an entry only once it is acknowledgeable (durable under the stream's
// fsync policy); no reader ever sees an entry that could still be lost or renumbered.
//
// Example:
//   ASSIGN_OR_RETURN(auto store, engine::OpenEmbeddedStore({.data_dir = "./data"}));
//   ASSIGN_OR_RETURN(auto info, store->CreateStream({.name = "orders", .shard_count = 4}));
//   store->Put("orders", {{.partition_key = "user1", .data = "hello"}},
//              [](engine::PutResults r) { /* r[0]->sequence_number */ });
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/env.h"
#include "base/result.h"
#include "engine/types.h"

namespace sluice::engine {

struct ReadRequest {
  std::string stream;
  // When set, the read fails with NotFound unless the stream still has this id (guards against a
  // stream deleted and re-created under the same name while an iterator was held).
  std::optional<StreamId> expected_id;
  ShardIndex shard;
  EntryCounter from;
  ReadLimits limits;
};

using WatchId = uint64_t;

class StreamStore {
 public:
  virtual ~StreamStore() = default;

  // --- streams -------------------------------------------------------------------------------
  // AlreadyExists if the name is taken; InvalidArgument for a bad name, shard count or retention;
  // ResourceExhausted past the shard limit. Returns the stream as created (status ACTIVE once its
  // shards exist on disk; it passes through CREATING in the catalog).
  virtual Result<StreamInfo> CreateStream(const StreamConfig& config) = 0;
  // Marks the stream DELETING and removes its data. NotFound if absent.
  virtual Status DeleteStream(std::string_view name) = 0;
  virtual Result<StreamInfo> DescribeStream(std::string_view name) = 0;
  // All streams ordered by name (shards included).
  virtual std::vector<StreamInfo> ListStreams() = 0;
  // Finds a stream by its ARN; NotFound if none.
  virtual Result<std::string> StreamNameForArn(std::string_view arn) = 0;

  virtual Status SetRetentionHours(std::string_view name, int hours) = 0;
  virtual Status AddTags(std::string_view name, const std::map<std::string, std::string>& tags) = 0;
  virtual Status RemoveTags(std::string_view name, const std::vector<std::string>& keys) = 0;
  virtual Status SetShardLevelMetrics(std::string_view name,
                                      const std::vector<std::string>& metrics) = 0;
  virtual Status SetSettingsJson(std::string_view name, std::string settings_json) = 0;
  virtual Status SetFsyncPolicy(std::string_view name, FsyncPolicy policy) = 0;
  // Total open shards over all streams, and the limit CreateStream enforces.
  virtual uint32_t OpenShardCount() = 0;
  virtual uint32_t ShardLimit() const = 0;

  // --- writes --------------------------------------------------------------------------------
  // Routes each record to the open shard whose hash range holds its hash key and appends it.
  // `done` gets one result per record, in input order. Records for one shard keep their input
  // order. Errors for the whole call (unknown stream) also arrive through `done`.
  virtual void Put(std::string_view stream, std::vector<RecordInput> records, PutDone done) = 0;
  // Appends to one given shard, ignoring hash keys (video: one device, one shard).
  virtual void PutToShard(std::string_view stream, ShardIndex shard,
                          std::vector<RecordInput> records, PutDone done) = 0;

  // --- reads ---------------------------------------------------------------------------------
  // Reads visible entries starting at request.from (which may be before the trim horizon: the read
  // then starts at the first retained entry). Never blocks on writers.
  virtual Result<ReadBatch> Read(const ReadRequest& request) = 0;
  // The first retained entry of the shard (TRIM_HORIZON).
  virtual Result<EntryCounter> TrimHorizon(std::string_view stream, ShardIndex shard) = 0;
  // One past the last visible entry (LATEST).
  virtual Result<EntryCounter> Tip(std::string_view stream, ShardIndex shard) = 0;
  // The first entry whose arrival time is >= t, found through the time index (AT_TIMESTAMP);
  // the tip if none.
  virtual Result<EntryCounter> AtTimestamp(std::string_view stream, ShardIndex shard,
                                           TimestampMs t) = 0;
  // Parses a wire sequence number of this stream's shard back to its counter. InvalidArgument if
  // it is malformed or belongs to another shard or stream.
  virtual Result<EntryCounter> CounterForSequenceNumber(std::string_view stream, ShardIndex shard,
                                                        std::string_view sequence_number) = 0;

  // Calls on_data (from an engine thread, without locks held) whenever the shard's visible tip
  // moves. Keep it cheap: wake a waiter, post to an executor.
  virtual Result<WatchId> WatchShard(std::string_view stream, ShardIndex shard,
                                     std::function<void()> on_data) = 0;
  virtual void Unwatch(WatchId id) = 0;

  // Flushes and closes every shard; later calls fail with Cancelled. Idempotent.
  virtual Status Close() = 0;
};

struct EmbeddedStoreOptions {
  std::string data_dir = "./data";
  Env* env = nullptr;      // null: PosixEnv(). Not owned; must outlive the store.
  Clock* clock = nullptr;  // null: SystemClock(). Not owned; must outlive the store.
  uint64_t segment_bytes = 64ull << 20;             // roll a segment past this size
  int64_t segment_max_age_ms = 60 * 60 * 1000;      // ... or once its first entry is this old
  int64_t retention_check_interval_ms = 60 * 1000;  // background retention sweep period
  uint32_t shard_limit = 500;                       // open shards over all streams
  int sync_threads = 4;                             // group-commit fsync workers
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
};

// Opens (creating if needed) the embedded store under options.data_dir, recovering every shard:
// complete entries are kept, a torn tail is truncated.
Result<std::unique_ptr<StreamStore>> OpenEmbeddedStore(const EmbeddedStoreOptions& options);

}  // namespace sluice::engine

// SPDX-License-Identifier: Apache-2.0
// EmbeddedStore: the default StreamStore backend — a SQLite catalog (index::Catalog) plus one
// ShardLog per shard under <data>/streams/<stream id>/shard-<index>/. This class owns the map of
// streams, routes records to shards and runs the retention thread; the log itself is ShardLog's.
// Files: embedded_store.cc (open/close/retention/watches), stream_admin.cc (create/delete/describe
// and settings), store_io.cc (puts and reads), catalog_rows.cc (rows <-> StreamInfo).
// Example (tests): EmbeddedStore* s = ...; clock.Advance(25 * 3600 * 1000); s->RunRetentionOnce();
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/thread_annotations.h"
#include "engine/routing.h"
#include "engine/shard_log.h"
#include "engine/stream_store.h"
#include "engine/syncer.h"
#include "index/catalog.h"

namespace sluice::engine {

class EmbeddedStore final : public StreamStore {
 public:
  static Result<std::unique_ptr<EmbeddedStore>> Open(const EmbeddedStoreOptions& options);
  ~EmbeddedStore() override;

  Result<StreamInfo> CreateStream(const StreamConfig& config) override;
  Status DeleteStream(std::string_view name) override;
  Result<StreamInfo> DescribeStream(std::string_view name) override;
  std::vector<StreamInfo> ListStreams() override;
  Result<std::string> StreamNameForArn(std::string_view arn) override;
  Status SetRetentionHours(std::string_view name, int hours) override;
  Status AddTags(std::string_view name, const std::map<std::string, std::string>& tags) override;
  Status RemoveTags(std::string_view name, const std::vector<std::string>& keys) override;
  Status SetShardLevelMetrics(std::string_view name,
                              const std::vector<std::string>& metrics) override;
  Status SetSettingsJson(std::string_view name, std::string settings_json) override;
  Status SetFsyncPolicy(std::string_view name, FsyncPolicy policy) override;
  uint32_t OpenShardCount() override;
  uint32_t ShardLimit() const override { return options_.shard_limit; }

  void Put(std::string_view stream, std::vector<RecordInput> records, PutDone done) override;
  void PutToShard(std::string_view stream, ShardIndex shard, std::vector<RecordInput> records,
                  PutDone done) override;

  Result<ReadBatch> Read(const ReadRequest& request) override;
  Result<EntryCounter> TrimHorizon(std::string_view stream, ShardIndex shard) override;
  Result<EntryCounter> Tip(std::string_view stream, ShardIndex shard) override;
  Result<EntryCounter> AtTimestamp(std::string_view stream, ShardIndex shard,
                                   TimestampMs t) override;
  Result<EntryCounter> CounterForSequenceNumber(std::string_view stream, ShardIndex shard,
                                                std::string_view sequence_number) override;
  Result<WatchId> WatchShard(std::string_view stream, ShardIndex shard,
                             std::function<void()> on_data) override;
  void Unwatch(WatchId id) override;
  Status Close() override;

  // One retention sweep over every stream now (the background thread calls this periodically).
  Status RunRetentionOnce();

 private:
  // One stream's in-memory state. `info` is replaced whole under the store's mu_; shards and the
  // router are fixed once the stream is open (no resharding yet).
  struct Stream {
    StreamInfo info;
    std::vector<std::shared_ptr<ShardLog>> shards;  // by shard index
    std::shared_ptr<const Router> router;
  };

  explicit EmbeddedStore(const EmbeddedStoreOptions& options);
  // embedded_store.cc
  Status Load();
  void RetentionLoop();
  Result<std::shared_ptr<Stream>> FindStream(std::string_view name) const EXCLUDES(mu_);
  Result<std::shared_ptr<ShardLog>> FindShard(std::string_view stream, ShardIndex shard) const;
  std::string StreamDir(StreamId id) const;
  ShardLogOptions ShardOptions(const StreamInfo& info, const ShardInfo& shard) const;
  Result<std::shared_ptr<Stream>> OpenStream(StreamInfo info);
  // stream_admin.cc
  Status ValidateConfig(const StreamConfig& config) const;
  Result<TimestampMs> NextShardCreationTime() REQUIRES(admin_mu_);
  Status UpdateInfo(std::string_view name, const std::function<Status(StreamInfo*)>& mutate);
  Status RemoveStreamData(const StreamInfo& info);
  // store_io.cc
  void PutRouted(std::shared_ptr<Stream> stream, std::vector<RecordInput> records,
                 std::optional<ShardIndex> only_shard, PutDone done);
  void FailWhole(size_t n, const Status& s, PutDone done);

  // Constant after construction.
  const EmbeddedStoreOptions options_;
  Env* const env_;
  Clock* const clock_;
  std::unique_ptr<index::Catalog> catalog_;
  std::unique_ptr<Syncer> syncer_;

  // Serialises catalog-changing operations (create, delete, settings) against each other.
  std::mutex admin_mu_;
  int64_t last_shard_created_ms_ GUARDED_BY(admin_mu_) = 0;

  // Guards the stream map and every Stream::info; held only briefly (no I/O under it).
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Stream>, std::less<>> streams_ GUARDED_BY(mu_);
  std::map<WatchId, std::weak_ptr<ShardLog>> watches_ GUARDED_BY(mu_);
  WatchId next_watch_ GUARDED_BY(mu_) = 1;
  std::atomic<bool> closed_{false};

  std::mutex retention_mu_;
  std::condition_variable retention_cv_;
  bool stop_retention_ GUARDED_BY(retention_mu_) = false;
  std::thread retention_thread_;
};

}  // namespace sluice::engine

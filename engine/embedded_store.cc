// SPDX-License-Identifier: Apache-2.0
// EmbeddedStore lifecycle: open (catalog load, shard recovery, unfinished create/delete), the
// retention thread, watches and close.
#include "engine/embedded_store.h"

#include <charconv>
#include <set>

#include "base/log.h"
#include "base/metrics.h"
#include "engine/catalog_rows.h"

namespace sluice::engine {

Result<std::unique_ptr<StreamStore>> OpenEmbeddedStore(const EmbeddedStoreOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<EmbeddedStore> store, EmbeddedStore::Open(options));
  return std::unique_ptr<StreamStore>(std::move(store));
}

EmbeddedStore::EmbeddedStore(const EmbeddedStoreOptions& options)
    : options_(options),
      env_(options.env != nullptr ? options.env : PosixEnv()),
      clock_(options.clock != nullptr ? options.clock : SystemClock()) {}

EmbeddedStore::~EmbeddedStore() { Close().IgnoreError(); }

Result<std::unique_ptr<EmbeddedStore>> EmbeddedStore::Open(const EmbeddedStoreOptions& options) {
  std::unique_ptr<EmbeddedStore> store(new EmbeddedStore(options));
  RETURN_IF_ERROR(store->env_->CreateDirs(options.data_dir + "/streams"));
  ASSIGN_OR_RETURN(store->catalog_, index::Catalog::Open(options.data_dir + "/catalog.db"));
  store->syncer_ = std::make_unique<Syncer>(options.sync_threads);
  Status s = store->Load();
  if (!s.ok()) {
    store->Close().IgnoreError();
    return s;
  }
  if (options.retention_check_interval_ms > 0) {
    store->retention_thread_ = std::thread([s = store.get()] { s->RetentionLoop(); });
  }
  return store;
}

std::string EmbeddedStore::StreamDir(StreamId id) const {
  return options_.data_dir + "/streams/" + std::to_string(id.value());
}

ShardLogOptions EmbeddedStore::ShardOptions(const StreamInfo& info, const ShardInfo& shard) const {
  ShardLogOptions o;
  o.env = env_;
  o.clock = clock_;
  o.syncer = syncer_.get();
  o.dir = StreamDir(info.id) + "/shard-" + std::to_string(shard.index.value());
  o.stream_name = info.name;
  o.index = shard.index;
  o.created = shard.created;
  o.segment_bytes = options_.segment_bytes;
  o.segment_max_age_ms = options_.segment_max_age_ms;
  o.policy = info.fsync;
  return o;
}

Result<std::shared_ptr<EmbeddedStore::Stream>> EmbeddedStore::OpenStream(StreamInfo info) {
  auto stream = std::make_shared<Stream>();
  for (const ShardInfo& shard : info.shards) {
    if (shard.index.value() != stream->shards.size()) {
      return DataLossError("stream " + info.name + ": shard indexes are not dense");
    }
    Result<std::shared_ptr<ShardLog>> log = ShardLog::Open(ShardOptions(info, shard));
    if (!log.ok()) {
      for (auto& open : stream->shards) open->Close().IgnoreError();
      return log.status();
    }
    stream->shards.push_back(std::move(*log));
  }
  stream->router = std::make_shared<const Router>(info.shards);
  stream->info = std::move(info);
  return stream;
}

// Loads every stream of the catalog and recovers its shards. A stream caught mid-create is
// finished (its shards are created now); one caught mid-delete is deleted.
Status EmbeddedStore::Load() {
  std::lock_guard<std::mutex> admin(admin_mu_);
  if (auto last = catalog_->GetSetting("engine.last_shard_created_ms"); last.ok() && *last) {
    std::from_chars((*last)->data(), (*last)->data() + (*last)->size(), last_shard_created_ms_);
  }
  ASSIGN_OR_RETURN(std::vector<index::StreamRow> rows, catalog_->LoadStreams());
  std::set<std::string> known_dirs;
  for (const index::StreamRow& row : rows) {
    ASSIGN_OR_RETURN(std::vector<index::ShardRow> shard_rows, catalog_->LoadShards(row.id));
    ASSIGN_OR_RETURN(StreamInfo info, StreamInfoFromRows(row, shard_rows));
    for (const ShardInfo& s : info.shards) {
      last_shard_created_ms_ = std::max(last_shard_created_ms_, s.created.value());
    }
    if (info.status == StreamStatus::kDeleting) {
      LOG_INFO("engine", "finishing an interrupted stream deletion", {{"stream", info.name}});
      RETURN_IF_ERROR(RemoveStreamData(info));
      continue;
    }
    known_dirs.insert(std::to_string(info.id.value()));
    const bool creating = info.status == StreamStatus::kCreating;
    if (creating) info.status = StreamStatus::kActive;
    ASSIGN_OR_RETURN(std::shared_ptr<Stream> stream, OpenStream(std::move(info)));
    if (creating) {
      LOG_INFO("engine", "finished an interrupted stream creation", {{"stream", row.name}});
      RETURN_IF_ERROR(catalog_->UpdateStream(StreamRowFromInfo(stream->info)));
    }
    std::lock_guard<std::mutex> l(mu_);
    streams_[stream->info.name] = std::move(stream);
  }
  // Folders of streams the catalog no longer knows (a deletion that removed the rows but not
  // every file) hold nothing anyone can reach.
  Result<std::vector<std::string>> dirs = env_->ListDir(options_.data_dir + "/streams");
  if (dirs.ok()) {
    for (const std::string& d : *dirs) {
      if (known_dirs.count(d) || d.find_first_not_of("0123456789") != std::string::npos) continue;
      LOG_WARN("engine", "removing the folder of a deleted stream", {{"dir", d}});
      env_->RemoveDirRecursively(options_.data_dir + "/streams/" + d).IgnoreError();
    }
  }
  return OkStatus();
}

Result<std::shared_ptr<EmbeddedStore::Stream>> EmbeddedStore::FindStream(
    std::string_view name) const {
  if (closed_.load(std::memory_order_acquire)) return CancelledError("the stream store is closed");
  std::lock_guard<std::mutex> l(mu_);
  auto it = streams_.find(name);
  if (it == streams_.end()) return NotFoundError("stream " + std::string(name) + " not found");
  return it->second;
}

Result<std::shared_ptr<ShardLog>> EmbeddedStore::FindShard(std::string_view stream,
                                                           ShardIndex shard) const {
  ASSIGN_OR_RETURN(std::shared_ptr<Stream> s, FindStream(stream));
  if (shard.value() >= s->shards.size()) {
    return NotFoundError("shard " + FormatShardId(shard) + " not found in stream " +
                         std::string(stream));
  }
  return s->shards[shard.value()];
}

Status EmbeddedStore::RunRetentionOnce() {
  std::vector<std::pair<int64_t, std::shared_ptr<ShardLog>>> work;
  {
    if (closed_.load()) return CancelledError("the stream store is closed");
    std::lock_guard<std::mutex> l(mu_);
    const int64_t now = clock_->Now().value();
    for (auto& [name, stream] : streams_) {
      // A video stream with 0 hours ("not persisted" in KVS) still keeps a short window.
      const int64_t keep_ms = stream->info.retention_hours > 0
                                  ? int64_t{stream->info.retention_hours} * 3600 * 1000
                                  : kUnpersistedRetentionMs;
      const int64_t cutoff = now - keep_ms;
      for (auto& shard : stream->shards) work.emplace_back(cutoff, shard);
    }
  }
  Status first;
  for (auto& [cutoff, shard] : work) {
    Result<int> r = shard->ApplyRetention(cutoff);
    if (!r.ok() && r.status().code() != StatusCode::kCancelled && first.ok()) first = r.status();
  }
  return first;
}

void EmbeddedStore::RetentionLoop() {
  std::unique_lock<std::mutex> l(retention_mu_);
  const auto period = std::chrono::milliseconds(options_.retention_check_interval_ms);
  while (!retention_cv_.wait_for(l, period, [&] { return stop_retention_; })) {
    l.unlock();
    Status s = RunRetentionOnce();
    if (!s.ok()) LOG_WARN("engine", "retention sweep failed", {{"error", s.ToString()}});
    l.lock();
  }
}

Result<WatchId> EmbeddedStore::WatchShard(std::string_view stream, ShardIndex shard,
                                          std::function<void()> on_data) {
  ASSIGN_OR_RETURN(std::shared_ptr<ShardLog> log, FindShard(stream, shard));
  WatchId id;
  {
    std::lock_guard<std::mutex> l(mu_);
    id = next_watch_++;
    watches_[id] = log;
  }
  log->AddWatcher(id, std::move(on_data));
  return id;
}

void EmbeddedStore::Unwatch(WatchId id) {
  std::shared_ptr<ShardLog> log;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = watches_.find(id);
    if (it == watches_.end()) return;
    log = it->second.lock();
    watches_.erase(it);
  }
  if (log) log->RemoveWatcher(id);
}

Status EmbeddedStore::Close() {
  if (closed_.exchange(true)) return OkStatus();
  {
    std::lock_guard<std::mutex> l(retention_mu_);
    stop_retention_ = true;
    retention_cv_.notify_all();
  }
  if (retention_thread_.joinable()) retention_thread_.join();
  std::lock_guard<std::mutex> admin(admin_mu_);  // waits for a create/delete in progress
  std::vector<std::shared_ptr<ShardLog>> shards;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [name, stream] : streams_) {
      shards.insert(shards.end(), stream->shards.begin(), stream->shards.end());
    }
  }
  Status first;
  for (auto& shard : shards) {
    Status s = shard->Close();
    if (!s.ok() && first.ok()) first = s;
  }
  if (syncer_) syncer_->Stop();  // delivers every callback still queued
  return first;
}

}  // namespace sluice::engine

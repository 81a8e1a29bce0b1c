// SPDX-License-Identifier: Apache-2.0
// Catalog: the transactional record of what exists — streams, their shards and settings — kept in
// SQLite (WAL mode, synchronous=FULL) at <data>/catalog.db. Every mutation is one transaction, so a
// crash leaves either the old or the new state. Later modules add their own tables here (fragment
// index, consumer leases and checkpoints) through the same connection.
// Rows use base types only: the index layer knows nothing of the engine's classes.
// Thread-safety: all methods are safe to call concurrently (one connection behind a mutex).
// Example:
//   ASSIGN_OR_RETURN(auto catalog, index::Catalog::Open(data_dir + "/catalog.db"));
//   ASSIGN_OR_RETURN(StreamId id, catalog->InsertStream(row, shards));
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/ids.h"
#include "base/result.h"

// SQLite's connection type, declared at global scope so that `struct sqlite3` below names the
// real ::sqlite3 rather than declaring a new sluice::index::sqlite3.
struct sqlite3;

namespace sluice::index {

struct StreamRow {
  StreamId id;  // assigned by InsertStream; never reused
  std::string name;
  std::string arn;
  int kind = 0;    // engine::StreamKind as int
  int mode = 0;    // engine::StreamMode as int
  int status = 0;  // engine::StreamStatus as int
  int retention_hours = 24;
  int64_t created_ms = 0;
  std::string fsync_policy = "always";
  uint64_t max_record_bytes = 1 << 20;
  std::string tags_json = "{}";     // {"key":"value",...}
  std::string metrics_json = "[]";  // enhanced monitoring metric names
  std::string encryption_type = "NONE";
  std::string key_id;
  std::string settings_json = "{}";
};

struct ShardRow {
  StreamId stream;
  ShardIndex index;
  std::optional<ShardIndex> parent;
  std::optional<ShardIndex> adjacent_parent;
  std::string hash_start;  // decimal 128-bit
  std::string hash_end;    // decimal 128-bit
  int64_t created_ms = 0;
  std::optional<uint64_t> ending_counter;  // set when closed
};

class Catalog {
 public:
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path);
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Inserts a stream and its shards in one transaction; returns the new id. AlreadyExists if a
  // stream of that name exists.
  Result<StreamId> InsertStream(const StreamRow& stream, const std::vector<ShardRow>& shards);
  // Rewrites every column of the stream row with this id. NotFound if absent.
  Status UpdateStream(const StreamRow& stream);
  // Removes the stream and its shards.
  Status DeleteStream(StreamId id);
  Result<std::vector<StreamRow>> LoadStreams();
  Result<std::vector<ShardRow>> LoadShards(StreamId id);
  // Inserts new shards and rewrites changed ones of one stream in one transaction (resharding).
  Status UpsertShards(const std::vector<ShardRow>& shards);

  // Small durable key/value settings (e.g. the server's iterator-signing secret).
  Result<std::optional<std::string>> GetSetting(const std::string& key);
  Status PutSetting(const std::string& key, const std::string& value);

  // Runs fn inside one transaction on the catalog's connection; for modules that own extra
  // tables. fn receives the raw sqlite3* handle and returns a Status; non-OK rolls back.
  Status Transaction(const std::function<Status(struct sqlite3*)>& fn);

 private:
  explicit Catalog(struct sqlite3* db);
  struct sqlite3* db_;  // owned
  std::mutex mu_;       // serialises use of db_
};

}  // namespace sluice::index

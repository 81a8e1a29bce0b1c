// SPDX-License-Identifier: Apache-2.0
// Catalog: streams, shards and settings in SQLite. Opens the database (WAL, synchronous=FULL,
// foreign keys on), migrates the schema by PRAGMA user_version, and runs every mutation as one
// transaction with prepared statements and bound parameters only.
//
// On-disk format (schema version 1; also described in index/README.md, "Catalog"):
//
//   catalog.db      := SQLite 3 database, journal_mode=WAL, PRAGMA user_version = 1
//   streams         := id INTEGER PRIMARY KEY AUTOINCREMENT   -- never reused, even after delete
//                      name TEXT NOT NULL UNIQUE, arn TEXT NOT NULL,
//                      kind, mode, status INTEGER NOT NULL     -- engine enums as int
//                      retention_hours INTEGER NOT NULL, created_ms INTEGER NOT NULL,
//                      fsync_policy TEXT NOT NULL, max_record_bytes INTEGER NOT NULL,
//                      tags_json, metrics_json, encryption_type, key_id, settings_json TEXT NOT
//                      NULL
//   shards          := stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
//                      shard_index INTEGER NOT NULL,
//                      parent, adjacent_parent INTEGER NULL    -- NULL when absent
//                      hash_start, hash_end TEXT NOT NULL      -- decimal 128-bit, inclusive
//                      created_ms INTEGER NOT NULL,
//                      ending_counter INTEGER NULL             -- NULL while the shard is open
//                      PRIMARY KEY (stream_id, shard_index)
//   settings        := key TEXT PRIMARY KEY, value TEXT NOT NULL
//
// Unsigned 64-bit columns (max_record_bytes, ending_counter) are stored as the int64 with the same
// bits; SQLite has no unsigned type and the cast round-trips exactly.
// Version bumps: each new version adds one step to kMigrations; a database newer than this binary
// is refused rather than misread.
#include "index/catalog.h"

#include "index/sqlite_util.h"

#include <sqlite3.h>

#include <iterator>
#include <string_view>
#include <type_traits>

namespace sluice::index {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;

// kMigrations[v] upgrades a database from version v to v + 1.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE streams (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  arn TEXT NOT NULL,
  kind INTEGER NOT NULL,
  mode INTEGER NOT NULL,
  status INTEGER NOT NULL,
  retention_hours INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  fsync_policy TEXT NOT NULL,
  max_record_bytes INTEGER NOT NULL,
  tags_json TEXT NOT NULL,
  metrics_json TEXT NOT NULL,
  encryption_type TEXT NOT NULL,
  key_id TEXT NOT NULL,
  settings_json TEXT NOT NULL
);
CREATE TABLE shards (
  stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
  shard_index INTEGER NOT NULL,
  parent INTEGER,
  adjacent_parent INTEGER,
  hash_start TEXT NOT NULL,
  hash_end TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  ending_counter INTEGER,
  PRIMARY KEY (stream_id, shard_index)
) WITHOUT ROWID;
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

constexpr const char* kStreamColumns =
    "name, arn, kind, mode, status, retention_hours, created_ms, fsync_policy, max_record_bytes, "
    "tags_json, metrics_json, encryption_type, key_id, settings_json";

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  return index::SqliteError(db, rc, "catalog", what);
}

// A prepared statement, finalized on destruction. Bind* use 1-based parameter indexes.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Status prepared() const {
    return rc_ == SQLITE_OK ? OkStatus() : SqliteError(db_, rc_, "prepare");
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }
  // NULL when absent; a strong id binds its value, an unsigned integer its int64 bits.
  template <typename T>
  void BindOptional(int i, const std::optional<T>& v) {
    if (!v) {
      BindNull(i);
    } else if constexpr (std::is_integral_v<T>) {
      Bind(i, static_cast<int64_t>(*v));
    } else {
      Bind(i, static_cast<int64_t>(v->value()));
    }
  }

  // Runs one step: true while a row is available, false when done.
  Result<bool> Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteError(db_, rc, "step");
  }
  // Runs a statement that returns no rows.
  Status Run() { return Step().status(); }
  int extended_error() const { return sqlite3_extended_errcode(db_); }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, col));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

Status Exec(sqlite3* db, const char* sql) { return SqliteExec(db, "catalog", sql); }

// Binds every StreamRow column except id at parameters 1..14 (the order of kStreamColumns).
void BindStream(Stmt& st, const StreamRow& s) {
  st.Bind(1, s.name);
  st.Bind(2, s.arn);
  st.Bind(3, int64_t{s.kind});
  st.Bind(4, int64_t{s.mode});
  st.Bind(5, int64_t{s.status});
  st.Bind(6, int64_t{s.retention_hours});
  st.Bind(7, s.created_ms);
  st.Bind(8, s.fsync_policy);
  st.Bind(9, static_cast<int64_t>(s.max_record_bytes));
  st.Bind(10, s.tags_json);
  st.Bind(11, s.metrics_json);
  st.Bind(12, s.encryption_type);
  st.Bind(13, s.key_id);
  st.Bind(14, s.settings_json);
}

// A unique-constraint failure on streams.name means the name is taken.
Status StreamWriteError(Stmt& st, Status s, const std::string& name) {
  if (st.extended_error() == SQLITE_CONSTRAINT_UNIQUE) {
    return AlreadyExistsError("stream " + name + " already exists");
  }
  return s;
}

// Writes one shard row. A new stream's shards are plain inserts (a repeated index is the caller's
// bug); resharding upserts, rewriting the row when (stream_id, shard_index) already exists.
Status WriteShard(sqlite3* db, const ShardRow& r, StreamId stream, bool upsert) {
  std::string sql =
      "INSERT INTO shards (stream_id, shard_index, parent, adjacent_parent, hash_start, hash_end, "
      "created_ms, ending_counter) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  if (upsert) {
    sql +=
        " ON CONFLICT (stream_id, shard_index) DO UPDATE SET parent = excluded.parent, "
        "adjacent_parent = excluded.adjacent_parent, hash_start = excluded.hash_start, "
        "hash_end = excluded.hash_end, created_ms = excluded.created_ms, "
        "ending_counter = excluded.ending_counter";
  }
  Stmt st(db, sql.c_str());
  RETURN_IF_ERROR(st.prepared());
  st.Bind(1, stream.value());
  st.Bind(2, int64_t{r.index.value()});
  st.BindOptional(3, r.parent);
  st.BindOptional(4, r.adjacent_parent);
  st.Bind(5, r.hash_start);
  st.Bind(6, r.hash_end);
  st.Bind(7, r.created_ms);
  st.BindOptional(8, r.ending_counter);
  Status s = st.Run();
  if (s.ok()) return s;
  if (st.extended_error() == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return NotFoundError("no stream with id " + std::to_string(stream.value()));
  }
  if (st.extended_error() == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return InvalidArgumentError("shard index " + std::to_string(r.index.value()) +
                                " given twice for stream " + std::to_string(stream.value()));
  }
  return s;
}

// Brings the schema to kSchemaVersion, one version per transaction.
Status Migrate(sqlite3* db) { return SqliteMigrate(db, "catalog", kMigrations); }

Status Configure(sqlite3* db) {
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  {
    Stmt st(db, "PRAGMA journal_mode = WAL");
    RETURN_IF_ERROR(st.prepared());
    ASSIGN_OR_RETURN(bool row, st.Step());
    std::string mode = row ? st.Text(0) : "";
    if (mode != "wal" && mode != "memory") {  // "memory" for ":memory:" databases
      return InternalError("catalog: cannot enable WAL journal mode (got \"" + mode + "\")");
    }
  }
  RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(Exec(db, "PRAGMA foreign_keys = ON"));
  return Migrate(db);
}

// Runs fn between BEGIN IMMEDIATE and COMMIT; rolls back when fn or COMMIT fails.
Status RunTransaction(sqlite3* db, const std::function<Status()>& fn) {
  RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  Status s = fn();
  if (s.ok()) s = Exec(db, "COMMIT");
  if (!s.ok() && sqlite3_get_autocommit(db) == 0) Exec(db, "ROLLBACK").IgnoreError();
  return s;
}

}  // namespace

Result<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, "open " + path);
    sqlite3_close(db);  // a handle is returned even on failure
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  // The Catalog owns db from here on, so every failure path below closes it.
  std::unique_ptr<Catalog> catalog(new Catalog(db));
  RETURN_IF_ERROR(Configure(db));
  return catalog;
}

Catalog::Catalog(sqlite3* db) : db_(db) {}

Catalog::~Catalog() { sqlite3_close_v2(db_); }

Result<StreamId> Catalog::InsertStream(const StreamRow& stream,
                                       const std::vector<ShardRow>& shards) {
  std::lock_guard<std::mutex> lock(mu_);
  StreamId id;
  RETURN_IF_ERROR(RunTransaction(db_, [&]() -> Status {
    Stmt st(db_, (std::string("INSERT INTO streams (") + kStreamColumns +
                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")
                     .c_str());
    RETURN_IF_ERROR(st.prepared());
    BindStream(st, stream);
    Status s = st.Run();
    if (!s.ok()) return StreamWriteError(st, s, stream.name);
    id = StreamId(sqlite3_last_insert_rowid(db_));
    for (const ShardRow& shard : shards)
      RETURN_IF_ERROR(WriteShard(db_, shard, id, /*upsert=*/false));
    return OkStatus();
  }));
  return id;
}

Status Catalog::UpdateStream(const StreamRow& stream) {
  std::lock_guard<std::mutex> lock(mu_);
  return RunTransaction(db_, [&]() -> Status {
    Stmt st(db_,
            "UPDATE streams SET name = ?1, arn = ?2, kind = ?3, mode = ?4, status = ?5, "
            "retention_hours = ?6, created_ms = ?7, fsync_policy = ?8, max_record_bytes = ?9, "
            "tags_json = ?10, metrics_json = ?11, encryption_type = ?12, key_id = ?13, "
            "settings_json = ?14 WHERE id = ?15");
    RETURN_IF_ERROR(st.prepared());
    BindStream(st, stream);
    st.Bind(15, stream.id.value());
    Status s = st.Run();
    if (!s.ok()) return StreamWriteError(st, s, stream.name);
    if (sqlite3_changes(db_) == 0) {
      return NotFoundError("no stream with id " + std::to_string(stream.id.value()));
    }
    return OkStatus();
  });
}

Status Catalog::DeleteStream(StreamId id) {
  std::lock_guard<std::mutex> lock(mu_);
  return RunTransaction(db_, [&]() -> Status {
    Stmt st(db_, "DELETE FROM streams WHERE id = ?1");  // shards go by ON DELETE CASCADE
    RETURN_IF_ERROR(st.prepared());
    st.Bind(1, id.value());
    RETURN_IF_ERROR(st.Run());
    if (sqlite3_changes(db_) == 0) {
      return NotFoundError("no stream with id " + std::to_string(id.value()));
    }
    return OkStatus();
  });
}

Result<std::vector<StreamRow>> Catalog::LoadStreams() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt st(db_, (std::string("SELECT id, ") + kStreamColumns + " FROM streams ORDER BY id").c_str());
  RETURN_IF_ERROR(st.prepared());
  std::vector<StreamRow> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, st.Step());
    if (!more) break;
    StreamRow r;
    r.id = StreamId(st.Int(0));
    r.name = st.Text(1);
    r.arn = st.Text(2);
    r.kind = static_cast<int>(st.Int(3));
    r.mode = static_cast<int>(st.Int(4));
    r.status = static_cast<int>(st.Int(5));
    r.retention_hours = static_cast<int>(st.Int(6));
    r.created_ms = st.Int(7);
    r.fsync_policy = st.Text(8);
    r.max_record_bytes = static_cast<uint64_t>(st.Int(9));
    r.tags_json = st.Text(10);
    r.metrics_json = st.Text(11);
    r.encryption_type = st.Text(12);
    r.key_id = st.Text(13);
    r.settings_json = st.Text(14);
    rows.push_back(std::move(r));
  }
  return rows;
}

Result<std::vector<ShardRow>> Catalog::LoadShards(StreamId id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt st(db_,
          "SELECT shard_index, parent, adjacent_parent, hash_start, hash_end, created_ms, "
          "ending_counter FROM shards WHERE stream_id = ?1 ORDER BY shard_index");
  RETURN_IF_ERROR(st.prepared());
  st.Bind(1, id.value());
  std::vector<ShardRow> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, st.Step());
    if (!more) break;
    ShardRow r;
    r.stream = id;
    r.index = ShardIndex(static_cast<uint32_t>(st.Int(0)));
    if (!st.IsNull(1)) r.parent = ShardIndex(static_cast<uint32_t>(st.Int(1)));
    if (!st.IsNull(2)) r.adjacent_parent = ShardIndex(static_cast<uint32_t>(st.Int(2)));
    r.hash_start = st.Text(3);
    r.hash_end = st.Text(4);
    r.created_ms = st.Int(5);
    if (!st.IsNull(6)) r.ending_counter = static_cast<uint64_t>(st.Int(6));
    rows.push_back(std::move(r));
  }
  return rows;
}

Status Catalog::UpsertShards(const std::vector<ShardRow>& shards) {
  std::lock_guard<std::mutex> lock(mu_);
  return RunTransaction(db_, [&]() -> Status {
    for (const ShardRow& shard : shards)
      RETURN_IF_ERROR(WriteShard(db_, shard, shard.stream, /*upsert=*/true));
    return OkStatus();
  });
}

Result<std::optional<std::string>> Catalog::GetSetting(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt st(db_, "SELECT value FROM settings WHERE key = ?1");
  RETURN_IF_ERROR(st.prepared());
  st.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.Text(0));
}

Status Catalog::PutSetting(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  return RunTransaction(db_, [&]() -> Status {
    Stmt st(db_,
            "INSERT INTO settings (key, value) VALUES (?1, ?2) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    RETURN_IF_ERROR(st.prepared());
    st.Bind(1, key);
    st.Bind(2, value);
    return st.Run();
  });
}

Status Catalog::Transaction(const std::function<Status(sqlite3*)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  return RunTransaction(db_, [&]() { return fn(db_); });
}

}  // namespace sluice::index

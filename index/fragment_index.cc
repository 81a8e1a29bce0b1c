// SPDX-License-Identifier: Apache-2.0
// FragmentIndex over SQLite: schema, migrations, cached prepared statements, and the queries.
//
// On-disk format (schema version 1; also in index/README.md, "Fragment index"):
//
//   fragments.db  := SQLite 3 database, journal_mode=WAL, synchronous=NORMAL, user_version = 1
//   fragments     := stream_id INTEGER, counter INTEGER       -- PRIMARY KEY (stream_id, counter)
//                    shard INTEGER, fragment_number TEXT       -- wire sequence number
//                    producer_ms, server_ms, duration_ms, size_bytes, header_version INTEGER,
//                    key_frame INTEGER (0/1)                   WITHOUT ROWID
//                    INDEX (stream_id, producer_ms, counter), INDEX (stream_id, server_ms, counter)
//   track_headers := stream_id INTEGER, version INTEGER, bytes BLOB
//                    PRIMARY KEY (stream_id, version)          WITHOUT ROWID
//
// Unsigned 64-bit values (counter, size, header version) are stored as the int64 with the same
// bits; counters stay far below 2^63, so SQL ordering on them is numeric order.
// Why NORMAL: fragment rows are rebuilt from the log on open, so losing the last commits at power
// loss costs nothing. Headers are not rebuildable: InternHeader commits with synchronous=FULL.
#include "index/fragment_index.h"

#include "index/sqlite_util.h"

#include <sqlite3.h>

#include <iterator>
#include <string_view>
#include <unordered_map>

namespace sluice::index {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE IF NOT EXISTS fragments (
  stream_id INTEGER NOT NULL,
  counter INTEGER NOT NULL,
  shard INTEGER NOT NULL,
  fragment_number TEXT NOT NULL,
  producer_ms INTEGER NOT NULL,
  server_ms INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  header_version INTEGER NOT NULL,
  key_frame INTEGER NOT NULL,
  PRIMARY KEY (stream_id, counter)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fragments_by_producer ON fragments (stream_id, producer_ms, counter);
CREATE INDEX IF NOT EXISTS fragments_by_server ON fragments (stream_id, server_ms, counter);
CREATE TABLE IF NOT EXISTS track_headers (
  stream_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (stream_id, version)
) WITHOUT ROWID;
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

constexpr const char* kColumns =
    "stream_id, counter, shard, fragment_number, producer_ms, server_ms, duration_ms, size_bytes, "
    "header_version, key_frame";

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  return index::SqliteError(db, rc, "fragment index", what);
}

Status Exec(sqlite3* db, const char* sql) { return SqliteExec(db, "fragment index", sql); }

// A prepared statement borrowed from the cache: reset and unbound when the borrow ends.
class Stmt {
 public:
  explicit Stmt(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st) {}
  ~Stmt() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_blob(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindText(int i, std::string_view v) {
    sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Result<bool> Step() {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteError(db_, rc, "step");
  }
  Status Run() { return Step().status(); }
  int64_t Int(int col) const { return sqlite3_column_int64(st_, col); }
  std::string Blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(st_, col));
    return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(st_, col));
  }
  FragmentRow Row() const {
    FragmentRow r;
    r.stream = StreamId(Int(0));
    r.counter = EntryCounter(static_cast<uint64_t>(Int(1)));
    r.shard = ShardIndex(static_cast<uint32_t>(Int(2)));
    r.fragment_number = Blob(3);
    r.producer_time = TimestampMs(Int(4));
    r.server_time = TimestampMs(Int(5));
    r.duration_ms = Int(6);
    r.size_bytes = static_cast<uint64_t>(Int(7));
    r.header_version = static_cast<uint64_t>(Int(8));
    r.key_frame = Int(9) != 0;
    return r;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_;
};

// Borrows the cached statement for `sql` (a string with static storage) as `var`.
#define PREPARE_OR_RETURN(var, sql)                        \
  ASSIGN_OR_RETURN(sqlite3_stmt* var##_raw, Prepare(sql)); \
  Stmt var(db_, var##_raw)

Status Migrate(sqlite3* db) { return SqliteMigrate(db, "fragment index", kMigrations); }

const char* AxisColumnQuery(TimeAxis axis, const char* producer_sql, const char* server_sql) {
  return axis == TimeAxis::kProducer ? producer_sql : server_sql;
}

}  // namespace

Result<std::unique_ptr<FragmentIndex>> FragmentIndex::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, "open " + path);
    sqlite3_close(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<FragmentIndex> idx(new FragmentIndex(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode = WAL"));
  RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous = NORMAL"));
  RETURN_IF_ERROR(Migrate(db));
  return idx;
}

FragmentIndex::FragmentIndex(sqlite3* db) : db_(db) {}

FragmentIndex::~FragmentIndex() {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [sql, st] : statements_) sqlite3_finalize(st);
  sqlite3_close_v2(db_);
}

Result<sqlite3_stmt*> FragmentIndex::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
  statements_.emplace(sql, st);
  return st;
}

template <typename Fn>
Status FragmentIndex::InTransaction(Fn&& fn) {
  RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  Status s = fn();
  if (s.ok()) s = Exec(db_, "COMMIT");
  if (!s.ok() && sqlite3_get_autocommit(db_) == 0) Exec(db_, "ROLLBACK").IgnoreError();
  return s;
}

Status FragmentIndex::Insert(const std::vector<FragmentRow>& rows) {
  if (rows.empty()) return OkStatus();
  std::lock_guard<std::mutex> l(mu_);
  return InTransaction([&]() -> Status {
    static const std::string sql = std::string("INSERT OR REPLACE INTO fragments (") + kColumns +
                                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    for (const FragmentRow& r : rows) {
      PREPARE_OR_RETURN(st, sql.c_str());
      st.Bind(1, r.stream.value())
          .Bind(2, static_cast<int64_t>(r.counter.value()))
          .Bind(3, int64_t{r.shard.value()})
          .BindText(4, r.fragment_number)
          .Bind(5, r.producer_time.value())
          .Bind(6, r.server_time.value())
          .Bind(7, r.duration_ms)
          .Bind(8, static_cast<int64_t>(r.size_bytes))
          .Bind(9, static_cast<int64_t>(r.header_version))
          .Bind(10, int64_t{r.key_frame ? 1 : 0});
      RETURN_IF_ERROR(st.Run());
    }
    return OkStatus();
  });
}

// Runs a query with parameters (?1 = stream, ?2 = a) returning at most one row.
Result<std::optional<FragmentRow>> FragmentIndex::QueryOne(const char* sql, StreamId stream,
                                                           int64_t a) {
  std::lock_guard<std::mutex> l(mu_);
  PREPARE_OR_RETURN(st, sql);
  st.Bind(1, stream.value()).Bind(2, a);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<FragmentRow>();
  return std::optional<FragmentRow>(st.Row());
}

#define FRAGMENT_SELECT                                              \
  "SELECT stream_id, counter, shard, fragment_number, producer_ms, " \
  "server_ms, duration_ms, size_bytes, header_version, key_frame FROM fragments "

Result<std::optional<FragmentRow>> FragmentIndex::ByCounter(StreamId stream, EntryCounter c) {
  return QueryOne(FRAGMENT_SELECT "WHERE stream_id = ?1 AND counter = ?2", stream,
                  static_cast<int64_t>(c.value()));
}

Result<std::optional<FragmentRow>> FragmentIndex::FirstAfter(StreamId stream, EntryCounter c) {
  return QueryOne(FRAGMENT_SELECT "WHERE stream_id = ?1 AND counter > ?2 ORDER BY counter LIMIT 1",
                  stream, static_cast<int64_t>(c.value()));
}

Result<std::optional<FragmentRow>> FragmentIndex::Earliest(StreamId stream) {
  return QueryOne(FRAGMENT_SELECT "WHERE stream_id = ?1 AND ?2 = 0 ORDER BY counter LIMIT 1",
                  stream, 0);
}

Result<std::optional<FragmentRow>> FragmentIndex::Latest(StreamId stream) {
  return QueryOne(FRAGMENT_SELECT "WHERE stream_id = ?1 AND ?2 = 0 ORDER BY counter DESC LIMIT 1",
                  stream, 0);
}

Result<std::optional<FragmentRow>> FragmentIndex::FirstAtOrAfter(StreamId stream, TimeAxis axis,
                                                                 TimestampMs t) {
  return QueryOne(AxisColumnQuery(axis,
                                  FRAGMENT_SELECT "WHERE stream_id = ?1 AND producer_ms >= ?2 "
                                                  "ORDER BY producer_ms, counter LIMIT 1",
                                  FRAGMENT_SELECT "WHERE stream_id = ?1 AND server_ms >= ?2 "
                                                  "ORDER BY server_ms, counter LIMIT 1"),
                  stream, t.value());
}

Result<std::optional<FragmentRow>> FragmentIndex::LastAtOrBefore(StreamId stream, TimeAxis axis,
                                                                 TimestampMs t) {
  return QueryOne(AxisColumnQuery(axis,
                                  FRAGMENT_SELECT "WHERE stream_id = ?1 AND producer_ms <= ?2 "
                                                  "ORDER BY producer_ms DESC, counter DESC LIMIT 1",
                                  FRAGMENT_SELECT "WHERE stream_id = ?1 AND server_ms <= ?2 "
                                                  "ORDER BY server_ms DESC, counter DESC LIMIT 1"),
                  stream, t.value());
}

Result<std::vector<FragmentRow>> FragmentIndex::ListFromCounter(StreamId stream, EntryCounter from,
                                                                size_t limit) {
  std::lock_guard<std::mutex> l(mu_);
  PREPARE_OR_RETURN(st, FRAGMENT_SELECT
                    "WHERE stream_id = ?1 AND counter >= ?2 ORDER BY counter "
                    "LIMIT ?3");
  st.Bind(1, stream.value())
      .Bind(2, static_cast<int64_t>(from.value()))
      .Bind(3, static_cast<int64_t>(limit));
  std::vector<FragmentRow> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, st.Step());
    if (!more) break;
    rows.push_back(st.Row());
  }
  return rows;
}

Result<FragmentPage> FragmentIndex::ListByTime(const TimeRangeQuery& q) {
  if (q.limit == 0) return InvalidArgumentError("fragment index: page limit must be positive");
  // (time, counter) > cursor as a row-value comparison, which SQLite runs as an index range scan.
  const char* sql = AxisColumnQuery(
      q.axis,
      FRAGMENT_SELECT
      "WHERE stream_id = ?1 AND producer_ms BETWEEN ?2 AND ?3 "
      "AND (producer_ms, counter) > (?4, ?5) ORDER BY producer_ms, counter LIMIT ?6",
      FRAGMENT_SELECT
      "WHERE stream_id = ?1 AND server_ms BETWEEN ?2 AND ?3 "
      "AND (server_ms, counter) > (?4, ?5) ORDER BY server_ms, counter LIMIT ?6");
  const FragmentCursor after =
      q.after.value_or(FragmentCursor{q.start.value() - 1, static_cast<uint64_t>(INT64_MAX)});
  std::lock_guard<std::mutex> l(mu_);
  PREPARE_OR_RETURN(st, sql);
  st.Bind(1, q.stream.value())
      .Bind(2, q.start.value())
      .Bind(3, q.end.value())
      .Bind(4, after.time_ms)
      .Bind(5, static_cast<int64_t>(after.counter))
      .Bind(6, static_cast<int64_t>(q.limit) + 1);  // one extra row tells whether more follow
  FragmentPage page;
  while (true) {
    ASSIGN_OR_RETURN(bool more, st.Step());
    if (!more) break;
    if (page.rows.size() == q.limit) {
      const FragmentRow& last = page.rows.back();
      const int64_t t =
          q.axis == TimeAxis::kProducer ? last.producer_time.value() : last.server_time.value();
      page.next = FragmentCursor{t, last.counter.value()};
      break;
    }
    page.rows.push_back(st.Row());
  }
  return page;
}

Result<uint64_t> FragmentIndex::Count(StreamId stream) {
  std::lock_guard<std::mutex> l(mu_);
  PREPARE_OR_RETURN(st, "SELECT count(*) FROM fragments WHERE stream_id = ?1");
  st.Bind(1, stream.value());
  ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? static_cast<uint64_t>(st.Int(0)) : 0;
}

Result<std::optional<EntryCounter>> FragmentIndex::LastCounter(StreamId stream) {
  ASSIGN_OR_RETURN(std::optional<FragmentRow> last, Latest(stream));
  if (!last) return std::optional<EntryCounter>();
  return std::optional<EntryCounter>(last->counter);
}

Result<uint64_t> FragmentIndex::DeleteBefore(StreamId stream, EntryCounter first_kept) {
  std::lock_guard<std::mutex> l(mu_);
  PREPARE_OR_RETURN(st, "DELETE FROM fragments WHERE stream_id = ?1 AND counter < ?2");
  st.Bind(1, stream.value()).Bind(2, static_cast<int64_t>(first_kept.value()));
  RETURN_IF_ERROR(st.Run());
  return static_cast<uint64_t>(sqlite3_changes(db_));
}

Result<uint64_t> FragmentIndex::DeleteFrom(StreamId stream, EntryCounter from) {
  std::lock_guard<std::mutex> l(mu_);
  PREPARE_OR_RETURN(st, "DELETE FROM fragments WHERE stream_id = ?1 AND counter >= ?2");
  st.Bind(1, stream.value()).Bind(2, static_cast<int64_t>(from.value()));
  RETURN_IF_ERROR(st.Run());
  return static_cast<uint64_t>(sqlite3_changes(db_));
}

Status FragmentIndex::DropStream(StreamId stream) {
  std::lock_guard<std::mutex> l(mu_);
  return InTransaction([&]() -> Status {
    {
      PREPARE_OR_RETURN(st, "DELETE FROM fragments WHERE stream_id = ?1");
      RETURN_IF_ERROR(st.Bind(1, stream.value()).Run());
    }
    PREPARE_OR_RETURN(st, "DELETE FROM track_headers WHERE stream_id = ?1");
    return st.Bind(1, stream.value()).Run();
  });
}

Result<std::vector<StreamId>> FragmentIndex::Streams() {
  std::lock_guard<std::mutex> l(mu_);
  PREPARE_OR_RETURN(st,
                    "SELECT DISTINCT stream_id FROM fragments UNION "
                    "SELECT DISTINCT stream_id FROM track_headers ORDER BY 1");
  std::vector<StreamId> ids;
  while (true) {
    ASSIGN_OR_RETURN(bool more, st.Step());
    if (!more) break;
    ids.push_back(StreamId(st.Int(0)));
  }
  return ids;
}

Result<uint64_t> FragmentIndex::InternHeader(StreamId stream, const std::string& bytes) {
  std::lock_guard<std::mutex> l(mu_);
  // This connection is the database's only writer and mu_ is held, so the latest version cannot
  // change between this read and the insert below.
  uint64_t version = 0;
  {
    PREPARE_OR_RETURN(st,
                      "SELECT version, bytes FROM track_headers WHERE stream_id = ?1 "
                      "ORDER BY version DESC LIMIT 1");
    st.Bind(1, stream.value());
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) {
      version = static_cast<uint64_t>(st.Int(0));
      if (st.Blob(1) == bytes) return version;
    }
  }
  version++;
  // Headers cannot be rebuilt from the log: this commit fsyncs (SQLite refuses to change the
  // setting inside a transaction, hence around it).
  RETURN_IF_ERROR(Exec(db_, "PRAGMA synchronous = FULL"));
  Status s = InTransaction([&]() -> Status {
    PREPARE_OR_RETURN(st,
                      "INSERT INTO track_headers (stream_id, version, bytes) VALUES (?1, ?2, ?3)");
    return st.Bind(1, stream.value()).Bind(2, static_cast<int64_t>(version)).Bind(3, bytes).Run();
  });
  Status back = Exec(db_, "PRAGMA synchronous = NORMAL");
  RETURN_IF_ERROR(s);
  RETURN_IF_ERROR(back);
  return version;
}

Result<std::optional<HeaderRow>> FragmentIndex::Header(StreamId stream, uint64_t version) {
  std::lock_guard<std::mutex> l(mu_);
  PREPARE_OR_RETURN(
      st, "SELECT version, bytes FROM track_headers WHERE stream_id = ?1 AND version = ?2");
  st.Bind(1, stream.value()).Bind(2, static_cast<int64_t>(version));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<HeaderRow>();
  return std::optional<HeaderRow>(HeaderRow{static_cast<uint64_t>(st.Int(0)), st.Blob(1)});
}

Result<std::optional<HeaderRow>> FragmentIndex::LatestHeader(StreamId stream) {
  std::lock_guard<std::mutex> l(mu_);
  PREPARE_OR_RETURN(st,
                    "SELECT version, bytes FROM track_headers WHERE stream_id = ?1 AND ?2 = 0 "
                    "ORDER BY version DESC LIMIT 1");
  st.Bind(1, stream.value()).Bind(2, 0);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<HeaderRow>();
  return std::optional<HeaderRow>(HeaderRow{static_cast<uint64_t>(st.Int(0)), st.Blob(1)});
}

}  // namespace sluice::index

// SPDX-License-Identifier: Apache-2.0
// ConsumerLeases over SQLite: schema and migrations, the application rows, and the lease rows with
// their conditional updates (one transaction each; a write whose WHERE clause on the counter
// matches no row is explained as NotFound or FailedPrecondition).
//
// On-disk format (schema version 1; also in index/README.md, "Consumer leases"):
//
//   consumers.db  := SQLite 3 database, journal_mode=WAL, synchronous=FULL, user_version = 1
//   applications  := name TEXT PRIMARY KEY, stream TEXT, stream_id INTEGER,
//                    initial_position TEXT, initial_ms INTEGER, created_ms INTEGER  WITHOUT ROWID
//   leases        := application TEXT REFERENCES applications(name) ON DELETE CASCADE,
//                    shard INTEGER, owner TEXT ('' = unowned), counter INTEGER,
//                    expiry_ms INTEGER, checkpoint TEXT, parents TEXT ("3,4"),
//                    owner_switches INTEGER, updated_ms INTEGER
//                    PRIMARY KEY (application, shard)                              WITHOUT ROWID
//
// Why FULL: a checkpoint is a promise to the application that it will not see those records
// again; losing it at power loss would replay them, so it is made durable before it returns.
#include "index/consumer_leases.h"

#include <sqlite3.h>

#include <algorithm>
#include <iterator>
#include <set>

#include "index/sqlite_util.h"

namespace sluice::index {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;
constexpr std::string_view kDatabase = "consumer leases";

constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE applications (
  name TEXT PRIMARY KEY,
  stream TEXT NOT NULL,
  stream_id INTEGER NOT NULL,
  initial_position TEXT NOT NULL,
  initial_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE leases (
  application TEXT NOT NULL REFERENCES applications(name) ON DELETE CASCADE,
  shard INTEGER NOT NULL,
  owner TEXT NOT NULL,
  counter INTEGER NOT NULL,
  expiry_ms INTEGER NOT NULL,
  checkpoint TEXT NOT NULL,
  parents TEXT NOT NULL,
  owner_switches INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (application, shard)
) WITHOUT ROWID;
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

constexpr const char* kLeaseColumns =
    "application, shard, owner, counter, expiry_ms, checkpoint, parents, owner_switches, "
    "updated_ms";
constexpr const char* kApplicationColumns =
    "name, stream, stream_id, initial_position, initial_ms, created_ms";

Status Exec(sqlite3* db, const char* sql) { return SqliteExec(db, kDatabase, sql); }

// A prepared statement, finalized on destruction. Bind uses 1-based parameter indexes.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Status prepared() const {
    return rc_ == SQLITE_OK ? OkStatus() : SqliteError(db_, rc_, kDatabase, "prepare");
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Result<bool> Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteError(db_, rc, kDatabase, "step");
  }
  Status Run() { return Step().status(); }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, col));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

std::string EncodeParents(const std::vector<ShardIndex>& parents) {
  std::string out;
  for (ShardIndex p : parents) {
    if (!out.empty()) out += ',';
    out += std::to_string(p.value());
  }
  return out;
}

std::vector<ShardIndex> DecodeParents(std::string_view text) {
  std::vector<ShardIndex> out;
  while (!text.empty()) {
    const size_t comma = std::min(text.find(','), text.size());
    out.emplace_back(static_cast<uint32_t>(std::stoul(std::string(text.substr(0, comma)))));
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return out;
}

ConsumerLease LeaseFrom(const Stmt& st) {
  ConsumerLease l;
  l.application = st.Text(0);
  l.shard = ShardIndex(static_cast<uint32_t>(st.Int(1)));
  l.owner = st.Text(2);
  l.counter = static_cast<uint64_t>(st.Int(3));
  l.expiry = TimestampMs(st.Int(4));
  l.checkpoint = st.Text(5);
  l.parents = DecodeParents(st.Text(6));
  l.owner_switches = static_cast<uint64_t>(st.Int(7));
  l.updated = TimestampMs(st.Int(8));
  return l;
}

ConsumerApplication ApplicationFrom(const Stmt& st) {
  ConsumerApplication a;
  a.name = st.Text(0);
  a.stream = st.Text(1);
  a.stream_id = StreamId(st.Int(2));
  a.initial_position = st.Text(3);
  a.initial_timestamp = TimestampMs(st.Int(4));
  a.created = TimestampMs(st.Int(5));
  return a;
}

Result<std::optional<ConsumerApplication>> FindApplication(sqlite3* db, std::string_view name) {
  Stmt st(db, (std::string("SELECT ") + kApplicationColumns + " FROM applications WHERE name = ?1")
                  .c_str());
  RETURN_IF_ERROR(st.prepared());
  st.Bind(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<ConsumerApplication>();
  return std::optional<ConsumerApplication>(ApplicationFrom(st));
}

Status NoApplication(std::string_view name) {
  return NotFoundError("consumer application " + std::string(name) + " not found");
}

std::string LeaseName(std::string_view application, ShardIndex shard) {
  return std::string(application) + "/shard " + std::to_string(shard.value());
}

Status Configure(sqlite3* db) {
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode = WAL"));
  RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(Exec(db, "PRAGMA foreign_keys = ON"));
  return SqliteMigrate(db, kDatabase, kMigrations);
}

// Runs fn between BEGIN IMMEDIATE and COMMIT; rolls back when fn or COMMIT fails.
template <typename Fn>
Status RunTransaction(sqlite3* db, Fn&& fn) {
  RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  Status s = fn();
  if (s.ok()) s = Exec(db, "COMMIT");
  if (!s.ok() && sqlite3_get_autocommit(db) == 0) Exec(db, "ROLLBACK").IgnoreError();
  return s;
}

bool ValidInitialPosition(std::string_view p) {
  return p == kCheckpointTrimHorizon || p == kCheckpointLatest || p == kCheckpointAtTimestamp;
}

}  // namespace

Result<std::unique_ptr<ConsumerLeases>> ConsumerLeases::Open(const std::string& path,
                                                             Clock* clock) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, kDatabase, "open " + path);
    sqlite3_close(db);  // a handle is returned even on failure
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<ConsumerLeases> leases(
      new ConsumerLeases(db, clock != nullptr ? clock : SystemClock()));
  RETURN_IF_ERROR(Configure(db));
  return leases;
}

ConsumerLeases::ConsumerLeases(sqlite3* db, Clock* clock) : db_(db), clock_(clock) {}

ConsumerLeases::~ConsumerLeases() { sqlite3_close_v2(db_); }

Result<ConsumerApplication> ConsumerLeases::CreateApplication(const ConsumerApplication& app) {
  if (app.name.empty()) return InvalidArgumentError("consumer application name is empty");
  if (!ValidInitialPosition(app.initial_position)) {
    return InvalidArgumentError("unknown initial position '" + app.initial_position + "'");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ConsumerApplication out;
  RETURN_IF_ERROR(RunTransaction(db_, [&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<ConsumerApplication> existing, FindApplication(db_, app.name));
    if (existing) {
      if (existing->stream != app.stream || existing->stream_id != app.stream_id) {
        return FailedPreconditionError(
            "consumer application " + app.name + " reads stream " + existing->stream + " (id " +
            std::to_string(existing->stream_id.value()) + "); delete it to start over");
      }
      out = *existing;
      return OkStatus();
    }
    out = app;
    out.created = clock_->Now();
    Stmt st(db_, (std::string("INSERT INTO applications (") + kApplicationColumns +
                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                     .c_str());
    RETURN_IF_ERROR(st.prepared());
    st.Bind(1, out.name)
        .Bind(2, out.stream)
        .Bind(3, out.stream_id.value())
        .Bind(4, out.initial_position)
        .Bind(5, out.initial_timestamp.value())
        .Bind(6, out.created.value());
    return st.Run();
  }));
  return out;
}

Result<ConsumerApplication> ConsumerLeases::GetApplication(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(std::optional<ConsumerApplication> app, FindApplication(db_, name));
  if (!app) return NoApplication(name);
  return *app;
}

Result<std::vector<ConsumerApplication>> ConsumerLeases::ListApplications() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt st(
      db_,
      (std::string("SELECT ") + kApplicationColumns + " FROM applications ORDER BY name").c_str());
  RETURN_IF_ERROR(st.prepared());
  std::vector<ConsumerApplication> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ApplicationFrom(st));
  }
  return out;
}

Status ConsumerLeases::DeleteApplication(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return RunTransaction(db_, [&]() -> Status {
    Stmt st(db_, "DELETE FROM applications WHERE name = ?1");  // leases go by ON DELETE CASCADE
    RETURN_IF_ERROR(st.prepared());
    st.Bind(1, name);
    RETURN_IF_ERROR(st.Run());
    if (sqlite3_changes(db_) == 0) return NoApplication(name);
    return OkStatus();
  });
}

Result<std::vector<ConsumerLease>> ConsumerLeases::ListLeases(std::string_view application) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(std::optional<ConsumerApplication> app, FindApplication(db_, application));
  if (!app) return NoApplication(application);
  Stmt st(db_, (std::string("SELECT ") + kLeaseColumns +
                " FROM leases WHERE application = ?1 ORDER BY shard")
                   .c_str());
  RETURN_IF_ERROR(st.prepared());
  st.Bind(1, application);
  std::vector<ConsumerLease> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(LeaseFrom(st));
  }
  return out;
}

Result<std::vector<ConsumerLease>> ConsumerLeases::EnsureLeases(
    std::string_view application, const std::vector<LeaseShard>& shards) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ConsumerLease> created;
  RETURN_IF_ERROR(RunTransaction(db_, [&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<ConsumerApplication> app, FindApplication(db_, application));
    if (!app) return NoApplication(application);
    std::set<uint32_t> existing;
    {
      Stmt st(db_, "SELECT shard FROM leases WHERE application = ?1");
      RETURN_IF_ERROR(st.prepared());
      st.Bind(1, application);
      while (true) {
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        existing.insert(static_cast<uint32_t>(st.Int(0)));
      }
    }
    const std::set<uint32_t> before = existing;
    const TimestampMs now = clock_->Now();
    for (const LeaseShard& shard : shards) {
      if (!existing.insert(shard.shard.value()).second) continue;
      ConsumerLease l;
      l.application = std::string(application);
      l.shard = shard.shard;
      l.parents = shard.parents;
      const bool continues_parent =
          std::any_of(l.parents.begin(), l.parents.end(),
                      [&](ShardIndex p) { return before.count(p.value()); });
      l.checkpoint = continues_parent ? std::string(kCheckpointTrimHorizon) : app->initial_position;
      l.updated = now;
      Stmt st(db_, (std::string("INSERT INTO leases (") + kLeaseColumns +
                    ") VALUES (?1, ?2, '', 0, 0, ?3, ?4, 0, ?5)")
                       .c_str());
      RETURN_IF_ERROR(st.prepared());
      st.Bind(1, application)
          .Bind(2, int64_t{l.shard.value()})
          .Bind(3, l.checkpoint)
          .Bind(4, EncodeParents(l.parents))
          .Bind(5, now.value());
      RETURN_IF_ERROR(st.Run());
      created.push_back(std::move(l));
    }
    return OkStatus();
  }));
  return created;
}

Result<ConsumerLease> ConsumerLeases::LoadLease(std::string_view application, ShardIndex shard) {
  Stmt st(db_, (std::string("SELECT ") + kLeaseColumns +
                " FROM leases WHERE application = ?1 AND shard = ?2")
                   .c_str());
  RETURN_IF_ERROR(st.prepared());
  st.Bind(1, application).Bind(2, int64_t{shard.value()});
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFoundError("no lease " + LeaseName(application, shard));
  return LeaseFrom(st);
}

template <typename Bind>
Result<ConsumerLease> ConsumerLeases::Conditional(const char* what, const char* update,
                                                  std::string_view application, ShardIndex shard,
                                                  std::string_view worker, uint64_t counter,
                                                  Bind&& bind) {
  if (worker.empty()) return InvalidArgumentError(std::string(what) + ": worker id is empty");
  std::lock_guard<std::mutex> lock(mu_);
  ConsumerLease out;
  RETURN_IF_ERROR(RunTransaction(db_, [&]() -> Status {
    Stmt st(db_, update);
    RETURN_IF_ERROR(st.prepared());
    st.Bind(1, application)
        .Bind(2, int64_t{shard.value()})
        .Bind(3, static_cast<int64_t>(counter))
        .Bind(4, worker)
        .Bind(5, clock_->Now().value());
    bind(st);
    RETURN_IF_ERROR(st.Run());
    const bool written = sqlite3_changes(db_) > 0;
    ASSIGN_OR_RETURN(out, LoadLease(application, shard));
    if (!written) {
      return FailedPreconditionError(std::string(what) + " " + LeaseName(application, shard) +
                                     ": lease moved (counter " + std::to_string(out.counter) +
                                     ", owner '" + out.owner + "'; expected counter " +
                                     std::to_string(counter) + ")");
    }
    return OkStatus();
  }));
  return out;
}

Result<ConsumerLease> ConsumerLeases::TakeLease(std::string_view application, ShardIndex shard,
                                                std::string_view worker, uint64_t counter,
                                                TimestampMs expiry) {
  return Conditional(
      "take", R"sql(UPDATE leases SET owner = ?4, counter = counter + 1, expiry_ms = ?6,
           owner_switches = owner_switches + (owner != ?4), updated_ms = ?5
           WHERE application = ?1 AND shard = ?2 AND counter = ?3)sql",
      application, shard, worker, counter, [&](Stmt& st) { st.Bind(6, expiry.value()); });
}

Result<ConsumerLease> ConsumerLeases::RenewLease(std::string_view application, ShardIndex shard,
                                                 std::string_view worker, uint64_t counter,
                                                 TimestampMs expiry) {
  return Conditional(
      "renew", R"sql(UPDATE leases SET counter = counter + 1, expiry_ms = ?6, updated_ms = ?5
           WHERE application = ?1 AND shard = ?2 AND counter = ?3 AND owner = ?4)sql",
      application, shard, worker, counter, [&](Stmt& st) { st.Bind(6, expiry.value()); });
}

Result<ConsumerLease> ConsumerLeases::Checkpoint(std::string_view application, ShardIndex shard,
                                                 std::string_view worker, uint64_t counter,
                                                 std::string_view checkpoint) {
  if (checkpoint.empty()) return InvalidArgumentError("checkpoint is empty");
  return Conditional(
      "checkpoint", R"sql(UPDATE leases SET checkpoint = ?6, owner_switches = 0, updated_ms = ?5
           WHERE application = ?1 AND shard = ?2 AND counter = ?3 AND owner = ?4)sql",
      application, shard, worker, counter, [&](Stmt& st) { st.Bind(6, checkpoint); });
}

Result<ConsumerLease> ConsumerLeases::ReleaseLease(std::string_view application, ShardIndex shard,
                                                   std::string_view worker, uint64_t counter) {
  return Conditional("release",
                     R"sql(UPDATE leases SET owner = '', counter = counter + 1, expiry_ms = 0,
           updated_ms = ?5
           WHERE application = ?1 AND shard = ?2 AND counter = ?3 AND owner = ?4)sql",
                     application, shard, worker, counter, [](Stmt&) {});
}

}  // namespace sluice::index

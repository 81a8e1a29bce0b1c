// SPDX-License-Identifier: Apache-2.0
// Shared SQLite helpers (see sqlite_util.h).
#include "index/sqlite_util.h"

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace sluice::index {

Status SqliteError(sqlite3* db, int rc, std::string_view database, std::string_view what) {
  std::string msg = std::string(database) + ": " + std::string(what) + ": " +
                    (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(std::move(msg));
    case SQLITE_FULL:
      return ResourceExhaustedError(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(std::move(msg));
    default:
      return InternalError(std::move(msg));
  }
}

Status SqliteExec(sqlite3* db, std::string_view database, const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return OkStatus();
  Status s = SqliteError(db, rc, database, err != nullptr ? err : sql);
  sqlite3_free(err);
  return s;
}

Status SqliteMigrate(sqlite3* db, std::string_view database,
                     std::span<const char* const> migrations) {
  int64_t version = 0;
  {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &raw, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db, rc, database, "prepare");
    rc = sqlite3_step(raw);
    if (rc == SQLITE_ROW) version = sqlite3_column_int64(raw, 0);
    sqlite3_finalize(raw);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteError(db, rc, database, "user_version");
  }
  const auto target = static_cast<int64_t>(migrations.size());
  if (version > target) {
    return FailedPreconditionError(
        std::string(database) + " schema version " + std::to_string(version) +
        " is newer than this server supports (" + std::to_string(target) + ")");
  }
  for (; version < target; version++) {
    RETURN_IF_ERROR(SqliteExec(db, database, "BEGIN IMMEDIATE"));
    Status s = SqliteExec(db, database, migrations[version]);
    // PRAGMA takes no bound parameters; the value is our own integer.
    const std::string bump = "PRAGMA user_version = " + std::to_string(version + 1);
    if (s.ok()) s = SqliteExec(db, database, bump.c_str());
    if (s.ok()) s = SqliteExec(db, database, "COMMIT");
    if (!s.ok()) {
      SqliteExec(db, database, "ROLLBACK").IgnoreError();
      return s;
    }
  }
  return OkStatus();
}

}  // namespace sluice::index

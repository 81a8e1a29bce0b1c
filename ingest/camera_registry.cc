// SPDX-License-Identifier: Apache-2.0
// CameraRegistry: SQLite statements for the camera table.

#include "ingest/camera_registry.h"

#include "index/sqlite_util.h"

#include <sqlite3.h>

namespace sluice::ingest {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS cameras (name TEXT PRIMARY KEY, url TEXT NOT NULL,"
    " stream TEXT NOT NULL, transport TEXT NOT NULL, created_ms INTEGER NOT NULL)";

Status Exec(sqlite3* db, const char* sql) { return index::SqliteExec(db, "camera registry", sql); }

// A prepared statement, finalized on scope exit.
struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

Status Prepare(sqlite3* db, const char* sql, Stmt* stmt) {
  if (sqlite3_prepare_v2(db, sql, -1, &stmt->s, nullptr) != SQLITE_OK) {
    return InternalError(std::string("camera registry: ") + sqlite3_errmsg(db));
  }
  return OkStatus();
}

void BindText(Stmt* stmt, int i, const std::string& v) {
  sqlite3_bind_text(stmt->s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string Column(Stmt* stmt, int i) {
  const auto* text = sqlite3_column_text(stmt->s, i);
  return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

}  // namespace

Result<std::unique_ptr<CameraRegistry>> CameraRegistry::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return UnavailableError("cannot open camera registry " + path + ": " + message);
  }
  std::unique_ptr<CameraRegistry> registry(new CameraRegistry(db));
  sqlite3_busy_timeout(db, 5000);
  RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode = WAL"));
  RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(Exec(db, kSchema));
  return registry;
}

CameraRegistry::~CameraRegistry() { sqlite3_close(db_); }

Result<std::vector<CameraConfig>> CameraRegistry::Load() {
  Stmt stmt;
  RETURN_IF_ERROR(
      Prepare(db_, "SELECT name, url, stream, transport FROM cameras ORDER BY name", &stmt));
  std::vector<CameraConfig> out;
  int rc;
  while ((rc = sqlite3_step(stmt.s)) == SQLITE_ROW) {
    out.push_back({.name = Column(&stmt, 0),
                   .url = Column(&stmt, 1),
                   .stream_name = Column(&stmt, 2),
                   .transport = Column(&stmt, 3)});
  }
  if (rc != SQLITE_DONE)
    return InternalError(std::string("camera registry: ") + sqlite3_errmsg(db_));
  return out;
}

Status CameraRegistry::Insert(const CameraConfig& camera, int64_t created_ms) {
  Stmt stmt;
  RETURN_IF_ERROR(Prepare(db_,
                          "INSERT INTO cameras (name, url, stream, transport, created_ms)"
                          " VALUES (?, ?, ?, ?, ?)",
                          &stmt));
  BindText(&stmt, 1, camera.name);
  BindText(&stmt, 2, camera.url);
  BindText(&stmt, 3, camera.stream_name);
  BindText(&stmt, 4, camera.transport);
  sqlite3_bind_int64(stmt.s, 5, created_ms);
  const int rc = sqlite3_step(stmt.s);
  if (rc == SQLITE_CONSTRAINT) return AlreadyExistsError("camera " + camera.name + " exists");
  if (rc != SQLITE_DONE)
    return InternalError(std::string("camera registry: ") + sqlite3_errmsg(db_));
  return OkStatus();
}

Status CameraRegistry::Remove(const std::string& name) {
  Stmt stmt;
  RETURN_IF_ERROR(Prepare(db_, "DELETE FROM cameras WHERE name = ?", &stmt));
  BindText(&stmt, 1, name);
  if (sqlite3_step(stmt.s) != SQLITE_DONE) {
    return InternalError(std::string("camera registry: ") + sqlite3_errmsg(db_));
  }
  if (sqlite3_changes(db_) == 0) return NotFoundError("camera " + name + " not found");
  return OkStatus();
}

}  // namespace sluice::ingest

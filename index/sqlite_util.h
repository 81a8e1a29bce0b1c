// SPDX-License-Identifier: Apache-2.0
// Small SQLite helpers shared by every embedded database of the server (the catalog, the fragment
// index, the camera registry): result codes mapped to Status, statement execution, and versioned
// schema migrations through PRAGMA user_version.
#pragma once

#include <span>
#include <string_view>

#include "base/status.h"

struct sqlite3;

namespace sluice::index {

// Maps a SQLite result code to our vocabulary: BUSY/LOCKED -> Unavailable, FULL ->
// ResourceExhausted, CORRUPT/NOTADB -> DataLoss, anything else Internal. The message reads
// "<database>: <what>: <sqlite's message>".
Status SqliteError(sqlite3* db, int rc, std::string_view database, std::string_view what);

// Runs SQL that returns no rows (one or more statements).
Status SqliteExec(sqlite3* db, std::string_view database, const char* sql);

// Brings the schema to version migrations.size(): migration i (0-based) takes version i to i+1,
// each in its own IMMEDIATE transaction together with the version bump. A database newer than
// this server is FailedPrecondition.
Status SqliteMigrate(sqlite3* db, std::string_view database,
                     std::span<const char* const> migrations);

}  // namespace sluice::index

// SPDX-License-Identifier: Apache-2.0
// CameraRegistry: the durable list of cameras (CameraManager's table) in a small SQLite database
// of its own (WAL, synchronous=FULL), so that a restart resumes pulling every camera.
//   cameras(name TEXT PRIMARY KEY, url TEXT, stream TEXT, transport TEXT, created_ms INTEGER)
// Not thread-safe: CameraManager serialises its use.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "ingest/camera_manager.h"

struct sqlite3;

namespace sluice::ingest {

class CameraRegistry {
 public:
  static Result<std::unique_ptr<CameraRegistry>> Open(const std::string& path);
  ~CameraRegistry();
  CameraRegistry(const CameraRegistry&) = delete;
  CameraRegistry& operator=(const CameraRegistry&) = delete;

  Result<std::vector<CameraConfig>> Load();
  // AlreadyExists if the name is taken.
  Status Insert(const CameraConfig& camera, int64_t created_ms);
  // NotFound if absent.
  Status Remove(const std::string& name);

 private:
  explicit CameraRegistry(sqlite3* db) : db_(db) {}
  sqlite3* const db_;  // owned
};

}  // namespace sluice::ingest

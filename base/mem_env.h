// SPDX-License-Identifier: Apache-2.0
// MemEnv: an Env held entirely in memory, for tests. Besides behaving like a file system it injects
// the failures a disk produces: fsync errors, a full disk (short write + ResourceExhausted), power
// loss (unsynced bytes vanish) and flipped bits (leveldb's memenv + fault_injection_test ideas).
// Example:
//   MemEnv env;
//   env.FailSyncs(1);               // the next WritableFile::Sync fails
//   env.SetWriteBudget(100);        // appends beyond 100 more bytes fail with a short write
//   env.DropUnsyncedData();         // "pull the plug"
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "base/env.h"
#include "base/thread_annotations.h"

namespace sluice {

// Paths are plain strings ("/data/s/0/x.log", trailing and doubled slashes ignored). Directories
// are implicit: creating a file creates its parents. ListDir and CreateDirs behave as on a real
// file system for the names under a directory. Thread-safe: one mutex guards all state, so files
// opened from this env may be used from any thread (each WritableFile still has one writer at a
// time). The env must outlive every file it opened.
class MemEnv : public Env {
 public:
  MemEnv() = default;
  ~MemEnv() override;
  MemEnv(const MemEnv&) = delete;
  MemEnv& operator=(const MemEnv&) = delete;

  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDirRecursively(const std::string& dir) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

  // --- fault injection ---------------------------------------------------------------------------
  // The next n WritableFile::Sync() calls fail with s (and make nothing durable).
  void FailSyncs(int n, Status s = InternalError("injected fsync failure"));
  // Total bytes Append may still write (nullopt: unlimited). An Append that exceeds it writes only
  // the remaining bytes (a short write) and returns ResourceExhausted with the message
  // "No space left on device: <path>", as PosixEnv does on ENOSPC.
  void SetWriteBudget(std::optional<uint64_t> bytes);
  // Power loss: every file loses the bytes appended after its last successful Sync.
  void DropUnsyncedData();
  // Flips every bit of the stored byte at offset (no-op if the file or offset does not exist).
  void CorruptByte(const std::string& path, uint64_t offset);
  // Successful WritableFile::Sync() calls so far.
  uint64_t sync_count() const;

 private:
  class File;
  class Reader;
  struct FileState {
    std::string data;
    uint64_t synced = 0;  // data[0, synced) survives DropUnsyncedData
  };

  Status AppendTo(FileState* f, const std::string& path, std::string_view data) EXCLUDES(mu_);
  Status SyncFile(FileState* f) EXCLUDES(mu_);
  void AddParentsLocked(const std::string& path) REQUIRES(mu_);
  bool IsDirLocked(const std::string& path) const REQUIRES(mu_);

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<FileState>> files_ GUARDED_BY(mu_);  // by normalised path
  std::set<std::string> dirs_ GUARDED_BY(mu_);  // every directory that exists
  int failing_syncs_ GUARDED_BY(mu_) = 0;
  Status sync_failure_ GUARDED_BY(mu_);
  std::optional<uint64_t> write_budget_ GUARDED_BY(mu_);
  uint64_t sync_count_ GUARDED_BY(mu_) = 0;
};

}  // namespace sluice

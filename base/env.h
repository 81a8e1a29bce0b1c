// SPDX-License-Identifier: Apache-2.0
// Env: every file-system access of the engine and index goes through this small interface, so that
// tests run in memory and inject short writes, fsync failures and crashes (leveldb's Env idea).
// PosixEnv() is the real one; MemEnv (base/mem_env.h) is the in-memory one with fault injection.
// Example:
//   Env* env = PosixEnv();
//   ASSIGN_OR_RETURN(auto file, env->NewAppendableFile(dir + "/00000000000000000000.log"));
//   RETURN_IF_ERROR(file->Append(bytes));
//   RETURN_IF_ERROR(file->Sync());
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace sluice {

// A file opened for appending. Not thread-safe: one writer at a time (the shard's writer).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes every appended byte durable (fdatasync). An error means durability is unknown: the
  // caller must not acknowledge anything written since the last successful Sync.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes in the file, including those appended but not yet synced.
  virtual uint64_t Size() const = 0;
};

// A file opened for positional reads. Thread-safe: many readers may call Read at once.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into scratch; returns the bytes read (fewer at end of file).
  virtual Result<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const = 0;
  virtual Result<uint64_t> Size() const = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // Opens (creating if absent) for appending at the end.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries in dir, unsorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual Status CreateDirs(const std::string& dir) = 0;  // like mkdir -p
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status RemoveDirRecursively(const std::string& dir) = 0;
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Makes a directory's entries (created, renamed, removed files) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Reads a whole file; for small files only (headers, sidecars).
  Result<std::string> ReadFileToString(const std::string& path);
  // Writes a small file atomically: temp file, fsync, rename, fsync dir.
  Status WriteFileAtomically(const std::string& path, std::string_view data);
};

// The process-wide POSIX environment. Never null; not owned by the caller.
Env* PosixEnv();

}  // namespace sluice

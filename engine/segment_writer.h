// SPDX-License-Identifier: Apache-2.0
// SegmentWriter: appends encoded entries to the active segment file of one shard and undoes a
// failed append (truncates back to the last complete entry). Also the entry and header encoders, so
// that the writer side of the format lives in one place (the reader side is segment_reader.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/result.h"

namespace sluice::engine {

// Bytes one record entry takes on disk (header + type + body).
size_t RecordEntrySize(std::string_view key, std::string_view meta, std::string_view data);
// Appends one complete record entry (crc, length, type, body) to *buf.
void AppendRecordEntry(std::string* buf, uint64_t counter, int64_t arrival_ms, std::string_view key,
                       std::string_view meta, std::string_view data);
// The 32-byte segment header.
std::string EncodeSegmentHeader(uint64_t base_counter, int64_t created_ms);
// "<dir>/<20-digit base counter><ext>".
std::string SegmentPath(const std::string& dir, uint64_t base_counter, const char* ext);

// Lifecycle: Create() (new segment: header written and fsynced) or Reopen() (after recovery), then
// Append/Sync until the segment is sealed, then dropped. Concurrency: one writer at a time (the
// shard's mutex holder) calls Append; the sync thread may call Sync on file_for_sync() at the same
// time, which both Envs support (fdatasync does not race with write(2)).
class SegmentWriter {
 public:
  // env must outlive the writer.
  static Result<std::unique_ptr<SegmentWriter>> Create(Env* env, const std::string& path,
                                                       uint64_t base_counter, int64_t created_ms);
  static Result<std::unique_ptr<SegmentWriter>> Reopen(Env* env, const std::string& path);

  // Appends bytes (whole entries). On failure the file is truncated back to its size before the
  // call and reopened, so no partial entry stays; if that repair fails too, broken() turns true and
  // the segment must not be written again. Returns the write's own error either way.
  Status Append(std::string_view bytes);
  Status Sync() { return file_->Sync(); }
  // The file handle for a sync that runs outside the shard mutex. Stays valid (and syncable) even
  // after the writer reopens or drops the file.
  std::shared_ptr<WritableFile> file_for_sync() const { return file_; }

  uint64_t size() const { return size_; }
  bool broken() const { return broken_; }
  const std::string& path() const { return path_; }

 private:
  SegmentWriter(Env* env, std::string path, std::shared_ptr<WritableFile> file);

  Env* const env_;
  const std::string path_;
  std::shared_ptr<WritableFile> file_;
  uint64_t size_;
  bool broken_ = false;
};

}  // namespace sluice::engine

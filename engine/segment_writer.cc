// SPDX-License-Identifier: Apache-2.0
// Entry encoding (one pass, CRC filled in last) and the active segment's append/repair logic.
#include "engine/segment_writer.h"

#include <cstdio>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/log.h"
#include "engine/format.h"

namespace sluice::engine {

size_t RecordEntrySize(std::string_view key, std::string_view meta, std::string_view data) {
  return format::kEntryHeaderSize + 1 + format::kRecordFixedBodySize +
         static_cast<size_t>(VarintLength(key.size())) + key.size() +
         static_cast<size_t>(VarintLength(meta.size())) + meta.size() + data.size();
}

void AppendRecordEntry(std::string* buf, uint64_t counter, int64_t arrival_ms, std::string_view key,
                       std::string_view meta, std::string_view data) {
  const size_t start = buf->size();
  buf->append(format::kEntryHeaderSize, '\0');  // crc + length, filled in below
  buf->push_back(static_cast<char>(format::kRecordType));
  PutFixed64(buf, counter);
  PutFixed64(buf, static_cast<uint64_t>(arrival_ms));
  PutLengthPrefixed(buf, key);
  PutLengthPrefixed(buf, meta);
  buf->append(data.data(), data.size());
  char* p = buf->data() + start;
  const size_t length = buf->size() - start - format::kEntryHeaderSize;
  const uint32_t crc = crc32c::Value(p + format::kEntryHeaderSize, length);
  EncodeFixed32(p, crc32c::Mask(crc));
  EncodeFixed32(p + 4, static_cast<uint32_t>(length));
}

std::string EncodeSegmentHeader(uint64_t base_counter, int64_t created_ms) {
  std::string h(format::kSegmentMagic, sizeof(format::kSegmentMagic));
  PutFixed32(&h, format::kSegmentFormatVersion);
  PutFixed64(&h, base_counter);
  PutFixed64(&h, static_cast<uint64_t>(created_ms));
  PutFixed32(&h, crc32c::Mask(crc32c::Value(h)));
  return h;
}

std::string SegmentPath(const std::string& dir, uint64_t base_counter, const char* ext) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020llu", static_cast<unsigned long long>(base_counter));
  return dir + "/" + name + ext;
}

SegmentWriter::SegmentWriter(Env* env, std::string path, std::shared_ptr<WritableFile> file)
    : env_(env), path_(std::move(path)), file_(std::move(file)), size_(file_->Size()) {}

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::Create(Env* env, const std::string& path,
                                                             uint64_t base_counter,
                                                             int64_t created_ms) {
  // A leftover file of that name can only be an empty or torn attempt at this same segment.
  if (env->FileExists(path)) RETURN_IF_ERROR(env->TruncateFile(path, 0));
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->NewAppendableFile(path));
  Status s = file->Append(EncodeSegmentHeader(base_counter, created_ms));
  if (s.ok()) s = file->Sync();
  if (!s.ok()) {
    file.reset();
    env->RemoveFile(path).IgnoreError();
    return s;
  }
  return std::unique_ptr<SegmentWriter>(
      new SegmentWriter(env, path, std::shared_ptr<WritableFile>(std::move(file))));
}

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::Reopen(Env* env, const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->NewAppendableFile(path));
  return std::unique_ptr<SegmentWriter>(
      new SegmentWriter(env, path, std::shared_ptr<WritableFile>(std::move(file))));
}

Status SegmentWriter::Append(std::string_view bytes) {
  if (broken_) return UnavailableError("segment " + path_ + " is read-only after a failed repair");
  Status s = file_->Append(bytes);
  if (s.ok()) {
    size_ += bytes.size();
    return s;
  }
  // A short write may have left part of an entry: cut the file back to the last complete entry.
  // The handle caches its size, so it is replaced by a fresh one opened at the new end.
  Status repair = env_->TruncateFile(path_, size_);
  if (repair.ok()) {
    Result<std::unique_ptr<WritableFile>> reopened = env_->NewAppendableFile(path_);
    if (reopened.ok()) {
      file_ = std::shared_ptr<WritableFile>(std::move(*reopened));
    } else {
      repair = reopened.status();
    }
  }
  if (!repair.ok()) {
    broken_ = true;
    LOG_ERROR(
        "engine", "cannot undo a failed segment write; shard is read-only until restart",
        {{"path", path_}, {"write_error", s.ToString()}, {"repair_error", repair.ToString()}});
  }
  return s;
}

}  // namespace sluice::engine

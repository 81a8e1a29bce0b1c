// SPDX-License-Identifier: Apache-2.0
// Segment scanning with CRC checks, pread into one reusable buffer.
#include "engine/segment_reader.h"

#include <algorithm>
#include <cstring>

#include "base/coding.h"
#include "base/crc32c.h"
#include "engine/format.h"

namespace sluice::engine {
namespace {

// Reads at least this much per pread so that small entries cost one syscall per chunk.
constexpr size_t kMinChunk = 64 * 1024;

}  // namespace

Result<RecordView> DecodeRecordBody(std::string_view body) {
  RecordView r;
  if (!GetFixed64(&body, &r.counter)) return DataLossError("record body too short");
  uint64_t arrival = 0;
  if (!GetFixed64(&body, &arrival)) return DataLossError("record body too short");
  r.arrival_ms = static_cast<int64_t>(arrival);
  if (!GetLengthPrefixed(&body, &r.key) || !GetLengthPrefixed(&body, &r.meta)) {
    return DataLossError("record body: bad key or meta length");
  }
  r.data = body;
  return r;
}

Result<SegmentHeader> DecodeSegmentHeader(std::string_view bytes) {
  if (bytes.size() < format::kSegmentHeaderSize) return DataLossError("segment header torn");
  if (std::memcmp(bytes.data(), format::kSegmentMagic, sizeof(format::kSegmentMagic)) != 0) {
    return DataLossError("segment header: bad magic");
  }
  const char* p = bytes.data() + sizeof(format::kSegmentMagic);
  const size_t crc_at = format::kSegmentHeaderSize - 4;
  if (crc32c::Unmask(DecodeFixed32(bytes.data() + crc_at)) != crc32c::Value(bytes.data(), crc_at)) {
    return DataLossError("segment header: checksum mismatch");
  }
  if (DecodeFixed32(p) != format::kSegmentFormatVersion) {
    return DataLossError("segment header: unsupported format version " +
                         std::to_string(DecodeFixed32(p)));
  }
  return SegmentHeader{DecodeFixed64(p + 4), static_cast<int64_t>(DecodeFixed64(p + 12))};
}

Result<SegmentHeader> ReadSegmentHeader(const RandomAccessFile& file) {
  char scratch[format::kSegmentHeaderSize];
  ASSIGN_OR_RETURN(std::string_view got, file.Read(0, sizeof(scratch), scratch));
  return DecodeSegmentHeader(got);
}

SegmentReader::SegmentReader(const RandomAccessFile* file, uint64_t position, uint64_t limit)
    : file_(file), position_(position), limit_(limit) {}

bool SegmentReader::Fill(size_t n) {
  if (position_ + n > limit_) return false;
  if (position_ >= buffer_start_ && position_ + n <= buffer_start_ + buffer_len_) return true;
  const size_t want =
      static_cast<size_t>(std::min<uint64_t>(std::max(n, kMinChunk), limit_ - position_));
  if (buffer_.size() < want) buffer_.resize(want);
  Result<std::string_view> got = file_->Read(position_, want, buffer_.data());
  if (!got.ok()) {
    status_ = got.status();
    return false;
  }
  if (got->data() != buffer_.data()) std::memmove(buffer_.data(), got->data(), got->size());
  buffer_start_ = position_;
  buffer_len_ = got->size();
  return buffer_len_ >= n;
}

SegmentReader::Outcome SegmentReader::Next(EntryView* entry) {
  if (position_ >= limit_) return Outcome::kEnd;
  if (!Fill(format::kEntryHeaderSize)) return status_.ok() ? Outcome::kTorn : Outcome::kIoError;
  const char* h = buffer_.data() + (position_ - buffer_start_);
  const uint32_t masked_crc = DecodeFixed32(h);
  const uint32_t length = DecodeFixed32(h + 4);
  if (length == 0 || length > format::kMaxEntryLength) return Outcome::kCorrupt;
  const size_t total = format::kEntryHeaderSize + length;
  if (!Fill(total)) return status_.ok() ? Outcome::kTorn : Outcome::kIoError;
  const char* body = buffer_.data() + (position_ - buffer_start_) + format::kEntryHeaderSize;
  if (crc32c::Unmask(masked_crc) != crc32c::Value(body, length)) return Outcome::kCorrupt;
  entry->type = static_cast<uint8_t>(body[0]);
  entry->position = position_;
  entry->end = position_ + total;
  entry->body = std::string_view(body + 1, length - 1);
  position_ += total;
  return Outcome::kEntry;
}

}  // namespace sluice::engine

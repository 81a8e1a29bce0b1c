// SPDX-License-Identifier: Apache-2.0
// SegmentReader: walks the entries of one segment file between two byte positions, checking each
// entry's length and CRC (leveldb's log::Reader idea). It reports a torn or corrupt entry instead
// of guessing past it; the caller decides (recovery truncates the tail, reads return DataLoss).
// Also the record body decoder and the header check.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/result.h"

namespace sluice::engine {

// One entry as stored; `body` points into the reader's buffer and is valid until the next Next().
struct EntryView {
  uint8_t type = 0;
  uint64_t position = 0;  // file position of the entry's first byte
  uint64_t end = 0;       // one past its last byte
  std::string_view body;
};

// A decoded record body; views into the entry's body.
struct RecordView {
  uint64_t counter = 0;
  int64_t arrival_ms = 0;
  std::string_view key;
  std::string_view meta;
  std::string_view data;
};

// DataLoss if the body is not a well-formed record.
Result<RecordView> DecodeRecordBody(std::string_view body);

struct SegmentHeader {
  uint64_t base_counter = 0;
  int64_t created_ms = 0;
};
// DataLoss when the bytes are not a valid segment header (magic, version, CRC).
Result<SegmentHeader> DecodeSegmentHeader(std::string_view bytes);
// Reads and checks the header at the start of a segment file.
Result<SegmentHeader> ReadSegmentHeader(const RandomAccessFile& file);

// Not thread-safe; cheap to create per read. `file` must outlive the reader.
class SegmentReader {
 public:
  enum class Outcome {
    kEntry,    // *entry holds the next entry
    kEnd,      // clean end: position() == limit
    kTorn,     // the bytes before limit end inside an entry (a torn tail)
    kCorrupt,  // bad CRC or impossible length at position()
    kIoError,  // the read failed; see status()
  };

  // Reads entries starting at `position` (an entry boundary) and ending at `limit`.
  SegmentReader(const RandomAccessFile* file, uint64_t position, uint64_t limit);

  Outcome Next(EntryView* entry);
  // Start of the next unread entry: after kTorn/kCorrupt, the end of the last good entry.
  uint64_t position() const { return position_; }
  const Status& status() const { return status_; }

 private:
  // Makes [position_, position_ + n) available in buffer_; false at limit or on a read error.
  bool Fill(size_t n);

  const RandomAccessFile* const file_;
  uint64_t position_;
  const uint64_t limit_;
  std::string buffer_;
  uint64_t buffer_start_ = 0;  // file position of buffer_[0]
  size_t buffer_len_ = 0;      // valid bytes in buffer_
  Status status_;
};

}  // namespace sluice::engine

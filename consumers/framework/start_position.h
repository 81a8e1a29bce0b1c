// SPDX-License-Identifier: Apache-2.0
// Where a reader of a data-stream shard starts (GetShardIterator's five types), how a lease's
// checkpoint turns into one, and numeric comparison of wire sequence numbers. Plain values.
// Example:
//   ASSIGN_OR_RETURN(StartPosition p, ResumePosition(lease.checkpoint, app.initial_timestamp));
//   if (CompareSequenceNumbers(a, b) < 0) { /* a came first in the shard */ }
#pragma once

#include <string>
#include <string_view>

#include "base/ids.h"
#include "base/result.h"

namespace sluice::consumers {

struct StartPosition {
  enum class Type {
    kTrimHorizon,          // the oldest retained record
    kLatest,               // only records that arrive after opening
    kAtSequenceNumber,     // the record with `sequence_number`
    kAfterSequenceNumber,  // the record after `sequence_number` (resuming from a checkpoint)
    kAtTimestamp,          // the first record that arrived at or after `timestamp`
  };
  Type type = Type::kTrimHorizon;
  std::string sequence_number;
  TimestampMs timestamp;

  static StartPosition TrimHorizon() { return {}; }
  static StartPosition Latest() { return {.type = Type::kLatest}; }
  static StartPosition AtSequenceNumber(std::string seq) {
    return {.type = Type::kAtSequenceNumber, .sequence_number = std::move(seq)};
  }
  static StartPosition AfterSequenceNumber(std::string seq) {
    return {.type = Type::kAfterSequenceNumber, .sequence_number = std::move(seq)};
  }
  static StartPosition AtTimestamp(TimestampMs t) {
    return {.type = Type::kAtTimestamp, .timestamp = t};
  }

  // "TRIM_HORIZON", "AFTER_SEQUENCE_NUMBER 4959...", "AT_TIMESTAMP 1700000000000" (for logs).
  std::string ToString() const;
  friend bool operator==(const StartPosition&, const StartPosition&) = default;
};

// GetShardIterator's ShardIteratorType names: "TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", ...
std::string_view StartTypeName(StartPosition::Type type);
Result<StartPosition::Type> ParseStartType(std::string_view name);

// The position a lease resumes at: TRIM_HORIZON / LATEST as such, AT_TIMESTAMP at
// `initial_timestamp`, a sequence number after that record. FailedPrecondition for SHARD_END
// (nothing is left to read), InvalidArgument for an empty checkpoint.
Result<StartPosition> ResumePosition(std::string_view checkpoint, TimestampMs initial_timestamp);

// Sequence numbers are decimal strings without leading zeros: compare by length, then text.
// Negative, zero or positive like strcmp.
int CompareSequenceNumbers(std::string_view a, std::string_view b);

}  // namespace sluice::consumers

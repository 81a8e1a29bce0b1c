// SPDX-License-Identifier: Apache-2.0
// StartPosition names, checkpoint resumption and sequence-number comparison.
#include "consumers/framework/start_position.h"

#include "index/consumer_leases.h"

namespace sluice::consumers {

std::string_view StartTypeName(StartPosition::Type type) {
  switch (type) {
    case StartPosition::Type::kTrimHorizon:
      return "TRIM_HORIZON";
    case StartPosition::Type::kLatest:
      return "LATEST";
    case StartPosition::Type::kAtSequenceNumber:
      return "AT_SEQUENCE_NUMBER";
    case StartPosition::Type::kAfterSequenceNumber:
      return "AFTER_SEQUENCE_NUMBER";
    case StartPosition::Type::kAtTimestamp:
      return "AT_TIMESTAMP";
  }
  return "UNKNOWN";
}

Result<StartPosition::Type> ParseStartType(std::string_view name) {
  for (auto t : {StartPosition::Type::kTrimHorizon, StartPosition::Type::kLatest,
                 StartPosition::Type::kAtSequenceNumber, StartPosition::Type::kAfterSequenceNumber,
                 StartPosition::Type::kAtTimestamp}) {
    if (StartTypeName(t) == name) return t;
  }
  return InvalidArgumentError("unknown start position '" + std::string(name) + "'");
}

std::string StartPosition::ToString() const {
  std::string out(StartTypeName(type));
  if (type == Type::kAtSequenceNumber || type == Type::kAfterSequenceNumber) {
    out += " " + sequence_number;
  } else if (type == Type::kAtTimestamp) {
    out += " " + std::to_string(timestamp.value());
  }
  return out;
}

Result<StartPosition> ResumePosition(std::string_view checkpoint, TimestampMs initial_timestamp) {
  if (checkpoint.empty()) return InvalidArgumentError("empty checkpoint");
  if (checkpoint == index::kCheckpointTrimHorizon) return StartPosition::TrimHorizon();
  if (checkpoint == index::kCheckpointLatest) return StartPosition::Latest();
  if (checkpoint == index::kCheckpointAtTimestamp) {
    return StartPosition::AtTimestamp(initial_timestamp);
  }
  if (checkpoint == index::kCheckpointShardEnd) {
    return FailedPreconditionError("the shard was read to its end");
  }
  return StartPosition::AfterSequenceNumber(std::string(checkpoint));
}

int CompareSequenceNumbers(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

}  // namespace sluice::consumers

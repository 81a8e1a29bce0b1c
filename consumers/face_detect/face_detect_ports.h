// SPDX-License-Identifier: Apache-2.0
// The three small interfaces the face-detection consumer runs on, so that the same consumer runs
// inside the server (local_ports.h: the fragment follower, the engine, consumer leases) and in
// `sluice consume face-detect` against a remote server (app/consume_cmd.cc: GetMedia, Kinesis
// PutRecords / GetRecords, no checkpoint store):
//   FragmentSource   stored video fragments in log order, with their track header;
//   DetectionSink    the output data stream: create it, append durably, read back what it holds;
//   CheckpointStore  the last fully processed fragment (optional).
// Each implementation belongs to one consumer thread, except Stop(), which any thread may call.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"
#include "base/result.h"
#include "consumers/face_detect/detection_record.h"
#include "media/fragment.h"

namespace sluice::consumers::face_detect {

// One stored fragment with what a detector needs: frames parsed, header, numbers and times.
struct SourceFragment {
  std::string fragment_number;
  TimestampMs producer_timestamp;  // fragment start, producer clock
  TimestampMs server_timestamp;    // arrival at the server
  media::TrackHeader header;
  media::Fragment fragment;  // cluster bytes and frames (start_ns = cluster timecode in ns)
};

// Where a source starts (GetMedia's StartSelector, reduced to what the consumer uses).
struct StartPosition {
  enum class Type {
    kEarliest,         // the oldest retained fragment
    kNow,              // the latest fragment, then the live tail
    kAfterFragment,    // the fragment after `fragment_number`
    kServerTimestamp,  // the fragment holding `timestamp` (server clock), else the next one
  };
  Type type = Type::kEarliest;
  std::string fragment_number;
  TimestampMs timestamp;
};

class FragmentSource {
 public:
  virtual ~FragmentSource() = default;
  // (Re)starts reading at `start`, dropping any earlier reading. NotFound when the stream does
  // not exist (yet); Unavailable when the server cannot be reached.
  virtual Status Open(const StartPosition& start) = 0;
  // The next fragments in log order; waits up to `wait` when none is ready and then returns an
  // empty batch. Cancelled once Stop() was called; Unavailable when the connection broke (Open
  // again); NotFound when the stream was deleted.
  virtual Result<std::vector<SourceFragment>> Next(std::chrono::milliseconds wait) = 0;
  // Wakes a waiting Next() and makes it return Cancelled. Thread-safe; idempotent.
  virtual void Stop() = 0;
};

class DetectionSink {
 public:
  virtual ~DetectionSink() = default;
  // Creates the output data stream (one shard) unless it exists; returns once it takes records.
  virtual Status EnsureStream() = 0;
  // Appends the records, partition key = record.stream, in order; returns once every one is
  // durable. On an error, any prefix or subset may have been written: the consumer then reads
  // the stream back (ScanWritten) before going on.
  virtual Status Write(const std::vector<DetectionRecord>& records) = 0;
  // Calls `visit` for every record with this partition key that arrived at or after `since`
  // (nullopt: every retained record, or as far back as the implementation looks, which it
  // documents), in no particular order across shards. Records that do not decode are skipped.
  virtual Status ScanWritten(std::string_view partition_key, std::optional<TimestampMs> since,
                             const std::function<void(const DetectionRecord&)>& visit) = 0;
};

// The last fragment whose detection records are all durable.
struct Checkpoint {
  std::string fragment_number;
  // The fragment's arrival at the server, when known: records for later fragments were written
  // after it, so a read-back of the output stream can start there.
  std::optional<TimestampMs> server_timestamp;
};

class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  virtual Result<std::optional<Checkpoint>> Load() = 0;
  virtual Status Save(const Checkpoint& checkpoint) = 0;
  // Called from the consumer loop at least every second: keeps a claim (a lease) alive.
  // FailedPrecondition once the claim was lost; the consumer then stops.
  virtual Status KeepAlive() = 0;
};

}  // namespace sluice::consumers::face_detect

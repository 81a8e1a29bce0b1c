// SPDX-License-Identifier: Apache-2.0
// RecordSource: how the consumer framework reads a data-stream shard, behind an interface so that
// the same workers run inside the server (LocalRecordSource over the engine, local_backend.h) and
// in a separate process against a remote server (GetShardIterator / GetRecords over HTTP).
// A ShardReader is one open iterator: Read() never blocks; WaitForData() sleeps until new
// records may be readable.
// Example:
//   ASSIGN_OR_RETURN(auto reader, source->Open("orders", ShardIndex(0), StartPosition::Latest()));
//   ASSIGN_OR_RETURN(RecordBatch b, reader->Read(1000));
//   if (b.records.empty() && !b.shard_ended) reader->WaitForData(std::chrono::seconds(1));
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"
#include "base/result.h"
#include "consumers/framework/start_position.h"

namespace sluice::consumers {

// One record as a consumer sees it (what GetRecords returns).
struct Record {
  std::string sequence_number;
  TimestampMs arrival;  // ApproximateArrivalTimestamp
  std::string partition_key;
  std::string data;

  friend bool operator==(const Record&, const Record&) = default;
};

struct RecordBatch {
  std::vector<Record> records;  // in shard order
  int64_t millis_behind_latest = 0;
  // The shard is closed and every record of it has been returned: no further Read yields any.
  bool shard_ended = false;
};

class ShardReader {
 public:
  virtual ~ShardReader() = default;
  // The next records (at most max_records; empty when caught up). Never blocks on writers.
  virtual Result<RecordBatch> Read(size_t max_records) = 0;
  // Returns when records may have arrived since the last Read, after `timeout`, or once
  // Interrupt() was called (it then returns at once until the reader is destroyed).
  virtual void WaitForData(std::chrono::milliseconds timeout) = 0;
  // Thread-safe: ends a WaitForData in progress on another thread.
  virtual void Interrupt() = 0;
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // InvalidArgument for a sequence number of another shard or stream; NotFound for an unknown
  // stream or shard.
  virtual Result<std::unique_ptr<ShardReader>> Open(std::string_view stream, ShardIndex shard,
                                                    const StartPosition& start) = 0;
};

}  // namespace sluice::consumers

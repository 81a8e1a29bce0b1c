// SPDX-License-Identifier: Apache-2.0
// DeliveryBatch: a run of consecutive records of one shard, delivered as one object, and its
// encodings: the deterministic name "<stream>-<shard id>-<first seq>-<last seq>" (a batch
// delivered again gets the same name, so it overwrites instead of duplicating), the UTC hour
// prefix "YYYY/MM/DD/HH" of its first record's arrival, and the bodies (JSON lines, or the raw
// data of each record followed by a delimiter).
// Example:
//   DeliveryBatch b{.stream = "orders", .shard_id = "shardId-000000000000", .records = recs};
//   std::string path = TimePrefix(b.records[0].arrival) + "/" + b.Name() + ".jsonl";
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"
#include "consumers/framework/record_source.h"

namespace sluice::consumers::deliver {

enum class BatchFormat {
  kJsonLines,  // one JSON object per record and line (see EncodeJsonLines)
  kRaw,        // each record's data followed by the delimiter (Firehose's plain objects)
};

struct DeliveryBatch {
  std::string stream;
  std::string shard_id;
  std::vector<Record> records;  // non-empty, in shard order

  std::string Name() const;
  size_t Bytes() const;  // data + partition keys
};

// "2024/01/31/23" for a time in that UTC hour.
std::string TimePrefix(TimestampMs t);

// One line per record, in order:
// {"stream":"orders","shardId":"shardId-000000000000","sequenceNumber":"4959...",
//  "partitionKey":"user1","approximateArrivalTimestamp":1700000000000,"data":"<base64>"}
std::string EncodeJsonLines(const DeliveryBatch& batch);
std::string EncodeRaw(const DeliveryBatch& batch, std::string_view delimiter);

// The name's parts back: false when `name` is not "<stream>-<shard id>-<first>-<last>" for this
// stream and shard.
bool ParseBatchName(std::string_view name, std::string_view stream, std::string_view shard_id,
                    std::string* first, std::string* last);

}  // namespace sluice::consumers::deliver

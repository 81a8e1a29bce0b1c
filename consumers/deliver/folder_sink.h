// SPDX-License-Identifier: Apache-2.0
// FolderSink: delivers batches as files under a local folder, partitioned by the UTC hour of each
// batch's first record: <root>/YYYY/MM/DD/HH/<stream>-<shard id>-<first seq>-<last seq>[.jsonl]
// [.gz]. Each file is written atomically (a hidden temp file, fsync, rename, directory fsync), so
// a reader never sees half a batch, and a batch delivered again overwrites the same name.
// DeliverFailed puts a batch that could not be delivered elsewhere into this folder with a
// "<file>.error.json" beside it (the error prefix).
// Thread-safety: every method may be called from any thread.
// Example:
//   FolderSink sink({.root = "/srv/archive", .gzip = true});
//   RETURN_IF_ERROR(sink.Deliver(batch));
#pragma once

#include <string>

#include "base/env.h"
#include "consumers/deliver/delivery_sink.h"

namespace sluice::consumers::deliver {

struct FolderSinkOptions {
  std::string root;
  BatchFormat format = BatchFormat::kJsonLines;
  std::string delimiter = "\n";  // after each record in kRaw
  bool gzip = false;
  Env* env = nullptr;  // null: PosixEnv(). Not owned.
};

class FolderSink : public DeliverySink {
 public:
  explicit FolderSink(FolderSinkOptions options);

  Status Deliver(const DeliveryBatch& batch) override;
  // Writes the batch and "<file>.error.json" ({"errorMessage", "errorCode", "attempts",
  // "recordCount", "destination"}) describing why it was not delivered to `destination`.
  Status DeliverFailed(const DeliveryBatch& batch, const Status& error, int attempts,
                       const std::string& destination);
  Result<std::optional<std::string>> DeliveredBatchEnd(std::string_view stream,
                                                       std::string_view shard_id,
                                                       const Record& first) override;
  std::string Describe() const override { return "folder " + options_.root; }

  // The path a batch is written to.
  std::string PathOf(const DeliveryBatch& batch) const;
  std::string Extension() const;  // ".jsonl", ".jsonl.gz", "", ".gz"

 private:
  Status WriteAtomically(const std::string& path, std::string_view data);
  Status EnsureDir(const std::string& dir);

  const FolderSinkOptions options_;
  Env* const env_;
};

}  // namespace sluice::consumers::deliver

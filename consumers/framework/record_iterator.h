// SPDX-License-Identifier: Apache-2.0
// RecordIterator: reads one shard of a data stream from the engine, from any of the five start
// positions, in batches, and sleeps on the shard's tail watch while caught up. It reports the end
// of a closed shard once every record of it has been returned. The in-server ShardReader.
// Lifecycle: Open, Read until shard_ended (WaitForData between empty reads); destroy to unwatch.
// Thread-safety: one reading thread; Interrupt() from any thread.
// Example:
//   ASSIGN_OR_RETURN(auto it, RecordIterator::Open(store, "orders", ShardIndex(1),
//                                                 StartPosition::AtTimestamp(t)));
//   ASSIGN_OR_RETURN(RecordBatch b, it->Read(500));
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "consumers/framework/record_source.h"
#include "engine/stream_store.h"

namespace sluice::consumers {

class RecordIterator : public ShardReader {
 public:
  // `store` must outlive the iterator. max_bytes bounds one Read (data + partition keys).
  static Result<std::unique_ptr<RecordIterator>> Open(engine::StreamStore* store,
                                                      std::string_view stream, ShardIndex shard,
                                                      const StartPosition& start,
                                                      size_t max_bytes = 10 << 20);
  ~RecordIterator() override;
  RecordIterator(const RecordIterator&) = delete;
  RecordIterator& operator=(const RecordIterator&) = delete;

  // NotFound once the stream was deleted (or deleted and created again).
  Result<RecordBatch> Read(size_t max_records) override;
  void WaitForData(std::chrono::milliseconds timeout) override;
  void Interrupt() override;

  // The counter the next Read starts at.
  EntryCounter position() const { return next_; }
  StreamId stream_id() const { return stream_id_; }

 private:
  // Shared with the engine's watch callback, which may outlive a moment of this object.
  struct Wake {
    std::mutex mu;
    std::condition_variable cv;
    uint64_t generation = 0;  // bumped whenever the shard's tip moves
    bool interrupted = false;
  };

  RecordIterator(engine::StreamStore* store, std::string stream, StreamId id, ShardIndex shard,
                 EntryCounter start, size_t max_bytes);

  // Constant after construction.
  engine::StreamStore* const store_;
  const std::string stream_;
  const StreamId stream_id_;
  const ShardIndex shard_;
  const size_t max_bytes_;
  const std::shared_ptr<Wake> wake_ = std::make_shared<Wake>();

  // Owned by the reading thread.
  EntryCounter next_;
  uint64_t seen_generation_ = 0;  // the generation the last Read started from
  std::optional<engine::WatchId> watch_;
};

}  // namespace sluice::consumers

// SPDX-License-Identifier: Apache-2.0
// StoreDetectionSink (store_detection_sink.h).
#include "consumers/face_detect/store_detection_sink.h"

#include <future>
#include <memory>
#include <thread>

#include "base/uint128.h"

namespace sluice::consumers::face_detect {

StoreDetectionSink::StoreDetectionSink(engine::StreamStore* store, std::string output_stream,
                                       std::chrono::milliseconds write_timeout)
    : store_(store), output_stream_(std::move(output_stream)), write_timeout_(write_timeout) {}

Status StoreDetectionSink::EnsureStream() {
  auto info = store_->DescribeStream(output_stream_);
  if (!info.ok() && info.status().code() == StatusCode::kNotFound) {
    auto created = store_->CreateStream(
        {.name = output_stream_, .kind = engine::StreamKind::kData, .shard_count = 1});
    if (!created.ok() && created.status().code() != StatusCode::kAlreadyExists) {
      return created.status();
    }
    info = store_->DescribeStream(output_stream_);
  }
  for (int i = 0; info.ok() && info->status != engine::StreamStatus::kActive && i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    info = store_->DescribeStream(output_stream_);
  }
  if (!info.ok()) return info.status();
  if (info->kind != engine::StreamKind::kData) {
    return FailedPreconditionError(output_stream_ + " is not a data stream");
  }
  if (info->status != engine::StreamStatus::kActive) {
    return UnavailableError(output_stream_ + " is not ACTIVE");
  }
  return OkStatus();
}

Status StoreDetectionSink::Write(const std::vector<DetectionRecord>& records) {
  std::vector<engine::RecordInput> inputs;
  inputs.reserve(records.size());
  for (const DetectionRecord& r : records) {
    inputs.push_back({.partition_key = r.stream, .data = EncodeDetectionRecord(r)});
  }
  // The promise outlives a timed-out wait: the engine still calls `done` later.
  auto promise = std::make_shared<std::promise<engine::PutResults>>();
  std::future<engine::PutResults> future = promise->get_future();
  store_->Put(output_stream_, std::move(inputs),
              [promise](engine::PutResults r) { promise->set_value(std::move(r)); });
  if (future.wait_for(write_timeout_) != std::future_status::ready) {
    return UnavailableError("detection records not durable within the write timeout");
  }
  const engine::PutResults results = future.get();
  if (results.size() != records.size()) {
    return results.empty() ? InternalError("put returned no result") : results.front().status();
  }
  for (const auto& r : results) {
    if (!r.ok()) return r.status();
  }
  return OkStatus();
}

Status StoreDetectionSink::ScanWritten(std::string_view partition_key,
                                       std::optional<TimestampMs> since,
                                       const std::function<void(const DetectionRecord&)>& visit) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, store_->DescribeStream(output_stream_));
  const uint128 key = Md5AsUint128(partition_key);
  for (const engine::ShardInfo& shard : info.shards) {
    if (key < shard.hash_start || key > shard.hash_end) continue;  // (closed parents included)
    engine::ReadRequest req;
    req.stream = output_stream_;
    req.expected_id = info.id;
    req.shard = shard.index;
    if (since) {
      ASSIGN_OR_RETURN(req.from, store_->AtTimestamp(output_stream_, shard.index, *since));
    } else {
      ASSIGN_OR_RETURN(req.from, store_->TrimHorizon(output_stream_, shard.index));
    }
    for (;;) {
      ASSIGN_OR_RETURN(engine::ReadBatch batch, store_->Read(req));
      for (const engine::StoredRecord& rec : batch.records) {
        if (rec.partition_key != partition_key) continue;
        auto record = DecodeDetectionRecord(rec.data);
        if (record.ok()) visit(*record);
      }
      if (batch.records.empty() || batch.shard_finished || batch.next >= batch.tip) break;
      req.from = batch.next;
    }
  }
  return OkStatus();
}

}  // namespace sluice::consumers::face_detect

// SPDX-License-Identifier: Apache-2.0
// EmbeddedStore data path: validate and route a Put's records to shards (one append group per
// shard, one `done` per call), and the read-side lookups that delegate to a ShardLog.
#include <algorithm>
#include <atomic>

#include "engine/embedded_store.h"

namespace sluice::engine {
namespace {

// The state of one Put call while its shard groups complete. The last group to finish calls done.
struct PutCall {
  PutDone done;
  PutResults results;
  std::atomic<size_t> remaining{0};
};

// One shard's share of a Put: the records (pointing into the caller's vector, which outlives the
// synchronous encoding) and where their results go.
struct Group {
  std::shared_ptr<ShardLog> shard;
  std::vector<const RecordInput*> records;
  std::vector<uint32_t> positions;
};

Status ValidateRecord(const RecordInput& r, uint64_t max_bytes) {
  if (r.partition_key.empty()) return InvalidArgumentError("partition key must not be empty");
  const uint64_t size = r.data.size() + r.partition_key.size();
  if (size > max_bytes) {
    return InvalidArgumentError("record of " + std::to_string(size) +
                                " bytes (data + partition key) exceeds the stream's limit of " +
                                std::to_string(max_bytes));
  }
  return OkStatus();
}

}  // namespace

void EmbeddedStore::FailWhole(size_t n, const Status& s, PutDone done) {
  PutResults results;
  results.reserve(n);
  for (size_t i = 0; i < n; i++) results.emplace_back(s);
  syncer_->Post([done = std::move(done), results = std::move(results)]() mutable {
    done(std::move(results));
  });
}

void EmbeddedStore::Put(std::string_view stream, std::vector<RecordInput> records, PutDone done) {
  Result<std::shared_ptr<Stream>> s = FindStream(stream);
  if (!s.ok()) return FailWhole(records.size(), s.status(), std::move(done));
  PutRouted(std::move(*s), std::move(records), std::nullopt, std::move(done));
}

void EmbeddedStore::PutToShard(std::string_view stream, ShardIndex shard,
                               std::vector<RecordInput> records, PutDone done) {
  Result<std::shared_ptr<Stream>> s = FindStream(stream);
  if (!s.ok()) return FailWhole(records.size(), s.status(), std::move(done));
  if (shard.value() >= (*s)->shards.size()) {
    return FailWhole(records.size(),
                     NotFoundError("shard " + FormatShardId(shard) + " not found in stream " +
                                   std::string(stream)),
                     std::move(done));
  }
  PutRouted(std::move(*s), std::move(records), shard, std::move(done));
}

void EmbeddedStore::PutRouted(std::shared_ptr<Stream> stream, std::vector<RecordInput> records,
                              std::optional<ShardIndex> only_shard, PutDone done) {
  uint64_t max_bytes;
  {
    std::lock_guard<std::mutex> l(mu_);
    max_bytes = stream->info.max_record_bytes;
    if (only_shard && !stream->info.shards[only_shard->value()].open()) {
      return FailWhole(
          records.size(),
          FailedPreconditionError("shard " + FormatShardId(*only_shard) + " is closed"),
          std::move(done));
    }
  }
  auto call = std::make_shared<PutCall>();
  call->done = std::move(done);
  call->results.reserve(records.size());
  std::vector<Group> groups;
  for (uint32_t i = 0; i < records.size(); i++) {
    const RecordInput& r = records[i];
    Status v = ValidateRecord(r, max_bytes);
    std::optional<ShardIndex> target = only_shard;
    if (v.ok() && !target) {
      target = stream->router->Find(RecordHashKey(r));
      if (!target) v = InternalError("no open shard holds the record's hash key");
    }
    call->results.emplace_back(v.ok() ? InternalError("") : v);
    if (!v.ok()) continue;
    const auto& shard = stream->shards[target->value()];
    auto g = std::find_if(groups.begin(), groups.end(),
                          [&](const Group& x) { return x.shard == shard; });
    if (g == groups.end()) g = groups.insert(groups.end(), Group{shard, {}, {}});
    g->records.push_back(&r);
    g->positions.push_back(i);
  }
  if (groups.empty()) {
    syncer_->Post([call] { call->done(std::move(call->results)); });
    return;
  }
  call->remaining.store(groups.size(), std::memory_order_relaxed);
  for (Group& g : groups) {
    const SequenceNumberCodec* codec = &g.shard->codec();
    const ShardIndex index = g.shard->index();
    g.shard->Append(g.records, [call, codec, index, positions = std::move(g.positions)](
                                   const Status& s, uint64_t first, int64_t arrival) {
      for (size_t k = 0; k < positions.size(); k++) {
        Result<Appended>& slot = call->results[positions[k]];
        if (!s.ok()) {
          slot = s;
          continue;
        }
        const EntryCounter c(first + k);
        slot = Appended{index, c, TimestampMs(arrival), codec->Format(c)};
      }
      if (call->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        call->done(std::move(call->results));
      }
    });
  }
}

Result<ReadBatch> EmbeddedStore::Read(const ReadRequest& request) {
  ASSIGN_OR_RETURN(std::shared_ptr<Stream> stream, FindStream(request.stream));
  std::optional<EntryCounter> ending;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (request.expected_id && *request.expected_id != stream->info.id) {
      return NotFoundError("stream " + request.stream + " was deleted and re-created");
    }
    if (request.shard.value() >= stream->shards.size()) {
      return NotFoundError("shard " + FormatShardId(request.shard) + " not found in stream " +
                           request.stream);
    }
    ending = stream->info.shards[request.shard.value()].ending_counter;
  }
  ASSIGN_OR_RETURN(ReadBatch batch,
                   stream->shards[request.shard.value()]->Read(request.from, request.limits));
  batch.shard_finished = ending.has_value() && batch.next.value() > ending->value();
  return batch;
}

Result<EntryCounter> EmbeddedStore::TrimHorizon(std::string_view stream, ShardIndex shard) {
  ASSIGN_OR_RETURN(std::shared_ptr<ShardLog> log, FindShard(stream, shard));
  return log->TrimHorizon();
}

Result<EntryCounter> EmbeddedStore::Tip(std::string_view stream, ShardIndex shard) {
  ASSIGN_OR_RETURN(std::shared_ptr<ShardLog> log, FindShard(stream, shard));
  return log->Tip();
}

Result<EntryCounter> EmbeddedStore::AtTimestamp(std::string_view stream, ShardIndex shard,
                                                TimestampMs t) {
  ASSIGN_OR_RETURN(std::shared_ptr<ShardLog> log, FindShard(stream, shard));
  return log->AtTimestamp(t);
}

Result<EntryCounter> EmbeddedStore::CounterForSequenceNumber(std::string_view stream,
                                                             ShardIndex shard,
                                                             std::string_view sequence_number) {
  ASSIGN_OR_RETURN(std::shared_ptr<ShardLog> log, FindShard(stream, shard));
  return log->codec().Parse(sequence_number);
}

}  // namespace sluice::engine

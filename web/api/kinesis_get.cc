// SPDX-License-Identifier: Apache-2.0
// GetShardIterator (the five iterator types -> an entry counter, signed into a token) and
// GetRecords (token -> engine read -> records, next token, MillisBehindLatest, ChildShards).
#include <algorithm>
#include <cstdint>

#include "engine/sequence_number.h"
#include "web/api/kinesis_ops.h"
#include "web/api/kinesis_shapes.h"

namespace sluice::web::api::kinesis {
namespace {

using nlohmann::json;

constexpr size_t kMaxGetRecordsBytes = 10 * 1024 * 1024;

// kinesalite/AWS accept "shardId-7", "7" and the canonical form; anything else is not a shard.
std::optional<ShardIndex> LenientShardIndex(std::string_view id) {
  size_t dash = id.find('-');
  std::string_view digits = dash == std::string_view::npos ? id : id.substr(dash + 1);
  digits = digits.substr(0, digits.find('-'));
  if (digits.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > 2147483647) return std::nullopt;
  }
  if (v > 2147483647) return std::nullopt;
  return ShardIndex(static_cast<uint32_t>(v));
}

std::string TypeRuleText(const std::string& type, bool has_sequence) {
  return "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
         "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
         "Request specified " +
         type +
         (has_sequence ? " and also a StartingSequenceNumber." : " and no StartingSequenceNumber.");
}

// AT_/AFTER_SEQUENCE_NUMBER: the counter the number names, checked to belong to this shard.
ApiOr<EntryCounter> CounterForSequence(Context& ctx, const engine::StreamInfo& info,
                                       ShardIndex shard, const std::string& seq) {
  Result<EntryCounter> c = ctx.store().CounterForSequenceNumber(info.name, shard, seq);
  if (c.ok()) return *c;
  if (c.status().code() != StatusCode::kInvalidArgument)
    return ctx.FromStatus(c.status(), info.name);
  const std::string shard_id = engine::FormatShardId(shard);
  Result<engine::SequenceNumberParts> parts = engine::DecodeSequenceNumber(seq);
  if (parts.ok() && parts->shard_index != shard.value()) {
    return InvalidArgument("Invalid StartingSequenceNumber. It encodes " +
                           engine::FormatShardId(ShardIndex(parts->shard_index)) +
                           ", while it was used in a call to a shard with " + shard_id);
  }
  return InvalidArgument("StartingSequenceNumber " + seq + " used in GetShardIterator on shard " +
                         shard_id + " in stream " + info.name + " under account " + ctx.account() +
                         " is invalid" +
                         (parts.ok() ? " because it did not come from this stream." : "."));
}

// The counter where an iterator of `type` starts.
ApiOr<EntryCounter> StartCounter(Context& ctx, const engine::StreamInfo& info, ShardIndex shard,
                                 const std::string& type, const std::optional<std::string>& seq,
                                 const std::optional<int64_t>& ts) {
  const bool by_sequence = type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER";
  if (seq && (type == "TRIM_HORIZON" || type == "LATEST")) {
    return InvalidArgument(TypeRuleText(type, true));
  }
  if (by_sequence && !seq) return InvalidArgument(TypeRuleText(type, false));
  Result<EntryCounter> c = EntryCounter(0);
  if (by_sequence) {
    ApiOr<EntryCounter> at = CounterForSequence(ctx, info, shard, *seq);
    if (!at.ok() || type == "AT_SEQUENCE_NUMBER") return at;
    return EntryCounter(at.value->value() + 1);
  } else if (type == "TRIM_HORIZON") {
    c = ctx.store().TrimHorizon(info.name, shard);
  } else if (type == "LATEST") {
    c = ctx.store().Tip(info.name, shard);
  } else {  // AT_TIMESTAMP
    if (!ts) {
      return InvalidArgument(
          "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current "
          "request has no timestamp parameter.");
    }
    c = ctx.store().AtTimestamp(info.name, shard, TimestampMs(*ts));
  }
  if (!c.ok()) return ctx.FromStatus(c.status(), info.name);
  return *c;
}

}  // namespace

ApiResult GetShardIterator(Context& ctx, const ApiCall& call) {
  MemberReader in(call.input, call.format);
  Violations v, rv;
  auto shard_id = in.String("ShardId");
  auto type = in.String("ShardIteratorType");
  auto seq = in.String("StartingSequenceNumber");
  auto ts = in.TimestampMs("Timestamp");
  StreamRef ref = ReadStreamRef(in, rv);
  if (!in.ok()) return in.Failure();
  CheckShardId(v, shard_id, "shardId", /*required=*/true);
  if (v.NotNull(type.has_value(), "shardIteratorType")) {
    v.Enum(
        type, "shardIteratorType",
        {"AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"});
  }
  v.Pattern(seq, "startingSequenceNumber", kSequencePattern, IsSequenceNumber);
  v.Append(rv);
  if (!v.empty()) return v.Failure();

  std::optional<ShardIndex> shard = LenientShardIndex(*shard_id);
  const std::string stream = ctx.DisplayName(ref);
  if (!shard) {
    return ApiResult::Fail("ResourceNotFoundException",
                           "Could not find shard " + *shard_id + " in stream " + stream +
                               " under account " + ctx.account() + ".");
  }
  const std::string canonical = engine::FormatShardId(*shard);
  ApiOr<engine::StreamInfo> info = ctx.Resolve(ref);
  if (!info.ok()) {
    if (info.failure.error && info.failure.error->type == "ResourceNotFoundException") {
      return ShardNotFound(canonical, stream, ctx.account());
    }
    return info.failure;
  }
  const engine::StreamInfo& s = *info.value;
  bool exists = std::any_of(s.shards.begin(), s.shards.end(),
                            [&](const engine::ShardInfo& x) { return x.index == *shard; });
  if (!exists) return ShardNotFound(canonical, s.name, ctx.account());

  ApiOr<EntryCounter> start = StartCounter(ctx, s, *shard, *type, seq, ts);
  if (!start.ok()) return start.failure;
  ctx.RememberStream(s);
  std::string token = ctx.iterators().Encode({s.id, *shard, *start.value, ctx.Now()});
  return ApiResult::Ok({{"ShardIterator", std::move(token)}});
}

namespace {

// One GetRecords record shape. Data goes out as binary (base64 in JSON, bytes in CBOR).
json RecordShape(engine::StoredRecord& r, bool encrypted) {
  // Built member by member with moves: an initializer list would copy every value (and Data).
  json rec = json::object();
  rec["SequenceNumber"] = std::move(r.sequence_number);
  rec["ApproximateArrivalTimestamp"] = r.arrival.value();
  const auto* bytes = reinterpret_cast<const uint8_t*>(r.data.data());
  rec["Data"] = json::binary(std::vector<uint8_t>(bytes, bytes + r.data.size()));
  rec["PartitionKey"] = std::move(r.partition_key);
  if (encrypted) rec["EncryptionType"] = "KMS";
  return rec;
}

int64_t MillisBehind(const engine::ReadBatch& batch) {
  if (batch.next >= batch.tip || batch.records.empty()) return 0;
  return std::max<int64_t>(0, batch.tip_arrival.value() - batch.records.back().arrival.value());
}

ApiResult ExpiredIterator(int64_t issued_ms, int64_t now_ms, int64_t ttl_ms) {
  return ApiResult::Fail("ExpiredIteratorException",
                         "Iterator expired. The iterator was created at time " +
                             AmzUtcString(issued_ms) + " while right now it is " +
                             AmzUtcString(now_ms) +
                             " which is further in the future than the tolerated delay of " +
                             std::to_string(ttl_ms) + " milliseconds.");
}

}  // namespace

ApiResult GetRecords(Context& ctx, const ApiCall& call) {
  MemberReader in(call.input, call.format);
  Violations v;
  auto limit = in.Int("Limit");
  auto token = in.String("ShardIterator");
  auto arn = in.String("StreamARN");
  if (!in.ok()) return in.Failure();
  v.Range(limit, "limit", 1, 10000);
  if (v.NotNull(token.has_value(), "shardIterator")) v.Length(token, "shardIterator", 1, 512);
  CheckStreamArn(v, arn);
  if (!v.empty()) return v.Failure();

  Result<IteratorPosition> pos = ctx.iterators().Decode(*token);
  if (!pos.ok()) return InvalidArgument("Invalid ShardIterator.");
  const int64_t now = ctx.Now().value();
  if (now - pos->issued.value() > ctx.iterator_ttl_ms()) {
    return ExpiredIterator(pos->issued.value(), now, ctx.iterator_ttl_ms());
  }
  const std::string shard_id = engine::FormatShardId(pos->shard);
  std::optional<Context::KnownStream> stream = ctx.StreamForId(pos->stream);
  if (!stream) {
    std::string name = arn ? ctx.DisplayName({std::nullopt, arn}) : "of this iterator";
    return ShardNotFound(shard_id, name, ctx.account());
  }
  if (arn) {
    Result<std::string> named = ctx.store().StreamNameForArn(*arn);
    if (!named.ok() || *named != stream->name) {
      return InvalidArgument("StreamARN " + *arn +
                             " does not name the stream of the ShardIterator.");
    }
  }

  engine::ReadRequest req{stream->name, pos->stream, pos->shard, pos->counter, {}};
  req.limits.max_records = static_cast<size_t>(limit.value_or(10000));
  req.limits.max_bytes = kMaxGetRecordsBytes;
  Result<engine::ReadBatch> batch = ctx.store().Read(req);
  if (!batch.ok()) {
    if (batch.status().code() == StatusCode::kNotFound) {
      return ShardNotFound(shard_id, stream->name, ctx.account());
    }
    return ctx.FromStatus(batch.status(), stream->name);
  }

  const int64_t behind = MillisBehind(*batch);
  ctx.IteratorAge(stream->name, pos->shard)->Set(behind);
  json out = json::object();
  json& records = out["Records"] = json::array();
  records.get_ref<json::array_t&>().reserve(batch->records.size());
  for (engine::StoredRecord& r : batch->records)
    records.push_back(RecordShape(r, stream->encrypted));
  out["MillisBehindLatest"] = behind;
  if (!batch->shard_finished) {
    out["NextShardIterator"] =
        ctx.iterators().Encode({pos->stream, pos->shard, batch->next, ctx.Now()});
  } else {
    // The reader is done with a closed shard: no next iterator; name the children instead.
    ApiOr<engine::StreamInfo> info = ctx.Describe(stream->name);
    out["ChildShards"] = info.ok() ? ChildShards(*info.value, pos->shard) : json::array();
  }
  return ApiResult::Ok(std::move(out));
}

}  // namespace sluice::web::api::kinesis

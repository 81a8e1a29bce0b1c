// SPDX-License-Identifier: Apache-2.0
// PutRecord and PutRecords: the whole request is checked before anything is appended (bad input
// never changes stored data); then one StreamStore::Put and the reply from its callback.
#include <exception>
#include <memory>

#include "base/log.h"
#include "base/uint128.h"
#include "web/api/kinesis_ops.h"

namespace sluice::web::api::kinesis {
namespace {

using nlohmann::json;

constexpr size_t kMaxRecordsPerCall = 500;
constexpr uint64_t kMaxRequestBytes = 5 * 1024 * 1024;        // PutRecords, data + keys
constexpr uint64_t kMaxLargeRequestBytes = 10 * 1024 * 1024;  // streams with records > 1 MiB

// What the reply callback needs of the stream, shared by the callback copies.
struct Target {
  std::string name;
  std::string account;
  bool encrypted = false;
  std::vector<engine::ShardInfo> shards;
};

// The open shard whose hash range holds the record (for error texts only).
std::string ShardFor(const Target& t, const engine::RecordInput& r) {
  uint128 h = r.explicit_hash_key ? *r.explicit_hash_key : Md5AsUint128(r.partition_key);
  for (const engine::ShardInfo& s : t.shards) {
    if (s.open() && h >= s.hash_start && h <= s.hash_end) return s.ShardId();
  }
  return "";
}

// The per-record error of a failed append: AWS's two PutRecords error codes.
std::pair<std::string, std::string> RecordError(const Target& t, const std::string& shard_id,
                                                const Status& s) {
  if (s.code() == StatusCode::kResourceExhausted && s.message().starts_with("No space left")) {
    // A full disk is the server's failure, not the caller's rate: say so plainly.
    return {"InternalFailure", "Internal service failure: " + s.message()};
  }
  if (s.code() == StatusCode::kResourceExhausted) {
    return {"ProvisionedThroughputExceededException", "Rate exceeded for shard " + shard_id +
                                                          " in stream " + t.name +
                                                          " under account " + t.account + "."};
  }
  return {"InternalFailure", "Internal service failure."};
}

// Checks one record's members (under `path`, e.g. "records.3.member") against the stream's
// record limit. Returns the record ready to append when its members are valid.
std::optional<engine::RecordInput> ReadRecord(MemberReader& in, Violations& v,
                                              const std::string& path, uint64_t max_bytes) {
  auto key = in.String("PartitionKey");
  auto hash = in.String("ExplicitHashKey");
  auto data = in.Blob("Data");
  if (!in.ok()) return std::nullopt;
  const std::string at = path.empty() ? "" : path + ".";
  bool ok =
      v.NotNull(key.has_value(), at + "partitionKey") && v.Length(key, at + "partitionKey", 1, 256);
  ok = v.Pattern(hash, at + "explicitHashKey", kHashKeyPattern, IsHashKey) && ok;
  ok = v.NotNull(data.has_value(), at + "data") && v.BlobLength(data, at + "data", max_bytes) && ok;
  if (!ok) return std::nullopt;
  engine::RecordInput r;
  r.partition_key = std::move(*key);
  r.data = std::move(*data);
  if (hash) {
    // Out of range (pattern-valid but >= 2^128) is answered by CheckHashKeyRange.
    Result<uint128> h = ParseUint128(*hash);
    if (h.ok()) r.explicit_hash_key = *h;
  }
  return r;
}

// AWS checks the 128-bit range after the member pattern: InvalidArgument with this text.
std::optional<ApiResult> CheckHashKeyRange(const std::optional<std::string>& hash) {
  if (!hash || ParseUint128(*hash).ok()) return std::nullopt;
  return InvalidArgument(
      "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified "
      "value was " +
      *hash);
}

std::optional<ApiResult> CheckRecordSize(const engine::RecordInput& r, uint64_t max_bytes) {
  uint64_t size = r.data.size() + r.partition_key.size();
  if (size <= max_bytes) return std::nullopt;
  return InvalidArgument("Record size of " + std::to_string(size) +
                         " bytes (data plus partition key) exceeds the limit of " +
                         std::to_string(max_bytes) + " bytes.");
}

// Resolves the stream when its name/ARN members are well-formed; the failure (if any) is
// answered only after member validation, as AWS validates before looking anything up.
ApiOr<engine::StreamInfo> ResolveForPut(Context& ctx, const StreamRef& ref, const Violations& rv) {
  if (!rv.empty()) return rv.Failure();  // answered with the other member violations
  return ctx.Resolve(ref);
}

std::shared_ptr<Target> MakeTarget(Context& ctx, engine::StreamInfo& info) {
  auto t = std::make_shared<Target>();
  t->name = info.name;
  t->account = ctx.account();
  t->encrypted = info.encryption_type == "KMS";
  t->shards = std::move(info.shards);
  return t;
}

// Runs `fn` and answers InternalFailure if it throws: the engine thread must not unwind.
template <typename Fn>
void Guarded(const ApiReply& reply, Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    LOG_ERROR("kinesis", "put reply failed", {{"error", e.what()}});
    reply(ApiResult::Fail("InternalFailure", "Internal service failure.", 500));
  }
}

// The PutRecord answer for the engine's result of its one record.
ApiResult PutRecordReply(const Target& t, const engine::RecordInput& probe,
                         const engine::PutResults& r) {
  if (r.empty()) return ApiResult::Fail("InternalFailure", "Internal service failure.", 500);
  if (!r[0].ok()) {
    const Status& s = r[0].status();
    if (s.code() == StatusCode::kNotFound) return StreamNotFound(t.name, t.account);
    if (s.code() != StatusCode::kResourceExhausted) {
      ApiError e = ApiErrorFromStatus(s);
      return ApiResult::Fail(e.type, e.message, e.http_status);
    }
    auto [type, message] = RecordError(t, ShardFor(t, probe), s);
    return ApiResult::Fail(type, message, type == "InternalFailure" ? 500 : 400);
  }
  json out = {{"ShardId", engine::FormatShardId(r[0]->shard)},
              {"SequenceNumber", r[0]->sequence_number}};
  if (t.encrypted) out["EncryptionType"] = "KMS";
  return ApiResult::Ok(std::move(out));
}

// The PutRecords answer: one entry per record, in order; failures carry AWS's error codes.
ApiResult PutRecordsReply(const Target& t, const std::vector<engine::RecordInput>& probes,
                          const engine::PutResults& r) {
  size_t failed = 0, not_found = 0;
  json out_records = json::array();
  for (size_t i = 0; i < r.size(); ++i) {
    if (r[i].ok()) {
      out_records.push_back({{"SequenceNumber", r[i]->sequence_number},
                             {"ShardId", engine::FormatShardId(r[i]->shard)}});
      continue;
    }
    ++failed;
    not_found += r[i].status().code() == StatusCode::kNotFound ? 1 : 0;
    std::string shard_id = i < probes.size() ? ShardFor(t, probes[i]) : "";
    auto [code, message] = RecordError(t, shard_id, r[i].status());
    out_records.push_back({{"ErrorCode", code}, {"ErrorMessage", message}});
  }
  // The stream vanished between the checks and the append: the whole call fails, as AWS's would.
  if (!r.empty() && not_found == r.size()) return StreamNotFound(t.name, t.account);
  json out = {{"FailedRecordCount", failed}, {"Records", std::move(out_records)}};
  if (t.encrypted) out["EncryptionType"] = "KMS";
  return ApiResult::Ok(std::move(out));
}

// Reads and checks the Records member of PutRecords into records (valid entries) and hashes
// (every entry's ExplicitHashKey text, for the range check).
void ReadRecordList(MemberReader& in, Violations& v, uint64_t max_bytes,
                    std::vector<engine::RecordInput>* records,
                    std::vector<std::optional<std::string>>* hashes) {
  const json* list = in.List("Records");
  if (!v.NotNull(list != nullptr, "records") || list == nullptr) return;
  if (list->empty() || list->size() > kMaxRecordsPerCall) {
    std::string rendered = "[";
    for (size_t i = 0; i < list->size(); ++i) {
      rendered.append(i ? ", " : "")
          .append("com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@2");
    }
    v.Add(rendered + "]", "records",
          list->empty() ? "Member must have length greater than or equal to 1"
                        : "Member must have length less than or equal to 500");
  }
  records->reserve(list->size());
  for (size_t i = 0; i < list->size() && in.ok(); ++i) {
    const json& item = (*list)[i];
    if (!in.IsObject(item)) break;
    MemberReader rec_in = in.In(item);
    hashes->push_back(rec_in.String("ExplicitHashKey"));
    auto rec = ReadRecord(rec_in, v, "records." + std::to_string(i + 1) + ".member", max_bytes);
    if (rec) records->push_back(std::move(*rec));
  }
}

// Checks that follow member validation: hash-key ranges, record and request sizes.
std::optional<ApiResult> CheckBatch(const std::vector<engine::RecordInput>& records,
                                    const std::vector<std::optional<std::string>>& hashes,
                                    uint64_t max_bytes) {
  uint64_t total = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (auto bad = CheckHashKeyRange(hashes[i])) return bad;
    if (auto bad = CheckRecordSize(records[i], max_bytes)) return bad;
    total += records[i].data.size() + records[i].partition_key.size();
  }
  const uint64_t limit =
      max_bytes > engine::kDefaultMaxRecordBytes ? kMaxLargeRequestBytes : kMaxRequestBytes;
  if (total <= limit) return std::nullopt;
  return InvalidArgument("Records size exceeds " + std::to_string(limit >> 20) + " MB limit");
}

}  // namespace

void PutRecord(Context& ctx, ApiCall call, ApiReply reply) {
  MemberReader in(call.input, call.format);
  Violations v, rv;
  auto seq = in.String("SequenceNumberForOrdering");
  StreamRef ref = ReadStreamRef(in, rv);
  v.Pattern(seq, "sequenceNumberForOrdering", kSequencePattern, IsSequenceNumber);
  auto hash = in.String("ExplicitHashKey");
  ApiOr<engine::StreamInfo> info = ResolveForPut(ctx, ref, rv);
  const uint64_t max_bytes =
      info.ok() ? info.value->max_record_bytes : engine::kDefaultMaxRecordBytes;
  std::optional<engine::RecordInput> rec = ReadRecord(in, v, "", max_bytes);
  if (!in.ok()) return reply(in.Failure());
  v.Append(rv);
  if (!v.empty()) return reply(v.Failure());
  if (!info.ok()) return reply(info.failure);
  if (auto bad = CheckHashKeyRange(hash)) return reply(*bad);
  if (auto bad = CheckRecordSize(*rec, max_bytes)) return reply(*bad);

  std::shared_ptr<Target> target = MakeTarget(ctx, *info.value);
  engine::RecordInput probe{rec->partition_key, rec->explicit_hash_key, "", ""};
  std::vector<engine::RecordInput> records;
  records.push_back(std::move(*rec));
  ctx.store().Put(target->name, std::move(records),
                  [target, reply, probe = std::move(probe)](engine::PutResults r) {
                    Guarded(reply, [&] { reply(PutRecordReply(*target, probe, r)); });
                  });
}

void PutRecords(Context& ctx, ApiCall call, ApiReply reply) {
  MemberReader in(call.input, call.format);
  Violations v, rv;
  StreamRef ref = ReadStreamRef(in, rv);
  ApiOr<engine::StreamInfo> info = ResolveForPut(ctx, ref, rv);
  const uint64_t max_bytes =
      info.ok() ? info.value->max_record_bytes : engine::kDefaultMaxRecordBytes;
  std::vector<engine::RecordInput> records;
  std::vector<std::optional<std::string>> hashes;
  ReadRecordList(in, v, max_bytes, &records, &hashes);
  if (!in.ok()) return reply(in.Failure());
  v.Append(rv);
  if (!v.empty()) return reply(v.Failure());
  if (!info.ok()) return reply(info.failure);
  if (auto bad = CheckBatch(records, hashes, max_bytes)) return reply(*bad);

  std::shared_ptr<Target> target = MakeTarget(ctx, *info.value);
  // Keys and explicit hashes are kept only to name the shard in a throttling error.
  auto probes = std::make_shared<std::vector<engine::RecordInput>>();
  probes->reserve(records.size());
  for (const engine::RecordInput& r : records) {
    probes->push_back({r.partition_key, r.explicit_hash_key, "", ""});
  }
  ctx.store().Put(target->name, std::move(records), [target, probes, reply](engine::PutResults r) {
    Guarded(reply, [&] { reply(PutRecordsReply(*target, *probes, r)); });
  });
}

}  // namespace sluice::web::api::kinesis

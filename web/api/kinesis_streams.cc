// SPDX-License-Identifier: Apache-2.0
// Stream lifecycle and listing: CreateStream, DeleteStream, DescribeStream,
// DescribeStreamSummary, ListStreams, DescribeLimits.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "web/api/kinesis_ops.h"
#include "web/api/kinesis_shapes.h"

namespace sluice::web::api::kinesis {
namespace {

using nlohmann::json;

constexpr uint32_t kOnDemandDefaultShards = 4;
constexpr int64_t kOnDemandStreamLimit = 50;
constexpr int64_t kDescribeStreamMaxShards = 100;  // AWS returns at most 100 per call
constexpr int64_t kNextTokenTtlMs = 300000;
constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();

int64_t CountOnDemandStreams(engine::StreamStore& store) {
  int64_t n = 0;
  for (const engine::StreamInfo& s : store.ListStreams()) {
    n += (s.kind == engine::StreamKind::kData && s.mode == engine::StreamMode::kOnDemand) ? 1 : 0;
  }
  return n;
}

// Checks that follow the member constraints: mode vs shard count, quotas, tag characters.
std::optional<ApiResult> CheckCreateRules(Context& ctx, const engine::StreamConfig& config,
                                          bool shard_count_given) {
  engine::StreamStore& store = ctx.store();
  if (config.mode == engine::StreamMode::kOnDemand) {
    if (shard_count_given) {
      return ApiResult::Fail("ValidationException",
                             "ShardCount is not expected when StreamMode=ON_DEMAND");
    }
    int64_t on_demand = CountOnDemandStreams(store);
    if (on_demand >= kOnDemandStreamLimit) {
      return ApiResult::Fail(
          "LimitExceededException",
          "This request would exceed the on-demand stream limit for the account " + ctx.account() +
              " in " + ctx.region() + ". Current on-demand stream count for the " + "account: " +
              std::to_string(on_demand) + ". Limit: " + std::to_string(kOnDemandStreamLimit) + ".");
    }
  }
  uint64_t open = store.OpenShardCount();
  if (open + config.shard_count > store.ShardLimit()) {
    return ApiResult::Fail(
        "LimitExceededException",
        "This request would exceed the shard limit for the account " + ctx.account() + " in " +
            ctx.region() + ". Current shard count for the account: " + std::to_string(open) +
            ". Limit: " + std::to_string(store.ShardLimit()) +
            ". Number of additional shards that would have resulted from this request: " +
            std::to_string(config.shard_count) + ".");
  }
  if (config.tags.size() > kMaxTagsPerStream) return TooManyTags(config.name, ctx.account());
  std::vector<std::string> texts;
  for (const auto& [k, val] : config.tags) {
    texts.push_back(k);
    texts.push_back(val);
  }
  if (auto bad = CheckTagCharacters(texts, "add tags to", config.name, ctx.account())) {
    return InvalidArgument(*bad);
  }
  return std::nullopt;
}

}  // namespace

ApiResult CreateStream(Context& ctx, const ApiCall& call) {
  MemberReader in(call.input, call.format);
  auto name = in.String("StreamName");
  auto shard_count = in.Int("ShardCount");
  std::optional<std::string> mode;
  const json* mode_details = in.Struct("StreamModeDetails");
  if (mode_details != nullptr) mode = in.In(*mode_details).String("StreamMode");
  auto tags = in.StringMap("Tags");
  auto max_kib = in.Int("MaxRecordSizeInKiB");
  auto warm = in.Int("WarmThroughputMiBps");
  if (!in.ok()) return in.Failure();

  Violations v;
  v.Range(shard_count, "shardCount", 1, kMaxInt);
  CheckStreamName(v, name, "streamName", /*required=*/true);
  if (mode_details != nullptr && v.NotNull(mode.has_value(), "streamModeDetails.streamMode")) {
    v.Enum(mode, "streamModeDetails.streamMode", {"PROVISIONED", "ON_DEMAND"});
  }
  CheckTagMap(v, tags, /*required=*/false);
  v.Range(max_kib, "maxRecordSizeInKiB", 1024, 10240);
  v.Range(warm, "warmThroughputMiBps", 0, std::numeric_limits<int64_t>::max());
  bool on_demand = mode == "ON_DEMAND";
  if (v.empty() && !on_demand) v.NotNull(shard_count.has_value(), "shardCount");
  if (!v.empty()) return v.Failure();

  engine::StreamConfig config;
  config.name = *name;
  config.kind = engine::StreamKind::kData;
  config.mode = on_demand ? engine::StreamMode::kOnDemand : engine::StreamMode::kProvisioned;
  config.shard_count = on_demand ? kOnDemandDefaultShards : static_cast<uint32_t>(*shard_count);
  if (max_kib) config.max_record_bytes = static_cast<uint64_t>(*max_kib) * 1024;
  if (tags) config.tags = std::move(*tags);
  if (auto rejected = CheckCreateRules(ctx, config, shard_count.has_value())) return *rejected;
  FsyncFromTags fsync = FsyncPolicyFromTags(config.tags, ctx.default_fsync());
  if (fsync.error) return *fsync.error;
  config.fsync = fsync.policy;

  Result<engine::StreamInfo> info = ctx.store().CreateStream(config);
  if (!info.ok()) return ctx.FromStatus(info.status(), config.name);
  ctx.LearnArn(info->arn);
  ctx.RememberStream(*info);
  return ApiResult::Ok(json::object());
}

ApiResult DeleteStream(Context& ctx, const ApiCall& call) {
  MemberReader in(call.input, call.format);
  Violations v;
  StreamRef ref = ReadStreamRef(in, v);
  in.Bool("EnforceConsumerDeletion");  // accepted; Sluice has no registered consumers to keep
  if (!in.ok()) return in.Failure();
  if (!v.empty()) return v.Failure();
  ApiOr<engine::StreamInfo> info = ctx.Resolve(ref);
  if (!info.ok()) return info.failure;
  Status s = ctx.store().DeleteStream(info.value->name);
  if (!s.ok()) return ctx.FromStatus(s, info.value->name);
  ctx.ForgetStream(info.value->name);
  return ApiResult::Ok(json::object());
}

ApiResult DescribeStream(Context& ctx, const ApiCall& call) {
  MemberReader in(call.input, call.format);
  Violations v;
  auto limit = in.Int("Limit");
  auto start = in.String("ExclusiveStartShardId");
  StreamRef ref = ReadStreamRef(in, v);
  if (!in.ok()) return in.Failure();
  v.Range(limit, "limit", 1, 10000);
  CheckShardId(v, start, "exclusiveStartShardId", /*required=*/false);
  if (!v.empty()) return v.Failure();
  ApiOr<engine::StreamInfo> info = ctx.Resolve(ref);
  if (!info.ok()) return info.failure;

  const int64_t page = std::min(limit.value_or(kDescribeStreamMaxShards), kDescribeStreamMaxShards);
  json shards = json::array();
  bool has_more = false;
  for (const engine::ShardInfo& shard : info.value->shards) {
    if (start && shard.ShardId() <= *start) continue;
    if (static_cast<int64_t>(shards.size()) == page) {
      has_more = true;
      break;
    }
    shards.push_back(ShardShape(shard));
  }
  return ApiResult::Ok({{"StreamDescription",
                         kinesis::StreamDescription(*info.value, std::move(shards), has_more)}});
}

ApiResult DescribeStreamSummary(Context& ctx, const ApiCall& call) {
  MemberReader in(call.input, call.format);
  Violations v;
  StreamRef ref = ReadStreamRef(in, v);
  if (!in.ok()) return in.Failure();
  if (!v.empty()) return v.Failure();
  ApiOr<engine::StreamInfo> info = ctx.Resolve(ref);
  if (!info.ok()) return info.failure;
  return ApiResult::Ok(
      {{"StreamDescriptionSummary", kinesis::StreamDescriptionSummary(*info.value)}});
}

ApiResult ListStreams(Context& ctx, const ApiCall& call) {
  MemberReader in(call.input, call.format);
  auto limit = in.Int("Limit");
  auto start = in.String("ExclusiveStartStreamName");
  auto token = in.String("NextToken");
  if (!in.ok()) return in.Failure();
  Violations v;
  v.Range(limit, "limit", 1, 10000);
  CheckStreamName(v, start, "exclusiveStartStreamName", /*required=*/false);
  v.Length(token, "nextToken", 1, 1048576);
  if (!v.empty()) return v.Failure();

  std::optional<std::string> after = start;
  if (token) {
    Result<PageToken> page = ctx.pages().Decode("ListStreams", *token);
    if (!page.ok() || !page->state.contains("after") || !page->state["after"].is_string()) {
      return InvalidArgument("Invalid NextToken.");
    }
    if (ctx.Now().value() - page->issued.value() > kNextTokenTtlMs) {
      return ApiResult::Fail("ExpiredNextTokenException",
                             "The NextToken has expired. It is valid for 300 seconds.");
    }
    after = page->state["after"].get<std::string>();
  }
  const int64_t page_size = limit.value_or(100);
  json names = json::array(), summaries = json::array();
  bool has_more = false;
  std::string last;
  for (const engine::StreamInfo& s : ctx.store().ListStreams()) {
    if (s.kind != engine::StreamKind::kData || (after && s.name <= *after)) continue;
    if (static_cast<int64_t>(names.size()) == page_size) {
      has_more = true;
      break;
    }
    names.push_back(s.name);
    summaries.push_back(StreamSummary(s));
    last = s.name;
  }
  json out = {{"StreamNames", std::move(names)},
              {"HasMoreStreams", has_more},
              {"StreamSummaries", std::move(summaries)}};
  if (has_more) out["NextToken"] = ctx.pages().Encode("ListStreams", {{"after", last}}, ctx.Now());
  return ApiResult::Ok(std::move(out));
}

ApiResult DescribeLimits(Context& ctx, const ApiCall& call) {
  engine::StreamStore& store = ctx.store();
  return ApiResult::Ok({{"ShardLimit", store.ShardLimit()},
                        {"OpenShardCount", store.OpenShardCount()},
                        {"OnDemandStreamCount", CountOnDemandStreams(store)},
                        {"OnDemandStreamCountLimit", kOnDemandStreamLimit}});
}

}  // namespace sluice::web::api::kinesis

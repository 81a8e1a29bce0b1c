// SPDX-License-Identifier: Apache-2.0
// Stream settings: Increase/DecreaseStreamRetentionPeriod, AddTagsToStream,
// RemoveTagsFromStream, ListTagsForStream, Enable/DisableEnhancedMonitoring.
#include <algorithm>
#include <limits>
#include <set>

#include "web/api/kinesis_ops.h"
#include "web/api/kinesis_shapes.h"

namespace sluice::web::api::kinesis {
namespace {

using nlohmann::json;

constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();

ApiResult ChangeRetention(Context& ctx, const ApiCall& call, bool increase) {
  MemberReader in(call.input, call.format);
  Violations v;
  auto hours = in.Int("RetentionPeriodHours");
  StreamRef ref = ReadStreamRef(in, v);
  if (!in.ok()) return in.Failure();
  if (v.NotNull(hours.has_value(), "retentionPeriodHours")) {
    v.Range(hours, "retentionPeriodHours", 1, kMaxInt);
  }
  if (!v.empty()) return v.Failure();
  ApiOr<engine::StreamInfo> info = ctx.Resolve(ref);
  if (!info.ok()) return info.failure;
  const engine::StreamInfo& s = *info.value;
  if (auto busy = RequireActive(s, ctx.account())) return *busy;

  const std::string requested = std::to_string(*hours);
  if (*hours < engine::kMinRetentionHours) {
    return InvalidArgument(
        "Minimum allowed retention period is " + std::to_string(engine::kMinRetentionHours) +
        " hours. Requested retention period (" + requested + " hours) is too short.");
  }
  if (*hours > engine::kMaxRetentionHours) {
    return InvalidArgument(
        "Maximum allowed retention period is " + std::to_string(engine::kMaxRetentionHours) +
        " hours. Requested retention period (" + requested + " hours) is too long.");
  }
  const std::string current = std::to_string(s.retention_hours);
  if (increase && *hours < s.retention_hours) {
    return InvalidArgument("Requested retention period (" + requested + " hours) for stream " +
                           s.name + " can not be shorter than existing retention period (" +
                           current + " hours). Use DecreaseRetentionPeriod API.");
  }
  if (!increase && *hours > s.retention_hours) {
    return InvalidArgument("Requested retention period (" + requested + " hours) for stream " +
                           s.name + " can not be longer than existing retention period (" +
                           current + " hours). Use IncreaseRetentionPeriod API.");
  }
  Status st = ctx.store().SetRetentionHours(s.name, static_cast<int>(*hours));
  if (!st.ok()) return ctx.FromStatus(st, s.name);
  return ApiResult::Ok(json::object());
}

// Checks a list of 1..max strings, each 1..128 characters (tag keys).
void CheckKeyList(Violations& v, const std::optional<std::vector<std::string>>& keys,
                  std::string_view member, int64_t max) {
  if (!v.NotNull(keys.has_value(), member)) return;
  v.ListLength(*keys, member, 1, max);
  bool ok = std::all_of(keys->begin(), keys->end(), [](const std::string& k) {
    size_t n = Utf16Length(k);
    return n >= 1 && n <= 128;
  });
  if (ok) return;
  std::string rendered = "[";
  for (size_t i = 0; i < keys->size(); ++i) rendered.append(i ? ", " : "").append((*keys)[i]);
  rendered.append("]");
  v.Add(rendered, member,
        "Member must satisfy constraint: [Member must have length less than or equal to 128, "
        "Member must have length greater than or equal to 1]");
}

// Enable (add) or disable (remove) shard-level metrics; "ALL" stands for every metric.
ApiResult ChangeMonitoring(Context& ctx, const ApiCall& call, bool enable) {
  MemberReader in(call.input, call.format);
  Violations v;
  auto metrics = in.StringList("ShardLevelMetrics");
  StreamRef ref = ReadStreamRef(in, v);
  if (!in.ok()) return in.Failure();
  const std::vector<std::string>& all = AllShardLevelMetrics();
  if (v.NotNull(metrics.has_value(), "shardLevelMetrics") &&
      v.ListLength(*metrics, "shardLevelMetrics", 1, 7)) {
    for (const std::string& m : *metrics) {
      if (m == "ALL" || std::find(all.begin(), all.end(), m) != all.end()) continue;
      std::string rendered = "[", set;
      for (size_t i = 0; i < metrics->size(); ++i)
        rendered.append(i ? ", " : "").append((*metrics)[i]);
      for (const std::string& a : all) set.append(a).append(", ");
      v.Add(
          rendered + "]", "shardLevelMetrics",
          "Member must satisfy constraint: [Member must satisfy enum value set: [" + set + "ALL]]");
      break;
    }
  }
  if (!v.empty()) return v.Failure();
  ApiOr<engine::StreamInfo> info = ctx.Resolve(ref);
  if (!info.ok()) return info.failure;
  const engine::StreamInfo& s = *info.value;
  if (auto busy = RequireActive(s, ctx.account())) return *busy;

  std::set<std::string> requested(metrics->begin(), metrics->end());
  const bool every = requested.contains("ALL");
  std::vector<std::string> desired;  // kept in AWS's metric order
  for (const std::string& m : all) {
    bool had = std::find(s.shard_level_metrics.begin(), s.shard_level_metrics.end(), m) !=
               s.shard_level_metrics.end();
    bool named = every || requested.contains(m);
    if (enable ? (had || named) : (had && !named)) desired.push_back(m);
  }
  Status st = ctx.store().SetShardLevelMetrics(s.name, desired);
  if (!st.ok()) return ctx.FromStatus(st, s.name);
  return ApiResult::Ok({{"StreamName", s.name},
                        {"StreamARN", s.arn},
                        {"CurrentShardLevelMetrics", s.shard_level_metrics},
                        {"DesiredShardLevelMetrics", desired}});
}

}  // namespace

ApiResult IncreaseStreamRetentionPeriod(Context& ctx, const ApiCall& call) {
  return ChangeRetention(ctx, call, /*increase=*/true);
}

ApiResult DecreaseStreamRetentionPeriod(Context& ctx, const ApiCall& call) {
  return ChangeRetention(ctx, call, /*increase=*/false);
}

ApiResult AddTagsToStream(Context& ctx, const ApiCall& call) {
  MemberReader in(call.input, call.format);
  Violations v;
  auto tags = in.StringMap("Tags");
  StreamRef ref = ReadStreamRef(in, v);
  if (!in.ok()) return in.Failure();
  CheckTagMap(v, tags, /*required=*/true);
  if (!v.empty()) return v.Failure();
  ApiOr<engine::StreamInfo> info = ctx.Resolve(ref);
  if (!info.ok()) return info.failure;
  const engine::StreamInfo& s = *info.value;
  if (auto busy = RequireActive(s, ctx.account())) return *busy;

  std::vector<std::string> texts;
  std::set<std::string> keys;
  for (const auto& [k, val] : s.tags) keys.insert(k);
  for (const auto& [k, val] : *tags) {
    texts.push_back(k);
    texts.push_back(val);
    keys.insert(k);
  }
  if (auto bad = CheckTagCharacters(texts, "add tags to", s.name, ctx.account())) {
    return InvalidArgument(*bad);
  }
  if (keys.size() > kMaxTagsPerStream) return TooManyTags(s.name, ctx.account());
  FsyncFromTags fsync = FsyncPolicyFromTags(*tags, s.fsync);
  if (fsync.error) return *fsync.error;
  Status st = ctx.store().AddTags(s.name, *tags);
  if (st.ok() && !(fsync.policy == s.fsync)) st = ctx.store().SetFsyncPolicy(s.name, fsync.policy);
  if (!st.ok()) return ctx.FromStatus(st, s.name);
  return ApiResult::Ok(json::object());
}

ApiResult RemoveTagsFromStream(Context& ctx, const ApiCall& call) {
  MemberReader in(call.input, call.format);
  Violations v;
  auto keys = in.StringList("TagKeys");
  StreamRef ref = ReadStreamRef(in, v);
  if (!in.ok()) return in.Failure();
  CheckKeyList(v, keys, "tagKeys", 50);
  if (!v.empty()) return v.Failure();
  ApiOr<engine::StreamInfo> info = ctx.Resolve(ref);
  if (!info.ok()) return info.failure;
  const engine::StreamInfo& s = *info.value;
  if (auto busy = RequireActive(s, ctx.account())) return *busy;
  if (auto bad = CheckTagCharacters(*keys, "remove tags from", s.name, ctx.account())) {
    return InvalidArgument(*bad);
  }
  Status st = ctx.store().RemoveTags(s.name, *keys);
  const bool drops_fsync_tag =
      std::find(keys->begin(), keys->end(), kFsyncPolicyTag) != keys->end() &&
      s.tags.count(std::string(kFsyncPolicyTag)) > 0;
  if (st.ok() && drops_fsync_tag) st = ctx.store().SetFsyncPolicy(s.name, ctx.default_fsync());
  if (!st.ok()) return ctx.FromStatus(st, s.name);
  return ApiResult::Ok(json::object());
}

ApiResult ListTagsForStream(Context& ctx, const ApiCall& call) {
  MemberReader in(call.input, call.format);
  Violations v;
  auto limit = in.Int("Limit");
  auto start = in.String("ExclusiveStartTagKey");
  StreamRef ref = ReadStreamRef(in, v);
  if (!in.ok()) return in.Failure();
  v.Range(limit, "limit", 1, 50);
  v.Length(start, "exclusiveStartTagKey", 1, 128);
  if (!v.empty()) return v.Failure();
  ApiOr<engine::StreamInfo> info = ctx.Resolve(ref);
  if (!info.ok()) return info.failure;

  const size_t page = static_cast<size_t>(limit.value_or(50));
  json tags = json::array();
  bool has_more = false;
  // StreamInfo::tags is a std::map: keys come out sorted, as AWS lists them.
  for (const auto& [k, val] : info.value->tags) {
    if (start && k <= *start) continue;
    if (tags.size() == page) {
      has_more = true;
      break;
    }
    tags.push_back({{"Key", k}, {"Value", val}});
  }
  return ApiResult::Ok({{"Tags", std::move(tags)}, {"HasMoreTags", has_more}});
}

ApiResult EnableEnhancedMonitoring(Context& ctx, const ApiCall& call) {
  return ChangeMonitoring(ctx, call, /*enable=*/true);
}

ApiResult DisableEnhancedMonitoring(Context& ctx, const ApiCall& call) {
  return ChangeMonitoring(ctx, call, /*enable=*/false);
}

}  // namespace sluice::web::api::kinesis

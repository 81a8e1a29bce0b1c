// SPDX-License-Identifier: Apache-2.0
// ListShards: paging by MaxResults with a signed NextToken (or ExclusiveStartShardId), the six
// ShardFilter types, StreamCreationTimestamp disambiguation.
#include <algorithm>
#include <cstdlib>
#include <limits>

#include "web/api/kinesis_ops.h"
#include "web/api/kinesis_shapes.h"

namespace sluice::web::api::kinesis {
namespace {

using nlohmann::json;

constexpr int64_t kDefaultMaxResults = 1000;
constexpr int64_t kNextTokenTtlMs = 300000;
constexpr std::string_view kTokenKind = "ListShards";

// What one listing selects; a NextToken carries it from page to page.
struct Listing {
  std::string stream;
  StreamId id;
  std::optional<std::string> after;  // list only shard ids greater than this
  std::string type = "FROM_TRIM_HORIZON";
  int64_t timestamp_ms = 0;  // AT_TIMESTAMP / FROM_TIMESTAMP
};

json ToState(const Listing& l) {
  json state = {{"s", l.stream}, {"id", l.id.value()}, {"t", l.type}, {"ts", l.timestamp_ms}};
  if (l.after) state["a"] = *l.after;
  return state;
}

std::optional<Listing> FromState(const json& state) {
  if (!state.is_object() || !state.contains("s") || !state["s"].is_string() ||
      !state.contains("id") || !state["id"].is_number_integer() || !state.contains("t") ||
      !state["t"].is_string() || !state.contains("ts") || !state["ts"].is_number_integer()) {
    return std::nullopt;
  }
  Listing l;
  l.stream = state["s"].get<std::string>();
  l.id = StreamId(state["id"].get<int64_t>());
  l.type = state["t"].get<std::string>();
  l.timestamp_ms = state["ts"].get<int64_t>();
  if (state.contains("a") && state["a"].is_string()) l.after = state["a"].get<std::string>();
  return l;
}

bool Present(const engine::StreamInfo& info, std::optional<ShardIndex> index) {
  if (!index) return false;
  return std::any_of(info.shards.begin(), info.shards.end(),
                     [&](const engine::ShardInfo& s) { return s.index == *index; });
}

// When a closed shard stopped taking writes: the creation time of its children.
int64_t ClosedAtMs(const engine::StreamInfo& info, const engine::ShardInfo& shard) {
  int64_t closed = std::numeric_limits<int64_t>::max();
  bool found = false;
  for (const engine::ShardInfo& s : info.shards) {
    if (s.parent == shard.index || s.adjacent_parent == shard.index) {
      closed = std::min(closed, s.created.value());
      found = true;
    }
  }
  return found ? closed : shard.created.value();
}

bool AtTrimHorizon(const engine::StreamInfo& info, const engine::ShardInfo& shard) {
  return !Present(info, shard.parent) && !Present(info, shard.adjacent_parent);
}

bool Selected(const engine::StreamInfo& info, const engine::ShardInfo& shard, const Listing& l) {
  const int64_t t = l.timestamp_ms;
  if (l.type == "AT_TRIM_HORIZON") return AtTrimHorizon(info, shard);
  if (l.type == "AT_LATEST") return shard.open();
  if (l.type == "FROM_TIMESTAMP") return shard.open() || ClosedAtMs(info, shard) >= t;
  if (l.type == "AT_TIMESTAMP") {
    // Before the oldest retained shard existed, the shards open "then" are those at the trim
    // horizon (otherwise a reader asking for an early time would get no shard at all).
    bool any_existed =
        std::any_of(info.shards.begin(), info.shards.end(),
                    [&](const engine::ShardInfo& s) { return s.created.value() <= t; });
    if (!any_existed) return AtTrimHorizon(info, shard);
    return shard.created.value() <= t && (shard.open() || ClosedAtMs(info, shard) >= t);
  }
  return true;  // FROM_TRIM_HORIZON and AFTER_SHARD_ID (whose bound is in `after`)
}

// The members of one ListShards request.
struct Request {
  StreamRef ref;
  std::optional<std::string> token, start, type, filter_shard;
  std::optional<int64_t> max, created, filter_ts;
};

ApiOr<Request> ReadRequest(const ApiCall& call) {
  MemberReader in(call.input, call.format);
  Violations v;
  Request r;
  r.ref = ReadStreamRef(in, v);
  r.token = in.String("NextToken");
  r.start = in.String("ExclusiveStartShardId");
  r.max = in.Int("MaxResults");
  r.created = in.TimestampMs("StreamCreationTimestamp");
  const json* filter = in.Struct("ShardFilter");
  if (filter != nullptr) {
    MemberReader f = in.In(*filter);
    r.type = f.String("Type");
    r.filter_shard = f.String("ShardId");
    r.filter_ts = f.TimestampMs("Timestamp");
  }
  if (!in.ok()) return in.Failure();
  CheckShardId(v, r.start, "exclusiveStartShardId", /*required=*/false);
  v.Range(r.max, "maxResults", 1, 10000);
  v.Length(r.token, "nextToken", 1, 1048576);
  if (filter != nullptr && v.NotNull(r.type.has_value(), "shardFilter.type")) {
    v.Enum(r.type, "shardFilter.type",
           {"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP",
            "FROM_TIMESTAMP"});
  }
  CheckShardId(v, r.filter_shard, "shardFilter.shardId", /*required=*/false);
  if (!v.empty()) return v.Failure();
  return r;
}

// The listing a request without NextToken asks for.
ApiOr<Listing> FreshListing(Context& ctx, const Request& r) {
  if (!r.ref.name && !r.ref.arn) {
    return InvalidArgument("Either NextToken or StreamName should be provided.");
  }
  ApiOr<engine::StreamInfo> info = ctx.Resolve(r.ref);
  if (!info.ok()) return info.failure;
  // AWS matches the timestamp a client read back from DescribeStreamSummary; allow the
  // sub-second rounding of clients that send whole seconds.
  if (r.created && std::llabs(*r.created - info.value->created.value()) >= 1000) {
    return StreamNotFound(info.value->name, ctx.account());
  }
  Listing l{info.value->name, info.value->id, r.start};
  if (!r.type) return l;
  l.type = *r.type;
  if (l.type == "AFTER_SHARD_ID") {
    if (!r.filter_shard) {
      return InvalidArgument("Must specify ShardId in ShardFilter when Type is AFTER_SHARD_ID.");
    }
    if (!l.after || *r.filter_shard > *l.after) l.after = r.filter_shard;
  }
  if (l.type == "AT_TIMESTAMP" || l.type == "FROM_TIMESTAMP") {
    if (!r.filter_ts) {
      return InvalidArgument("Must specify Timestamp in ShardFilter when Type is " + l.type + ".");
    }
    l.timestamp_ms = *r.filter_ts;
  }
  return l;
}

ApiOr<Listing> ListingFromToken(Context& ctx, const std::string& token) {
  Result<PageToken> page = ctx.pages().Decode(kTokenKind, token);
  std::optional<Listing> l = page.ok() ? FromState(page->state) : std::nullopt;
  if (!l) return InvalidArgument("Invalid NextToken.");
  if (ctx.Now().value() - page->issued.value() > kNextTokenTtlMs) {
    return ApiResult::Fail("ExpiredNextTokenException",
                           "The NextToken has expired. It is valid for 300 seconds.");
  }
  return *l;
}

// The token names the stream and the position; AWS refuses anything that competes with it.
std::optional<ApiResult> CheckTokenAlone(const Request& r) {
  const char* other = r.ref.name  ? "StreamName"
                      : r.ref.arn ? "StreamARN"
                      : r.start   ? "ExclusiveStartShardId"
                      : r.created ? "StreamCreationTimestamp"
                                  : nullptr;
  if (other == nullptr) return std::nullopt;
  return InvalidArgument(std::string("NextToken and ") + other + " cannot be provided together.");
}

}  // namespace

ApiResult ListShards(Context& ctx, const ApiCall& call) {
  ApiOr<Request> req = ReadRequest(call);
  if (!req.ok()) return req.failure;
  const Request& r = *req.value;
  if (r.token) {
    if (auto bad = CheckTokenAlone(r)) return *bad;
  }
  ApiOr<Listing> listing = r.token ? ListingFromToken(ctx, *r.token) : FreshListing(ctx, r);
  if (!listing.ok()) return listing.failure;
  Listing& l = *listing.value;
  ApiOr<engine::StreamInfo> info = ctx.Describe(l.stream);
  if (!info.ok()) return info.failure;
  if (info.value->id != l.id) return StreamNotFound(l.stream, ctx.account());

  const size_t page = static_cast<size_t>(r.max.value_or(kDefaultMaxResults));
  json shards = json::array();
  bool has_more = false;
  for (const engine::ShardInfo& shard : info.value->shards) {
    if ((l.after && shard.ShardId() <= *l.after) || !Selected(*info.value, shard, l)) continue;
    if (shards.size() == page) {
      has_more = true;
      break;
    }
    shards.push_back(ShardShape(shard));
    l.after = shard.ShardId();
  }
  json out = {{"Shards", std::move(shards)}};
  if (has_more) out["NextToken"] = ctx.pages().Encode(kTokenKind, ToState(l), ctx.Now());
  return ApiResult::Ok(std::move(out));
}

}  // namespace sluice::web::api::kinesis

// SPDX-License-Identifier: Apache-2.0
// ListFragments (kinesis-video-archived-media, kinesis-wire.md B7): one page of a stream's
// fragments whose start lies in a producer or server timestamp range, from the fragment index.
// NextToken is a signed PageTokenCodec token (standard base64, as the model's pattern wants)
// carrying the stream id, the range and the index cursor, so a follow-up call needs no selector.
#include <utility>

#include "web/api/kvs_ops.h"

namespace sluice::web::api::kvs {
namespace {

using nlohmann::json;

constexpr std::string_view kTokenKind = "ListFragments";
constexpr int64_t kDefaultMaxResults = 100;
// Where a listing stands: the query (range and axis) and the stream it belongs to.
struct Listing {
  int64_t stream_id = 0;
  index::TimeRangeQuery query;
};

std::string EncodeToken(const Context& ctx, const Listing& l) {
  json state = {{"i", l.stream_id},
                {"a", l.query.axis == index::TimeAxis::kProducer ? "p" : "s"},
                {"b", l.query.start.value()},
                {"e", l.query.end.value()},
                {"t", l.query.after->time_ms},
                {"c", l.query.after->counter}};
  return ctx.pages.Encode(kTokenKind, state, ctx.clock->Now());
}

std::optional<Listing> DecodeToken(const Context& ctx, std::string_view token) {
  Result<PageToken> page = ctx.pages.Decode(kTokenKind, token);
  if (!page.ok()) return std::nullopt;
  const json& s = page->state;
  for (const char* key : {"i", "b", "e", "t"}) {
    if (!s.contains(key) || !s[key].is_number_integer()) return std::nullopt;
  }
  if (!s.contains("c") || !s["c"].is_number_unsigned() || !s.contains("a") || !s["a"].is_string()) {
    return std::nullopt;
  }
  Listing l;
  l.stream_id = s["i"].get<int64_t>();
  l.query.axis = s["a"] == "p" ? index::TimeAxis::kProducer : index::TimeAxis::kServer;
  l.query.start = TimestampMs(s["b"].get<int64_t>());
  l.query.end = TimestampMs(s["e"].get<int64_t>());
  l.query.after = index::FragmentCursor{s["t"].get<int64_t>(), s["c"].get<uint64_t>()};
  return l;
}

json FragmentShape(const index::FragmentRow& row) {
  return {{"FragmentNumber", row.fragment_number},
          {"FragmentSizeInBytes", row.size_bytes},
          {"ProducerTimestamp", row.producer_time.value()},  // epoch ms; the codec writes seconds
          {"ServerTimestamp", row.server_time.value()},
          {"FragmentLengthInMilliseconds", row.duration_ms}};
}

struct Selector {
  std::optional<std::string> type;
  std::optional<int64_t> start_ms;
  std::optional<int64_t> end_ms;
  bool present = false;
  bool has_range = false;
};

Selector ReadSelector(MemberReader& in) {
  Selector sel;
  const json* selector = in.Struct("FragmentSelector");
  if (selector == nullptr) return sel;
  sel.present = true;
  MemberReader s = in.In(*selector);
  sel.type = s.String("FragmentSelectorType");
  const json* range = s.Struct("TimestampRange");
  if (range == nullptr) return sel;
  sel.has_range = true;
  MemberReader r = s.In(*range);
  sel.start_ms = r.TimestampMs("StartTimestamp");
  sel.end_ms = r.TimestampMs("EndTimestamp");
  return sel;
}

void CheckSelector(Violations& v, const Selector& sel) {
  if (!sel.present) return;
  if (v.NotNull(sel.type.has_value(), "fragmentSelector.fragmentSelectorType")) {
    v.Enum(sel.type, "fragmentSelector.fragmentSelectorType",
           {"PRODUCER_TIMESTAMP", "SERVER_TIMESTAMP"});
  }
  if (!v.NotNull(sel.has_range, "fragmentSelector.timestampRange")) return;
  v.NotNull(sel.start_ms.has_value(), "fragmentSelector.timestampRange.startTimestamp");
  v.NotNull(sel.end_ms.has_value(), "fragmentSelector.timestampRange.endTimestamp");
}

}  // namespace

ApiResult ListFragments(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  Violations v;
  ingest::VideoStreamRef ref = ReadStreamRef(in, v);
  auto max_results = in.Int("MaxResults");
  auto token = in.String("NextToken");
  Selector sel = ReadSelector(in);
  if (!in.ok()) return in.Failure();
  v.Range(max_results, "maxResults", 1, 1000);
  if (v.Length(token, "nextToken", 1, 4096)) {
    v.Pattern(token, "nextToken", kNextTokenPattern, &IsNextToken);
  }
  CheckSelector(v, sel);
  if (!v.empty()) return Invalid(v);
  if (!token && !sel.present) {
    return InvalidArgument("FragmentSelector is required when no NextToken is given.");
  }

  Result<ingest::VideoStreamInfo> info = ctx.streams->Describe(ref);
  if (!info.ok()) return FromStatus(info.status());
  Listing listing;
  if (token) {
    // The token wins over a selector: paginators repeat the first call's members.
    std::optional<Listing> decoded = DecodeToken(ctx, *token);
    if (!decoded || decoded->stream_id != info->id.value()) {
      return InvalidArgument("Invalid NextToken.");
    }
    listing = std::move(*decoded);
  } else {
    if (*sel.start_ms > *sel.end_ms) {
      return InvalidArgument("StartTimestamp must not be later than EndTimestamp.");
    }
    listing.stream_id = info->id.value();
    listing.query.axis =
        *sel.type == "PRODUCER_TIMESTAMP" ? index::TimeAxis::kProducer : index::TimeAxis::kServer;
    listing.query.start = TimestampMs(*sel.start_ms);
    listing.query.end = TimestampMs(*sel.end_ms);
  }
  listing.query.limit = static_cast<size_t>(max_results.value_or(kDefaultMaxResults));

  Result<index::FragmentPage> page = ctx.reader->List(info->name, listing.query);
  if (!page.ok()) return FromStatus(page.status());
  json fragments = json::array();
  for (const index::FragmentRow& row : page->rows) fragments.push_back(FragmentShape(row));
  json out = {{"Fragments", std::move(fragments)}};
  if (page->next) {
    listing.query.after = *page->next;
    out["NextToken"] = EncodeToken(ctx, listing);
  }
  return ApiResult::Ok(std::move(out));
}

}  // namespace sluice::web::api::kvs

// SPDX-License-Identifier: Apache-2.0
// Video stream tags in KVS's two styles: TagStream / UntagStream / ListTagsForStream (stream by
// name or ARN, Tags as a map) and TagResource / UntagResource / ListTagsForResource (ResourceARN,
// Tags as a list of {Key, Value}). Both read and write the same tags (ingest's VideoStreams).
#include <utility>

#include "web/api/kvs_ops.h"

namespace sluice::web::api::kvs {
namespace {

using nlohmann::json;

// TagKeyList: 1-50 keys of the tag key rules.
void CheckTagKeys(Violations& v, const std::optional<std::vector<std::string>>& keys) {
  if (!v.NotNull(keys.has_value(), "tagKeyList")) return;
  if (!v.ListLength(*keys, "tagKeyList", 1, 50)) return;
  for (size_t i = 0; i < keys->size(); ++i) {
    CheckTagKey(v, (*keys)[i], "tagKeyList." + std::to_string(i + 1) + ".member");
  }
}

// At most 50 tags exist per stream, so one page always holds them all and no listing ever
// issues a NextToken; a non-empty one cannot be ours.
std::optional<ApiResult> RejectNextToken(const std::optional<std::string>& token) {
  if (token && !token->empty()) return InvalidArgument("Invalid NextToken.");
  return std::nullopt;
}

ApiResult TagsOutput(Result<std::map<std::string, std::string>> tags) {
  if (!tags.ok()) return FromStatus(tags.status());
  json map = json::object();
  for (auto& [k, val] : *tags) map[k] = std::move(val);
  return ApiResult::Ok({{"Tags", std::move(map)}});
}

// ResourceARN of the *Resource operations (required, a kinesisvideo stream ARN).
std::optional<std::string> ReadResourceArn(MemberReader& in, Violations& v) {
  auto arn = in.String("ResourceARN");
  CheckArn(v, arn, "resourceARN", /*required=*/true);
  return arn;
}

}  // namespace

ApiResult TagStream(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  Violations v;
  ingest::VideoStreamRef ref = ReadStreamRef(in, v);
  auto tags = in.StringMap("Tags");
  if (!in.ok()) return in.Failure();
  CheckVideoTagMap(v, tags, /*required=*/true);
  if (!v.empty()) return Invalid(v);
  Status s = ctx.streams->Tag(ref, *tags);
  if (!s.ok()) return FromStatus(s);
  return ApiResult::Ok(json::object());
}

ApiResult UntagStream(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  Violations v;
  ingest::VideoStreamRef ref = ReadStreamRef(in, v);
  auto keys = in.StringList("TagKeyList");
  if (!in.ok()) return in.Failure();
  CheckTagKeys(v, keys);
  if (!v.empty()) return Invalid(v);
  Status s = ctx.streams->Untag(ref, *keys);
  if (!s.ok()) return FromStatus(s);
  return ApiResult::Ok(json::object());
}

ApiResult ListTagsForStream(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  Violations v;
  ingest::VideoStreamRef ref = ReadStreamRef(in, v);
  auto token = in.String("NextToken");
  if (!in.ok()) return in.Failure();
  CheckNextToken(v, token, "nextToken", 512);
  if (!v.empty()) return Invalid(v);
  if (auto bad = RejectNextToken(token)) return *bad;
  return TagsOutput(ctx.streams->ListTags(ref));
}

ApiResult TagResource(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  Violations v;
  auto arn = ReadResourceArn(in, v);
  const json* list = in.List("Tags");
  std::map<std::string, std::string> tags;
  std::vector<std::string> keys;  // in request order, for the list-length rendering
  if (list != nullptr) {
    for (size_t i = 0; i < list->size(); ++i) {
      const json& item = (*list)[i];
      if (item.is_null() || !in.IsObject(item)) continue;
      MemberReader tag = in.In(item);
      auto key = tag.String("Key");
      auto value = tag.String("Value");
      const std::string at = "tags." + std::to_string(i + 1) + ".member.";
      if (v.NotNull(key.has_value(), at + "key")) CheckTagKey(v, *key, at + "key");
      if (v.NotNull(value.has_value(), at + "value")) CheckTagValue(v, *value, at + "value");
      if (key && value) {
        keys.push_back(*key);
        tags[*key] = *value;  // a repeated key: the last value wins
      }
    }
  }
  if (!in.ok()) return in.Failure();
  if (v.NotNull(list != nullptr, "tags")) v.ListLength(keys, "tags", 1, 50);
  if (!v.empty()) return Invalid(v);
  Status s = ctx.streams->Tag({.arn = *arn}, tags);
  if (!s.ok()) return FromStatus(s);
  return ApiResult::Ok(json::object());
}

ApiResult UntagResource(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  Violations v;
  auto arn = ReadResourceArn(in, v);
  auto keys = in.StringList("TagKeyList");
  if (!in.ok()) return in.Failure();
  CheckTagKeys(v, keys);
  if (!v.empty()) return Invalid(v);
  Status s = ctx.streams->Untag({.arn = *arn}, *keys);
  if (!s.ok()) return FromStatus(s);
  return ApiResult::Ok(json::object());
}

ApiResult ListTagsForResource(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  Violations v;
  auto arn = ReadResourceArn(in, v);
  auto token = in.String("NextToken");
  if (!in.ok()) return in.Failure();
  CheckNextToken(v, token, "nextToken", 512);
  if (!v.empty()) return Invalid(v);
  if (auto bad = RejectNextToken(token)) return *bad;
  return TagsOutput(ctx.streams->ListTags({.arn = *arn}));
}

}  // namespace sluice::web::api::kvs

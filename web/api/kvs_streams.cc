// SPDX-License-Identifier: Apache-2.0
// Video stream lifecycle: CreateStream, DescribeStream, ListStreams, DeleteStream, UpdateStream,
// UpdateDataRetention and GetDataEndpoint (kinesis-wire.md B2). Member checks follow the
// kinesisvideo model; the stream semantics (versions, retention bounds, limits) are ingest's.
#include <cstdint>
#include <limits>
#include <utility>

#include "web/api/kvs_ops.h"
#include "web/api/wire_codec.h"

namespace sluice::web::api::kvs {
namespace {

using nlohmann::json;

constexpr std::string_view kMediaTypePattern =
    "[\\w\\-\\.\\+]+/[\\w\\-\\.\\+]+(,[\\w\\-\\.\\+]+/[\\w\\-\\.\\+]+)*";
constexpr std::string_view kDevicePattern = "[a-zA-Z0-9_.-]+";
constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == '+';
}

// [\w\-\.\+]+/[\w\-\.\+]+ joined by commas.
bool IsMediaType(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t end = s.find(',', start);
    std::string_view part = s.substr(start, end == std::string_view::npos ? end : end - start);
    const size_t slash = part.find('/');
    if (slash == 0 || slash == std::string_view::npos || slash + 1 == part.size()) return false;
    for (size_t i = 0; i < part.size(); ++i) {
      if (i != slash && !IsWordChar(part[i])) return false;
    }
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

bool IsDeviceName(std::string_view s) {
  for (char c : s) {
    if (!IsWordChar(c) || c == '+') return false;
  }
  return !s.empty();
}

void CheckDeviceAndMedia(Violations& v, const std::optional<std::string>& device,
                         const std::optional<std::string>& media) {
  if (v.Length(device, "deviceName", 1, 128)) {
    v.Pattern(device, "deviceName", kDevicePattern, &IsDeviceName);
  }
  if (v.Length(media, "mediaType", 1, 128)) {
    v.Pattern(media, "mediaType", kMediaTypePattern, &IsMediaType);
  }
}

json StreamInfoShape(const ingest::VideoStreamInfo& s) {
  json out = {{"StreamName", s.name},
              {"StreamARN", s.arn},
              {"KmsKeyId", s.kms_key_id},
              {"Version", s.version},
              {"Status", engine::StreamStatusName(s.status)},
              {"CreationTime", s.created.value()},  // epoch ms; the codec writes seconds
              {"DataRetentionInHours", s.data_retention_hours}};
  if (!s.device_name.empty()) out["DeviceName"] = s.device_name;
  if (!s.media_type.empty()) out["MediaType"] = s.media_type;
  return out;
}

// A Host header fit to echo back as a URL authority: host or host:port, or an IPv6 literal.
bool IsAuthority(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    if (!IsWordChar(c) && c != ':' && c != '[' && c != ']') return false;
  }
  return true;
}

}  // namespace

ApiResult CreateStream(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  auto name = in.String("StreamName");
  auto device = in.String("DeviceName");
  auto media = in.String("MediaType");
  auto kms = in.String("KmsKeyId");
  auto retention = in.Int("DataRetentionInHours");
  auto tags = in.StringMap("Tags");
  if (!in.ok()) return in.Failure();
  Violations v;
  CheckVideoStreamName(v, name, "streamName", /*required=*/true);
  CheckDeviceAndMedia(v, device, media);
  v.Length(kms, "kmsKeyId", 1, 2048);
  v.Range(retention, "dataRetentionInHours", 0, kMaxInt);
  CheckVideoTagMap(v, tags, /*required=*/false);
  if (!v.empty()) return Invalid(v);

  ingest::CreateVideoStreamRequest request{
      .name = *name,
      .device_name = device.value_or(""),
      .media_type = media.value_or(""),
      .kms_key_id = kms.value_or(""),
      .data_retention_hours = static_cast<int>(retention.value_or(0)),
      .tags = tags.value_or(std::map<std::string, std::string>{}),
  };
  Result<ingest::VideoStreamInfo> info = ctx.streams->Create(request);
  if (!info.ok()) return FromStatus(info.status());
  return ApiResult::Ok({{"StreamARN", info->arn}});
}

ApiResult DescribeStream(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  Violations v;
  ingest::VideoStreamRef ref = ReadStreamRef(in, v);
  if (!in.ok()) return in.Failure();
  if (!v.empty()) return Invalid(v);
  Result<ingest::VideoStreamInfo> info = ctx.streams->Describe(ref);
  if (!info.ok()) return FromStatus(info.status());
  return ApiResult::Ok({{"StreamInfo", StreamInfoShape(*info)}});
}

ApiResult ListStreams(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  auto max_results = in.Int("MaxResults");
  auto token = in.String("NextToken");
  std::optional<std::string> op, value;
  const json* condition = in.Struct("StreamNameCondition");
  if (condition != nullptr) {
    MemberReader c = in.In(*condition);
    op = c.String("ComparisonOperator");
    value = c.String("ComparisonValue");
  }
  if (!in.ok()) return in.Failure();
  Violations v;
  v.Range(max_results, "maxResults", 1, 10000);
  CheckNextToken(v, token, "nextToken", 512);
  v.Enum(op, "streamNameCondition.comparisonOperator", {"BEGINS_WITH"});
  CheckVideoStreamName(v, value, "streamNameCondition.comparisonValue", /*required=*/false);
  if (!v.empty()) return Invalid(v);

  ingest::ListVideoStreamsRequest request;
  request.max_results = static_cast<size_t>(max_results.value_or(10000));
  request.name_prefix = value.value_or("");
  if (token && !token->empty()) {
    // Our tokens are base64 of the last stream name of the previous page.
    Result<std::string> after = Base64Decode(*token);
    if (!after.ok() || after->empty()) return InvalidArgument("Invalid NextToken.");
    request.next_token = *after;
  }
  Result<ingest::VideoStreamPage> page = ctx.streams->List(request);
  if (!page.ok()) return FromStatus(page.status());
  json list = json::array();
  for (const ingest::VideoStreamInfo& s : page->streams) list.push_back(StreamInfoShape(s));
  json out = {{"StreamInfoList", std::move(list)}};
  if (!page->next_token.empty()) out["NextToken"] = Base64Encode(page->next_token);
  return ApiResult::Ok(std::move(out));
}

ApiResult DeleteStream(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  auto arn = in.String("StreamARN");
  auto version = in.String("CurrentVersion");
  if (!in.ok()) return in.Failure();
  Violations v;
  CheckArn(v, arn, "streamARN", /*required=*/true);
  CheckVersion(v, version, "currentVersion", /*required=*/false);
  if (!v.empty()) return Invalid(v);
  Status s = ctx.streams->Delete({.arn = *arn}, version);
  if (!s.ok()) return FromStatus(s);
  return ApiResult::Ok(json::object());
}

ApiResult UpdateStream(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  Violations v;
  ingest::VideoStreamRef ref = ReadStreamRef(in, v);
  auto version = in.String("CurrentVersion");
  auto device = in.String("DeviceName");
  auto media = in.String("MediaType");
  if (!in.ok()) return in.Failure();
  CheckVersion(v, version, "currentVersion", /*required=*/true);
  CheckDeviceAndMedia(v, device, media);
  if (!v.empty()) return Invalid(v);
  Status s = ctx.streams->Update(
      {.ref = ref, .current_version = *version, .device_name = device, .media_type = media});
  if (!s.ok()) return FromStatus(s);
  return ApiResult::Ok(json::object());
}

ApiResult UpdateDataRetention(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  Violations v;
  ingest::VideoStreamRef ref = ReadStreamRef(in, v);
  auto version = in.String("CurrentVersion");
  auto op = in.String("Operation");
  auto change = in.Int("DataRetentionChangeInHours");
  if (!in.ok()) return in.Failure();
  CheckVersion(v, version, "currentVersion", /*required=*/true);
  if (v.NotNull(op.has_value(), "operation")) {
    v.Enum(op, "operation", {"INCREASE_DATA_RETENTION", "DECREASE_DATA_RETENTION"});
  }
  if (v.NotNull(change.has_value(), "dataRetentionChangeInHours")) {
    v.Range(change, "dataRetentionChangeInHours", 1, kMaxInt);
  }
  if (!v.empty()) return Invalid(v);
  Status s = ctx.streams->UpdateDataRetention(
      {.ref = ref,
       .current_version = *version,
       .operation = *op == "INCREASE_DATA_RETENTION" ? ingest::RetentionChange::kIncrease
                                                     : ingest::RetentionChange::kDecrease,
       .change_in_hours = static_cast<int>(*change)});
  if (!s.ok()) return FromStatus(s);
  return ApiResult::Ok(json::object());
}

ApiResult GetDataEndpoint(Context& ctx, const KvsCall& call) {
  MemberReader in(call.input, WireFormat::kJson);
  Violations v;
  ingest::VideoStreamRef ref = ReadStreamRef(in, v);
  auto api_name = in.String("APIName");
  if (!in.ok()) return in.Failure();
  if (v.NotNull(api_name.has_value(), "aPIName")) {
    v.Enum(api_name, "aPIName",
           {"PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS", "GET_MEDIA_FOR_FRAGMENT_LIST",
            "GET_HLS_STREAMING_SESSION_URL", "GET_DASH_STREAMING_SESSION_URL", "GET_CLIP",
            "GET_IMAGES"});
  }
  if (!v.empty()) return Invalid(v);
  Result<ingest::VideoStreamInfo> info = ctx.streams->Describe(ref);
  if (!info.ok()) return FromStatus(info.status());
  // Every API of a stream is served by this server, so the endpoint is the URL the client used.
  std::string endpoint = IsAuthority(call.host) ? "http://" + call.host : ctx.endpoint_fallback;
  if (endpoint.empty()) {
    // HTTP/1.1 requires Host; without it (and no configured fallback) there is no URL to give.
    return InvalidArgument("The request has no Host header, so no data endpoint can be named.");
  }
  return ApiResult::Ok({{"DataEndpoint", std::move(endpoint)}});
}

}  // namespace sluice::web::api::kvs

// SPDX-License-Identifier: Apache-2.0
// GetHLSStreamingSessionURL, GetDASHStreamingSessionURL, GetClip and GetImages: member reading and
// the model's checks (kinesis-video-archived-media), StreamName/StreamARN resolution, the calls
// into PlaybackService, and the one mapping of its Status to the KVS exceptions.
#include "web/api/kvs_playback.h"

#include <array>
#include <exception>
#include <utility>

#include "base/log.h"
#include "media/remux.h"
#include "web/api/kvs_ops.h"
#include "web/api/wire_codec.h"

namespace sluice::web::api {
namespace {

using consumers::playback::ClipRequest;
using consumers::playback::ContainerFormat;
using consumers::playback::DashSessionRequest;
using consumers::playback::DiscontinuityMode;
using consumers::playback::FragmentSelector;
using consumers::playback::HlsSessionRequest;
using consumers::playback::ImageError;
using consumers::playback::ImagesPage;
using consumers::playback::ImagesRequest;
using consumers::playback::PlaybackMode;
using kinesis::MemberReader;
using kinesis::Violations;
using nlohmann::json;

constexpr std::string_view kHls = "GetHLSStreamingSessionURL";
constexpr std::string_view kDash = "GetDASHStreamingSessionURL";
constexpr std::string_view kImages = "GetImages";
constexpr std::string_view kClip = "GetClip";

struct Entry {
  std::string_view path;
  std::string_view operation;
};
constexpr std::array<Entry, 4> kOperations = {{
    {"/getHLSStreamingSessionURL", kHls},
    {"/getDASHStreamingSessionURL", kDash},
    {"/getImages", kImages},
    {"/getClip", kClip},
}};

// A Host header fit to echo back as a URL authority: host or host:port, or an IPv6 literal.
bool IsAuthority(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("-._:[]").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// The error of a failed ApiResult (an OK one, which callers never pass, reads as internal).
ApiError ErrorOf(const ApiResult& r) {
  if (!r.error.has_value()) return {"InternalFailure", "Internal service failure.", 500};
  return r.error.value();
}

// {FragmentSelectorType, TimestampRange{StartTimestamp, EndTimestamp}} as sent; `member` is the
// wire path for messages ("hLSFragmentSelector").
struct SelectorMembers {
  bool present = false;
  std::optional<std::string> type;
  bool has_range = false;
  std::optional<int64_t> start_ms;
  std::optional<int64_t> end_ms;
};

SelectorMembers ReadSelector(MemberReader& in, std::string_view key) {
  SelectorMembers sel;
  const json* selector = in.Struct(key);
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

// The model's checks of a selector. `type_required` for ClipFragmentSelector (both members are
// required there); the HLS and DASH selectors default the type and leave range rules to the
// playback mode.
void CheckSelector(Violations& v, const SelectorMembers& sel, const std::string& member,
                   bool type_required) {
  if (!sel.present) return;
  const std::string type_member = member + ".fragmentSelectorType";
  if (!type_required || v.NotNull(sel.type.has_value(), type_member)) {
    v.Enum(sel.type, type_member, {"PRODUCER_TIMESTAMP", "SERVER_TIMESTAMP"});
  }
  const std::string range_member = member + ".timestampRange";
  if (type_required && !v.NotNull(sel.has_range, range_member)) return;
  if (!sel.has_range) return;
  // StartTimestamp is required within a range; EndTimestamp too for clips (LIVE_REPLAY may leave
  // it open, which the service decides).
  v.NotNull(sel.start_ms.has_value(), range_member + ".startTimestamp");
  if (type_required) v.NotNull(sel.end_ms.has_value(), range_member + ".endTimestamp");
}

std::optional<FragmentSelector> ToSelector(const SelectorMembers& sel) {
  if (!sel.present) return std::nullopt;
  FragmentSelector out;
  out.axis = sel.type.value_or("SERVER_TIMESTAMP") == "PRODUCER_TIMESTAMP"
                 ? index::TimeAxis::kProducer
                 : index::TimeAxis::kServer;
  if (sel.start_ms) out.start = TimestampMs(*sel.start_ms);
  if (sel.end_ms) out.end = TimestampMs(*sel.end_ms);
  return out;
}

PlaybackMode ModeOf(const std::optional<std::string>& mode) {
  if (mode == "LIVE_REPLAY") return PlaybackMode::kLiveReplay;
  if (mode == "ON_DEMAND") return PlaybackMode::kOnDemand;
  return PlaybackMode::kLive;
}

const std::initializer_list<std::string_view> kModes = {"LIVE", "LIVE_REPLAY", "ON_DEMAND"};
const std::initializer_list<std::string_view> kAlwaysNever = {"ALWAYS", "NEVER"};

std::string StripPrefix(std::string message, std::string_view prefix) {
  const size_t at = message.find(prefix);
  if (at != std::string::npos) message.erase(at, prefix.size());
  return message;
}

std::string_view ImageErrorName(ImageError e) {
  return e == ImageError::kNoMedia ? "NO_MEDIA" : "MEDIA_ERROR";
}

template <typename Fn>
auto Guarded(std::string_view operation, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    LOG_ERROR("kvs", "operation failed with an exception",
              {{"operation", operation}, {"error", e.what()}});
  } catch (...) {
    LOG_ERROR("kvs", "operation failed with an unknown exception", {{"operation", operation}});
  }
  using R = decltype(fn());
  R failed;
  if constexpr (std::is_same_v<R, ApiResult>) {
    failed = ApiResult::Fail("InternalFailure", "Internal service failure.", 500);
  } else {
    failed.error = ApiError{"InternalFailure", "Internal service failure.", 500};
  }
  return failed;
}

}  // namespace

ApiError PlaybackApiError(const Status& status) {
  const std::string& m = status.message();
  switch (status.code()) {
    case StatusCode::kNotFound:
      return {"ResourceNotFoundException", m, 404};
    case StatusCode::kInvalidArgument:
      return {"InvalidArgumentException", m, 400};
    case StatusCode::kDeadlineExceeded:
      return {"NotAuthorizedException", m, 403};
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable:
      return {"ClientLimitExceededException", m, 400};
    case StatusCode::kFailedPrecondition: {
      static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kPrefixes = {{
          {media::kUnsupportedMediaPrefix, "UnsupportedStreamMediaTypeException"},
          {media::kMissingCodecPrivatePrefix, "MissingCodecPrivateDataException"},
          {media::kInvalidCodecPrivatePrefix, "InvalidCodecPrivateDataException"},
          {consumers::playback::kNoDataRetentionPrefix, "NoDataRetentionException"},
      }};
      for (const auto& [prefix, type] : kPrefixes) {
        if (m.find(prefix) != std::string::npos) {
          return {std::string(type), StripPrefix(m, prefix), 400};
        }
      }
      break;
    }
    default:
      break;
  }
  return ErrorOf(kvs::FromStatus(status));  // stream state (ResourceInUse), internal failures
}

std::optional<ApiError> DecodeHlsSessionRequest(const json& input, ingest::VideoStreamRef* ref,
                                                HlsSessionRequest* out) {
  MemberReader in(input, WireFormat::kJson);
  Violations v;
  *ref = kvs::ReadStreamRef(in, v);
  auto mode = in.String("PlaybackMode");
  SelectorMembers sel = ReadSelector(in, "HLSFragmentSelector");
  auto container = in.String("ContainerFormat");
  auto discontinuity = in.String("DiscontinuityMode");
  auto display = in.String("DisplayFragmentTimestamp");
  auto expires = in.Int("Expires");
  auto max_results = in.Int("MaxMediaPlaylistFragmentResults");
  auto low_latency = in.Bool(kLowLatencyMember);
  if (!in.ok()) return ErrorOf(in.Failure());
  v.Enum(mode, "playbackMode", kModes);
  CheckSelector(v, sel, "hLSFragmentSelector", /*type_required=*/false);
  v.Enum(container, "containerFormat", {"FRAGMENTED_MP4", "MPEG_TS"});
  v.Enum(discontinuity, "discontinuityMode", {"ALWAYS", "NEVER", "ON_DISCONTINUITY"});
  v.Enum(display, "displayFragmentTimestamp", kAlwaysNever);
  v.Range(expires, "expires", 300, 43200);
  v.Range(max_results, "maxMediaPlaylistFragmentResults", 1, 5000);
  if (!v.empty()) return ErrorOf(kvs::Invalid(v));

  out->mode = ModeOf(mode);
  out->selector = ToSelector(sel);
  out->container =
      container == "MPEG_TS" ? ContainerFormat::kMpegTs : ContainerFormat::kFragmentedMp4;
  if (discontinuity == "ALWAYS") out->discontinuity = DiscontinuityMode::kAlways;
  if (discontinuity == "NEVER") out->discontinuity = DiscontinuityMode::kNever;
  if (discontinuity == "ON_DISCONTINUITY") out->discontinuity = DiscontinuityMode::kOnDiscontinuity;
  out->display_fragment_timestamp = display == "ALWAYS";
  out->expires_s = expires;
  if (max_results) out->max_fragments = static_cast<uint32_t>(*max_results);
  out->low_latency = low_latency.value_or(false);
  return std::nullopt;
}

std::optional<ApiError> DecodeDashSessionRequest(const json& input, ingest::VideoStreamRef* ref,
                                                 DashSessionRequest* out) {
  MemberReader in(input, WireFormat::kJson);
  Violations v;
  *ref = kvs::ReadStreamRef(in, v);
  auto mode = in.String("PlaybackMode");
  auto display_ts = in.String("DisplayFragmentTimestamp");
  auto display_fn = in.String("DisplayFragmentNumber");
  SelectorMembers sel = ReadSelector(in, "DASHFragmentSelector");
  auto expires = in.Int("Expires");
  auto max_results = in.Int("MaxManifestFragmentResults");
  if (!in.ok()) return ErrorOf(in.Failure());
  v.Enum(mode, "playbackMode", kModes);
  v.Enum(display_ts, "displayFragmentTimestamp", kAlwaysNever);
  v.Enum(display_fn, "displayFragmentNumber", kAlwaysNever);
  CheckSelector(v, sel, "dASHFragmentSelector", /*type_required=*/false);
  v.Range(expires, "expires", 300, 43200);
  v.Range(max_results, "maxManifestFragmentResults", 1, 5000);
  if (!v.empty()) return ErrorOf(kvs::Invalid(v));

  out->mode = ModeOf(mode);
  out->selector = ToSelector(sel);
  out->display_fragment_timestamp = display_ts == "ALWAYS";
  out->display_fragment_number = display_fn == "ALWAYS";
  out->expires_s = expires;
  if (max_results) out->max_fragments = static_cast<uint32_t>(*max_results);
  return std::nullopt;
}

std::optional<ApiError> DecodeClipRequest(const json& input, ingest::VideoStreamRef* ref,
                                          ClipRequest* out) {
  MemberReader in(input, WireFormat::kJson);
  Violations v;
  *ref = kvs::ReadStreamRef(in, v);
  SelectorMembers sel = ReadSelector(in, "ClipFragmentSelector");
  if (!in.ok()) return ErrorOf(in.Failure());
  if (v.NotNull(sel.present, "clipFragmentSelector")) {
    CheckSelector(v, sel, "clipFragmentSelector", /*type_required=*/true);
  }
  if (!v.empty()) return ErrorOf(kvs::Invalid(v));
  out->selector = *ToSelector(sel);
  return std::nullopt;
}

std::optional<ApiError> DecodeImagesRequest(const json& input, ingest::VideoStreamRef* ref,
                                            ImagesRequest* out) {
  MemberReader in(input, WireFormat::kJson);
  Violations v;
  *ref = kvs::ReadStreamRef(in, v);
  auto selector = in.String("ImageSelectorType");
  auto start_ms = in.TimestampMs("StartTimestamp");
  auto end_ms = in.TimestampMs("EndTimestamp");
  auto interval = in.Int("SamplingInterval");
  auto format = in.String("Format");
  auto config = in.StringMap("FormatConfig");
  auto width = in.Int("WidthPixels");
  auto height = in.Int("HeightPixels");
  auto max_results = in.Int("MaxResults");
  auto token = in.String("NextToken");
  if (!in.ok()) return ErrorOf(in.Failure());
  if (v.NotNull(selector.has_value(), "imageSelectorType")) {
    v.Enum(selector, "imageSelectorType", {"PRODUCER_TIMESTAMP", "SERVER_TIMESTAMP"});
  }
  v.NotNull(start_ms.has_value(), "startTimestamp");
  v.NotNull(end_ms.has_value(), "endTimestamp");
  // The current model allows 200 ms (older ones said 3000); SamplingInterval defaults to 3000.
  v.Range(interval, "samplingInterval", 200, 20000);
  if (v.NotNull(format.has_value(), "format")) v.Enum(format, "format", {"JPEG", "PNG"});
  std::optional<int64_t> quality;
  if (config) {
    if (config->size() != 1) {
      v.Add(std::nullopt, "formatConfig", "Member must have length between 1 and 1");
    }
    for (const auto& [key, value] : *config) {
      if (key != "JPEGQuality") {
        v.Add(key, "formatConfig", "Map keys must satisfy enum value set: [JPEGQuality]");
        continue;
      }
      int64_t q = 0;
      bool digits = !value.empty() && value.size() <= 3;
      for (char c : value) {
        digits = digits && c >= '0' && c <= '9';
        if (digits) q = q * 10 + (c - '0');
      }
      if (!digits || q < 1 || q > 100) {
        v.Add(value, "formatConfig.JPEGQuality", "Member must be an integer from 1 to 100");
      } else {
        quality = q;
      }
    }
  }
  v.Range(width, "widthPixels", 1, 3840);
  v.Range(height, "heightPixels", 1, 2160);
  v.Range(max_results, "maxResults", 1, 100);
  if (v.Length(token, "nextToken", 1, 4096)) {
    v.Pattern(token, "nextToken", kvs::kNextTokenPattern, &kvs::IsNextToken);
  }
  if (!v.empty()) return ErrorOf(kvs::Invalid(v));

  out->axis =
      selector == "PRODUCER_TIMESTAMP" ? index::TimeAxis::kProducer : index::TimeAxis::kServer;
  out->start = TimestampMs(*start_ms);
  out->end = TimestampMs(*end_ms);
  if (interval) out->sampling_interval_ms = *interval;
  out->png = format == "PNG";
  if (quality) out->jpeg_quality = static_cast<int>(*quality);
  if (width) out->width = static_cast<uint32_t>(*width);
  if (height) out->height = static_cast<uint32_t>(*height);
  if (max_results) out->max_results = static_cast<uint32_t>(*max_results);
  out->next_token = token.value_or("");
  return std::nullopt;
}

json ImagesPageJson(const ImagesPage& page) {
  json images = json::array();
  for (const consumers::playback::Image& image : page.images) {
    json one = {{"TimeStamp", image.timestamp.value()}};  // epoch ms; the codec writes seconds
    if (image.error != ImageError::kNone) {
      one["Error"] = ImageErrorName(image.error);
    } else {
      one["ImageContent"] = Base64Encode(image.content);
    }
    images.push_back(std::move(one));
  }
  json out = {{"Images", std::move(images)}};
  if (!page.next_token.empty()) out["NextToken"] = page.next_token;
  return out;
}

KvsPlaybackApi::KvsPlaybackApi(ingest::VideoStreams* streams,
                               consumers::playback::PlaybackService* playback, Options options)
    : streams_(streams), playback_(playback), options_(std::move(options)) {}

std::optional<std::string_view> KvsPlaybackApi::OperationForPath(std::string_view path) {
  for (const Entry& e : kOperations) {
    if (e.path == path) return e.operation;
  }
  return std::nullopt;
}

std::vector<std::string_view> KvsPlaybackApi::Paths() {
  std::vector<std::string_view> paths;
  for (const Entry& e : kOperations) paths.push_back(e.path);
  return paths;
}

bool KvsPlaybackApi::IsBinary(std::string_view operation) { return operation == kClip; }

std::string KvsPlaybackApi::Endpoint(const KvsCall& call) const {
  return IsAuthority(call.host) ? "http://" + call.host : options_.data_endpoint_fallback;
}

ApiResult KvsPlaybackApi::Handle(const KvsCall& call) {
  if (!call.input.is_object()) {
    return ApiResult::Fail("SerializationException", "The request body must be a JSON object.");
  }
  return Guarded(call.operation, [&]() -> ApiResult {
    if (call.operation == kHls) return HlsSession(call);
    if (call.operation == kDash) return DashSession(call);
    if (call.operation == kImages) return Images(call);
    return ApiResult::Fail("UnknownOperationException",
                           "Unknown operation '" + call.operation + "'", 404);
  });
}

ApiResult KvsPlaybackApi::HlsSession(const KvsCall& call) {
  ingest::VideoStreamRef ref;
  HlsSessionRequest request;
  if (auto error = DecodeHlsSessionRequest(call.input, &ref, &request)) return {{}, *error};
  Result<std::string> stream = streams_->ResolveName(ref);
  if (!stream.ok()) return kvs::FromStatus(stream.status());
  request.stream = std::move(*stream);
  const std::string endpoint = Endpoint(call);
  if (endpoint.empty()) {
    return kvs::InvalidArgument("The request has no Host header, so no session URL can be named.");
  }
  Result<std::string> url = playback_->CreateHlsSession(request, endpoint);
  if (!url.ok()) return {{}, PlaybackApiError(url.status())};
  return ApiResult::Ok({{"HLSStreamingSessionURL", std::move(*url)}});
}

ApiResult KvsPlaybackApi::DashSession(const KvsCall& call) {
  ingest::VideoStreamRef ref;
  DashSessionRequest request;
  if (auto error = DecodeDashSessionRequest(call.input, &ref, &request)) return {{}, *error};
  Result<std::string> stream = streams_->ResolveName(ref);
  if (!stream.ok()) return kvs::FromStatus(stream.status());
  request.stream = std::move(*stream);
  const std::string endpoint = Endpoint(call);
  if (endpoint.empty()) {
    return kvs::InvalidArgument("The request has no Host header, so no session URL can be named.");
  }
  Result<std::string> url = playback_->CreateDashSession(request, endpoint);
  if (!url.ok()) return {{}, PlaybackApiError(url.status())};
  return ApiResult::Ok({{"DASHStreamingSessionURL", std::move(*url)}});
}

ApiResult KvsPlaybackApi::Images(const KvsCall& call) {
  ingest::VideoStreamRef ref;
  ImagesRequest request;
  if (auto error = DecodeImagesRequest(call.input, &ref, &request)) return {{}, *error};
  Result<std::string> stream = streams_->ResolveName(ref);
  if (!stream.ok()) return kvs::FromStatus(stream.status());
  request.stream = std::move(*stream);
  Result<ImagesPage> page = playback_->GetImages(request);
  if (!page.ok()) return {{}, PlaybackApiError(page.status())};
  return ApiResult::Ok(ImagesPageJson(*page));
}

KvsPlaybackApi::ClipResult KvsPlaybackApi::GetClip(const KvsCall& call) {
  if (!call.input.is_object()) {
    return {ApiError{"SerializationException", "The request body must be a JSON object.", 400}, {}};
  }
  return Guarded(kClip, [&]() -> ClipResult {
    ingest::VideoStreamRef ref;
    ClipRequest request;
    if (auto error = DecodeClipRequest(call.input, &ref, &request)) return {*error, {}};
    Result<std::string> stream = streams_->ResolveName(ref);
    if (!stream.ok()) return {ErrorOf(kvs::FromStatus(stream.status())), {}};
    request.stream = std::move(*stream);
    Result<consumers::playback::Clip> clip = playback_->GetClip(request);
    if (!clip.ok()) return {PlaybackApiError(clip.status()), {}};
    return {std::nullopt, std::move(*clip)};
  });
}

}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// Playback routes: the POST operations through api::KvsPlaybackApi, the GET session resources
// through PlaybackService::Serve, the LL-HLS blocking reload, and the two pools they run on.

#include "web/http/playback_routes.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "web/api/wire_codec.h"
#include "web/http/kvs_media_util.h"
#include "web/http/request_ids.h"
#include "web/http/work_pool.h"

namespace sluice::web {
namespace {

using consumers::playback::PlaybackRequest;
using consumers::playback::PlaybackResource;
using consumers::playback::PlaybackService;

constexpr uint64_t kJsonBodyLimit = 64 << 10;  // the largest request (GetImages) is far smaller
constexpr std::string_view kMediaPlaylist = "/hls/v1/getHLSMediaPlaylist.m3u8";
constexpr std::string_view kThrottled =
    "Kinesis Video Streams has throttled the request because you have exceeded the limit of "
    "allowed client calls. Try making the call later.";

// What the handlers share: the services and the pools. The route handlers own it (so it lives
// as long as the router); jobs capture raw pointers only (a pool thread must never drop the last
// reference to its own pool) and wait callbacks hold it weakly.
struct State {
  explicit State(const PlaybackRoutesOptions& o)
      : api(o.api),
        playback(o.playback),
        timeout_ms(o.blocking_reload_timeout_ms),
        serve({.name = "playback",
               .threads = o.serve_threads != 0
                              ? o.serve_threads
                              : std::max<size_t>(2, std::thread::hardware_concurrency()),
               .max_queued = o.max_queued}),
        exports(
            {.name = "playback-export", .threads = o.export_threads, .max_queued = o.max_queued}) {}

  api::KvsPlaybackApi* const api;
  PlaybackService* const playback;
  const int64_t timeout_ms;
  WorkPool serve;
  WorkPool exports;
};

HttpResponse WithRequestId(HttpResponse response, std::string id = NewRequestId()) {
  response.SetHeader("x-amzn-RequestId", id);
  response.SetHeader("x-amz-RequestId", id);
  return response;
}

HttpResponse ErrorResponse(const api::ApiError& e, std::string id = NewRequestId()) {
  return WithRequestId(KvsErrorResponse(e.http_status, e.type, e.message), std::move(id));
}

HttpResponse Throttled() {
  return ErrorResponse({"ClientLimitExceededException", std::string(kThrottled), 400});
}

HttpResponse Stopping() {
  return ErrorResponse({"ServiceUnavailableException", "The server is shutting down.", 503});
}

// Runs `work` (which answers through `reply`) on `pool`; a full pool is answered at once.
void Run(WorkPool& pool, const HttpReply& reply, std::function<void()> work) {
  if (!pool.Post(std::move(work), [reply] { reply(Stopping()); })) reply(Throttled());
}

HttpResponse JsonResponse(const api::ApiResult& result, const std::string& id) {
  if (result.error) return ErrorResponse(*result.error, id);
  HttpResponse response;
  response.body = api::EncodeBody(result.output, api::WireFormat::kJson);
  response.SetHeader("Content-Type", "application/json");
  return WithRequestId(std::move(response), id);
}

HttpResponse ResourceResponse(Result<PlaybackResource> resource) {
  if (!resource.ok()) return ErrorResponse(api::PlaybackApiError(resource.status()));
  HttpResponse response;
  response.SetHeader("Content-Type", resource->content_type);
  if (!resource->cache_control.empty()) {
    response.SetHeader("Cache-Control", resource->cache_control);
  }
  response.body = std::move(resource->body);
  return WithRequestId(std::move(response));
}

// The decoded call of a POST, or the SerializationException to answer.
std::optional<api::KvsCall> CallOf(std::string_view operation, const HttpRequest& request,
                                   const HttpReply& reply) {
  Result<nlohmann::json> input = api::DecodeBody(request.body, api::WireFormat::kJson);
  if (!input.ok()) {
    reply(ErrorResponse({"SerializationException", input.status().message(), 400}));
    return std::nullopt;
  }
  return api::KvsCall{.operation = std::string(operation),
                      .input = std::move(*input),
                      .host = std::string(request.Header("Host")),
                      .request_id = NewRequestId()};
}

void AddOperations(Router* router, const std::shared_ptr<State>& state) {
  api::KvsPlaybackApi* api = state->api;
  for (std::string_view path : api::KvsPlaybackApi::Paths()) {
    const std::string_view operation = *api::KvsPlaybackApi::OperationForPath(path);
    const bool binary = api::KvsPlaybackApi::IsBinary(operation);
    // Session URLs are quick; clips and images may take seconds and get their own pool.
    WorkPool State::*pool = operation.starts_with("Get") && operation.ends_with("SessionURL")
                                ? &State::serve
                                : &State::exports;
    router->Add("POST", std::string(path),
                {.name = "kvs_" + std::string(operation), .body_limit = kJsonBodyLimit},
                [state, api, operation, binary, pool](HttpRequest request, HttpReply reply) {
                  std::optional<api::KvsCall> call = CallOf(operation, request, reply);
                  if (!call) return;
                  Run((*state).*pool, reply, [api, binary, reply, call = std::move(*call)] {
                    const std::string& id = call.request_id;
                    if (!binary) return reply(JsonResponse(api->Handle(call), id));
                    api::KvsPlaybackApi::ClipResult clip = api->GetClip(call);
                    if (clip.error) return reply(ErrorResponse(*clip.error, id));
                    HttpResponse response;
                    response.SetHeader("Content-Type", clip.clip.content_type);
                    response.body = std::move(clip.clip.body);
                    reply(WithRequestId(std::move(response), id));
                  });
                });
  }
}

// GET of a session resource; a media playlist with _HLS_msn waits for that sequence first.
void ServeResource(const std::shared_ptr<State>& s, const HttpRequest& request,
                   const HttpReply& reply) {
  auto resource = std::make_shared<PlaybackRequest>(
      PlaybackRequest{.path = request.path, .query = DecodeQuery(request.query)});
  PlaybackService* playback = s->playback;
  auto serve = [playback, resource, reply] { reply(ResourceResponse(playback->Serve(*resource))); };
  const auto msn = resource->query.find("_HLS_msn");
  if (request.path != kMediaPlaylist || msn == resource->query.end()) {
    return Run(s->serve, reply, std::move(serve));
  }
  uint64_t sequence = 0;
  const std::string& text = msn->second;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), sequence);
  if (text.empty() || parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) {
    return reply(ErrorResponse(
        {"InvalidArgumentException", "_HLS_msn must be a media sequence number", 400}));
  }
  std::weak_ptr<State> weak = s;
  // `ready` may run on any thread (also inside WaitForSequence): hand the Serve to the pool.
  playback->WaitForSequence(*resource, sequence, s->timeout_ms,
                            [weak, reply, serve = std::move(serve)]() mutable {
                              auto state = weak.lock();
                              if (!state) return reply(Stopping());
                              Run(state->serve, reply, std::move(serve));
                            });
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() && HexValue(v[i + 1]) >= 0 && HexValue(v[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(v[i + 1]) * 16 + HexValue(v[i + 2]));
      i += 2;
    } else {
      out += v[i];
    }
  }
  return out;
}

}  // namespace

const std::vector<std::string_view>& PlaybackResourcePaths() {
  static const std::vector<std::string_view> kPaths = {
      "/hls/v1/getHLSMasterPlaylist.m3u8", "/hls/v1/getHLSMediaPlaylist.m3u8",
      "/hls/v1/getMP4InitFragment.mp4",    "/hls/v1/getMP4MediaFragment.mp4",
      "/hls/v1/getTSFragment.ts",          "/dash/v1/getDASHManifest.mpd",
      "/dash/v1/getMP4InitFragment.mp4",   "/dash/v1/getMP4MediaFragment.mp4",
  };
  return kPaths;
}

std::map<std::string, std::string> DecodeQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
    params.emplace(std::move(key), std::move(value));
  }
  return params;
}

void AddPlaybackRoutes(Router* router, const PlaybackRoutesOptions& options) {
  auto state = std::make_shared<State>(options);
  if (state->api != nullptr) AddOperations(router, state);
  if (state->playback == nullptr) return;
  for (std::string_view path : PlaybackResourcePaths()) {
    const std::string name = path.starts_with("/hls/") ? "hls_" + std::string(path.substr(8))
                                                       : "dash_" + std::string(path.substr(9));
    router->Add(
        "GET", std::string(path), {.name = name, .body_limit = 4 << 10},
        [state](HttpRequest request, HttpReply reply) { ServeResource(state, request, reply); });
  }
}

}  // namespace sluice::web

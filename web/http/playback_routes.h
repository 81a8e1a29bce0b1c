// SPDX-License-Identifier: Apache-2.0
// The Kinesis Video Streams playback routes (kinesis-wire.md B8-B11):
//   POST /getHLSStreamingSessionURL, /getDASHStreamingSessionURL, /getImages  JSON in, JSON out
//   POST /getClip                                     JSON in, progressive MP4 out (video/mp4)
//   GET  /hls/v1/<resource>, /dash/v1/<resource>      the session resources, authorised only by
//                                                     their SessionToken
// The work (session checks, playlists, remuxing, clips, images) runs on small thread pools, never
// on an io thread; a full queue is answered ClientLimitExceededException at once. A media
// playlist request with `_HLS_msn` (LL-HLS blocking reload; `_HLS_part` is ignored) waits without
// holding a thread (PlaybackService::WaitForSequence) until the playlist would list that media
// sequence number or the timeout passes, then gets the playlist as it is.
// Errors: the KVS shape ({"Message", "__type"}, x-amzn-ErrorType) with api::PlaybackApiError's
// status; an expired or forged session token is 403. CORS comes from the Router.
// Example (in BuildSluiceRouter):
//   AddPlaybackRoutes(router.get(), {.api = options.kvs_playback, .playback = options.playback});
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "consumers/playback/playback_service.h"
#include "web/api/kvs_playback.h"
#include "web/http/router.h"

namespace sluice::web {

struct PlaybackRoutesOptions {
  api::KvsPlaybackApi* api = nullptr;                        // the POST operations; null: none
  consumers::playback::PlaybackService* playback = nullptr;  // the GET resources; null: none
  size_t serve_threads = 0;   // playlists, segments, session URLs; 0: hardware threads (>= 2)
  size_t export_threads = 2;  // GetClip and GetImages, so a long clip never delays a segment
  size_t max_queued = 256;    // per pool; ClientLimitExceededException beyond
  int64_t blocking_reload_timeout_ms = 6000;  // about 3 target durations of 2 s fragments
};

// Registers the routes. The pointers are not owned and must outlive the router; the pools live
// as long as the router does.
void AddPlaybackRoutes(Router* router, const PlaybackRoutesOptions& options);

// Every GET resource path served (HLS and DASH).
const std::vector<std::string_view>& PlaybackResourcePaths();

// A query string split into percent-decoded parameters ('+' stays '+': session tokens may hold
// it). A repeated key keeps its first value.
std::map<std::string, std::string> DecodeQuery(std::string_view query);

}  // namespace sluice::web

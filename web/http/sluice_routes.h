// SPDX-License-Identifier: Apache-2.0
// The routing table of the `sluice` server: the built-in routes plus every API it serves. New
// endpoints (KVS control plane, media, HLS, console) are registered here.
#pragma once

#include <cstdint>
#include <memory>

#include "consumers/playback/playback_service.h"
#include "ingest/camera_manager.h"
#include "web/api/kinesis_api.h"
#include "web/api/kvs_api.h"
#include "web/api/kvs_playback.h"
#include "web/http/get_media_route.h"
#include "web/http/put_media_route.h"
#include "web/http/router.h"
#include "web/http/static_routes.h"

namespace sluice::web {

// Every pointer is not owned and must outlive the router; a null one leaves its routes out.
struct SluiceRoutesOptions {
  api::KinesisApi* kinesis = nullptr;  // POST / (Kinesis Data Streams)
  // Largest AWS JSON/CBOR request body (413 beyond). 0: the server's default body limit.
  uint64_t api_body_limit = 0;
  api::KinesisVideoApi* kvs = nullptr;       // POST /createStream, ... /listFragments
  PutMediaRoute* put_media = nullptr;        // POST /putMedia
  GetMediaRoute* get_media = nullptr;        // POST /getMedia, /getMediaForFragmentList
  ingest::CameraManager* cameras = nullptr;  // /cameras
  // POST /getHLSStreamingSessionURL, /getDASHStreamingSessionURL, /getImages, /getClip
  api::KvsPlaybackApi* kvs_playback = nullptr;
  consumers::playback::PlaybackService* playback = nullptr;  // GET /hls/v1/..., /dash/v1/...
  const StaticRoutesOptions* static_files = nullptr;         // GET /player/..., /vendor/...
};

std::shared_ptr<Router> BuildSluiceRouter(const SluiceRoutesOptions& options);

}  // namespace sluice::web

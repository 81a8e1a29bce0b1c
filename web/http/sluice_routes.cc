// SPDX-License-Identifier: Apache-2.0
// Wires the services into one Router: POST / (Kinesis Data Streams), the Kinesis Video Streams
// control plane, media and playback routes, the camera API, the player's static files,
// /healthz, /metrics.

#include "web/http/sluice_routes.h"

#include "web/http/aws_json_route.h"
#include "web/http/builtin_routes.h"
#include "web/http/cameras_routes.h"
#include "web/http/kvs_routes.h"
#include "web/http/playback_routes.h"

namespace sluice::web {

std::shared_ptr<Router> BuildSluiceRouter(const SluiceRoutesOptions& options) {
  auto router = std::make_shared<Router>();
  AddBuiltinRoutes(router.get());

  if (api::KinesisApi* kinesis = options.kinesis) {
    auto aws = std::make_shared<const AwsJsonRoute>(std::vector<AwsJsonService>{{
        .target_prefix = "Kinesis_20131202",
        .handles = [kinesis](std::string_view op) { return kinesis->Handles(op); },
        .handle = [kinesis](
                      api::ApiCall call,
                      api::ApiReply reply) { kinesis->Handle(std::move(call), std::move(reply)); },
    }});
    router->Add("POST", "/",
                {.name = "aws_json",
                 .body_limit = options.api_body_limit,
                 .operation_label = [aws](const HttpRequest& r) { return aws->OperationLabel(r); }},
                [aws](HttpRequest request, HttpReply reply) {
                  aws->Handle(std::move(request), std::move(reply));
                });
  }
  if (options.kvs != nullptr) AddKvsRoutes(router.get(), options.kvs);
  if (PutMediaRoute* put_media = options.put_media) {
    router->AddStreaming("POST", "/putMedia", PutMediaRoute::Route(),
                         [put_media](HttpRequest head, std::shared_ptr<BodyReader> body,
                                     std::shared_ptr<ResponseWriter> writer) {
                           put_media->Handle(std::move(head), std::move(body), std::move(writer));
                         });
  }
  if (options.get_media != nullptr) options.get_media->Register(router.get());
  if (options.cameras != nullptr) AddCameraRoutes(router.get(), options.cameras);
  if (options.kvs_playback != nullptr || options.playback != nullptr) {
    AddPlaybackRoutes(router.get(), {.api = options.kvs_playback, .playback = options.playback});
  }
  if (options.static_files != nullptr) AddStaticRoutes(*router, *options.static_files);
  return router;
}

}  // namespace sluice::web

// SPDX-License-Identifier: Apache-2.0
// The Kinesis Video Streams REST-JSON routes: `POST /createStream`, `/describeStream`, ...,
// `/TagResource`, `/listFragments` (every path KinesisVideoApi::Paths() names). Each decodes the
// JSON body, passes the Host header for GetDataEndpoint, and answers in KVS's shapes: 200 with a
// JSON body, or the model's status with {"__type", "Message"} and x-amzn-ErrorType.
// Example (in BuildSluiceRouter):
//   AddKvsRoutes(router.get(), options.kvs);
#pragma once

#include "web/api/kvs_api.h"
#include "web/http/router.h"

namespace sluice::web {

// Registers every KVS control-plane route on `router`. `api` is not owned and must outlive the
// router.
void AddKvsRoutes(Router* router, api::KinesisVideoApi* api);

}  // namespace sluice::web

// SPDX-License-Identifier: Apache-2.0
// The routing table of the `sluice` server: the built-in routes plus every API it serves. New
// endpoints (KVS control plane, media, HLS, console) are registered here.
#pragma once

#include <cstdint>
#include <memory>

#include "web/api/kinesis_api.h"
#include "web/http/router.h"

namespace sluice::web {

struct SluiceRoutesOptions {
  api::KinesisApi* kinesis = nullptr;  // not owned; must outlive the router
  // Largest AWS JSON/CBOR request body (413 beyond). 0: the server's default body limit.
  uint64_t api_body_limit = 0;
};

std::shared_ptr<Router> BuildSluiceRouter(const SluiceRoutesOptions& options);

}  // namespace sluice::web

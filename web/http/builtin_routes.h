// SPDX-License-Identifier: Apache-2.0
// Routes every Sluice server has regardless of its services: GET /healthz and GET /metrics.
#pragma once

#include "web/http/router.h"

namespace sluice::web {

// GET /healthz -> 200 {"status":"ok"}; GET /metrics -> Prometheus text format 0.0.4.
void AddBuiltinRoutes(Router* router);

}  // namespace sluice::web

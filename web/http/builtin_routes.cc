// SPDX-License-Identifier: Apache-2.0
// /healthz and /metrics handlers.

#include "web/http/builtin_routes.h"

#include "base/metrics.h"

namespace sluice::web {

void AddBuiltinRoutes(Router* router) {
  router->Add("GET", "/healthz", {.name = "healthz"}, [](HttpRequest, HttpReply reply) {
    HttpResponse response;
    response.body = R"({"status":"ok"})";
    response.SetHeader("Content-Type", "application/json");
    reply(std::move(response));
  });
  router->Add("GET", "/metrics", {.name = "metrics"}, [](HttpRequest, HttpReply reply) {
    HttpResponse response;
    response.body = Metrics::Global().RenderPrometheus();
    response.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    reply(std::move(response));
  });
}

}  // namespace sluice::web

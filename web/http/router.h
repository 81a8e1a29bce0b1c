// SPDX-License-Identifier: Apache-2.0
// Router: maps a request's method and exact path to an HttpHandler, and applies what every
// response shares: CORS headers, the OPTIONS preflight answer, 404/405 JSON errors and the
// per-request metrics. Beast-free: the session hands it an HttpRequest and gets an HttpResponse.
//
// The router is consulted twice per request: once with the head only (RouteFor, to pick the body
// limit before the body is read) and once with the whole request (Dispatch). That first look is
// the seam for streaming routes (see web/README.md).
//
// Example:
//   auto router = std::make_shared<Router>();
//   router->Add("GET", "/healthz", {.name = "healthz"}, HealthHandler);
//   router->Dispatch(std::move(request), [](HttpResponse r) { /* write r */ });
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "web/http/http_types.h"
#include "web/http/streaming.h"

namespace sluice::web {

struct RouteOptions {
  // Metric label for requests on this route (sluice_http_requests_total{operation=...}).
  std::string name;
  // Largest request body accepted; 0 means the server's default. Bodies past it get 413.
  uint64_t body_limit = 0;
  // Optional finer metric label computed from the request (e.g. the AWS operation). It must
  // return a value from a small fixed set (labels are never freed), and `name` when unsure.
  std::function<std::string(const HttpRequest&)> operation_label;
  // Streaming routes only: hand the body over chunk by chunk as it arrives (no body limit; the
  // handler decides). When false the whole body (within the limit) is read first and comes in
  // the head's `body`; the response still streams.
  bool stream_body = false;
};

class Router {
 public:
  // Registers `handler` for `method` (GET, POST, ...) on the exact `path`. A GET route also
  // answers HEAD (same headers, no body). Not thread-safe: finish adding before serving.
  void Add(std::string method, std::string path, RouteOptions options, HttpHandler handler);

  // Registers a streaming route (see streaming.h): the handler gets the head, the body as it
  // arrives (options.stream_body) and a chunked response writer. The exchange then owns the
  // connection, which closes when the response ends.
  void AddStreaming(std::string method, std::string path, RouteOptions options,
                    StreamingHandler handler);

  // What the session needs to know from a request head, before its body is read.
  struct RouteInfo {
    uint64_t body_limit = 0;  // 0: server default
    bool streaming = false;
    bool stream_body = false;
  };
  RouteInfo InfoFor(std::string_view method, std::string_view path) const;
  // Body limit for a request with this head, before its body is read (0: server default).
  uint64_t BodyLimitFor(std::string_view method, std::string_view path) const;

  // Answers `request` through `reply` exactly once (possibly later, from another thread).
  // Thread-safe once routes are added.
  void Dispatch(HttpRequest request, HttpReply reply) const;
  // Hands a streaming route's exchange to its handler (InfoFor said `streaming`). The writer is
  // wrapped: CORS headers on the answer, request metrics when it ends.
  void DispatchStreaming(HttpRequest head, std::shared_ptr<BodyReader> body,
                         std::shared_ptr<ResponseWriter> writer) const;

 private:
  struct Route {
    RouteOptions options;
    HttpHandler handler;
    StreamingHandler streaming;  // set for streaming routes instead of `handler`
  };
  // path -> method -> route
  std::map<std::string, std::map<std::string, Route>, std::less<>> routes_;

  const Route* Find(std::string_view method, std::string_view path) const;
};

// A JSON error response shaped like AWS's: {"__type": type, "message": message} plus the
// x-amzn-ErrorType header.
HttpResponse JsonErrorResponse(int status, std::string_view type, std::string_view message);

}  // namespace sluice::web

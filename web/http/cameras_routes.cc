// SPDX-License-Identifier: Apache-2.0
// The camera API's routes: HTTP adaptation of web/api/cameras_api.h.

#include "web/http/cameras_routes.h"

#include <memory>
#include <string>

#include "web/api/cameras_api.h"

namespace sluice::web {
namespace {

constexpr uint64_t kBodyLimit = 64 * 1024;

HttpResponse ToResponse(const api::CamerasReply& r) {
  if (!r.error_type.empty()) {
    return JsonErrorResponse(r.status, r.error_type, r.body.value("message", ""));
  }
  HttpResponse out;
  out.status = r.status;
  out.SetHeader("Content-Type", "application/json");
  out.body = r.body.dump();
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The percent-decoded value of `key` in a query string, "" when absent.
std::string QueryParam(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != key || eq == std::string_view::npos) continue;
    std::string out;
    std::string_view v = pair.substr(eq + 1);
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '%' && i + 2 < v.size() && HexValue(v[i + 1]) >= 0 && HexValue(v[i + 2]) >= 0) {
        out += static_cast<char>(HexValue(v[i + 1]) * 16 + HexValue(v[i + 2]));
        i += 2;
      } else {
        out += v[i] == '+' ? ' ' : v[i];
      }
    }
    return out;
  }
  return "";
}

}  // namespace

void AddCameraRoutes(Router* router, ingest::CameraManager* cameras) {
  auto api = std::make_shared<api::CamerasApi>(cameras);
  const RouteOptions options{.name = "cameras", .body_limit = kBodyLimit};
  router->Add("GET", "/cameras", options,
              [api](HttpRequest, HttpReply reply) { reply(ToResponse(api->List())); });
  router->Add("GET", "/cameras/status", options, [api](HttpRequest req, HttpReply reply) {
    reply(ToResponse(api->Get(QueryParam(req.query, "name"))));
  });
  router->Add("POST", "/cameras", options,
              [api](HttpRequest req, HttpReply reply) { reply(ToResponse(api->Add(req.body))); });
  router->Add("POST", "/cameras/remove", options, [api](HttpRequest req, HttpReply reply) {
    reply(ToResponse(api->RemoveBody(req.body)));
  });
  // Remove (both routes) waits for the camera's pipeline to stop: bounded, well under a second.
  router->Add("DELETE", "/cameras", options, [api](HttpRequest req, HttpReply reply) {
    reply(ToResponse(api->Remove(QueryParam(req.query, "name"))));
  });
}

}  // namespace sluice::web

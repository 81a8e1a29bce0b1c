// SPDX-License-Identifier: Apache-2.0
// Router: exact-path dispatch, OPTIONS preflight, 404/405 answers, and the wrapper every reply
// passes through (CORS headers, request metrics).

#include "web/http/router.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "web/http/cors.h"
#include "web/http/http_metrics.h"

namespace sluice::web {
namespace {

using Clock = std::chrono::steady_clock;

// Wraps `reply` so that the response gets CORS headers and is counted once it is ready.
HttpReply Finishing(HttpReply reply, std::string label, uint64_t request_bytes) {
  return [reply = std::move(reply), label = std::move(label), request_bytes,
          start = Clock::now()](HttpResponse response) {
    AddCorsHeaders(&response);
    const auto latency =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    HttpMetrics& metrics = HttpMetrics::Get();
    metrics.RecordRequest(label, response.status, request_bytes, response.body.size(), latency);
    for (const auto& [name, value] : response.headers) {
      const HeaderNameLess less;
      if (!less(name, "x-amzn-ErrorType") && !less("x-amzn-ErrorType", name)) {
        metrics.RecordApiError(value);
      }
    }
    reply(std::move(response));
  };
}

}  // namespace

HttpResponse JsonErrorResponse(int status, std::string_view type, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.body = nlohmann::json{{"__type", type}, {"message", message}}.dump();
  response.SetHeader("Content-Type", "application/json");
  response.SetHeader("x-amzn-ErrorType", std::string(type));
  return response;
}

void Router::Add(std::string method, std::string path, RouteOptions options, HttpHandler handler) {
  routes_[std::move(path)][std::move(method)] = Route{std::move(options), std::move(handler)};
}

const Router::Route* Router::Find(std::string_view method, std::string_view path) const {
  const auto by_path = routes_.find(path);
  if (by_path == routes_.end()) return nullptr;
  const auto& methods = by_path->second;
  auto it = methods.find(std::string(method == "HEAD" ? "GET" : method));
  if (it == methods.end() && method == "HEAD") it = methods.find("HEAD");
  return it == methods.end() ? nullptr : &it->second;
}

uint64_t Router::BodyLimitFor(std::string_view method, std::string_view path) const {
  const Route* route = Find(method, path);
  return route == nullptr ? 0 : route->options.body_limit;
}

void Router::Dispatch(HttpRequest request, HttpReply reply) const {
  const uint64_t request_bytes = request.body.size();
  if (request.method == "OPTIONS") {
    Finishing(std::move(reply), "preflight", request_bytes)(PreflightResponse(request));
    return;
  }
  const Route* route = Find(request.method, request.path);
  if (route == nullptr) {
    const auto by_path = routes_.find(request.path);
    if (by_path == routes_.end()) {
      Finishing(std::move(reply), "not_found", request_bytes)(JsonErrorResponse(
          404, "NotFoundException", "No route for " + request.method + " " + request.path));
      return;
    }
    std::string allow;
    for (const auto& [method, unused] : by_path->second) {
      allow += (allow.empty() ? "" : ", ") + method;
    }
    HttpResponse response = JsonErrorResponse(
        405, "MethodNotAllowedException",
        "Method " + request.method + " is not allowed on " + request.path + "; use " + allow);
    response.SetHeader("Allow", allow);
    Finishing(std::move(reply), "method_not_allowed", request_bytes)(std::move(response));
    return;
  }
  std::string label = route->options.operation_label ? route->options.operation_label(request)
                                                     : route->options.name;
  route->handler(std::move(request), Finishing(std::move(reply), std::move(label), request_bytes));
}

}  // namespace sluice::web

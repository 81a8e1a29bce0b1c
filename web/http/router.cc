// SPDX-License-Identifier: Apache-2.0
// Router: exact-path dispatch, OPTIONS preflight, 404/405 answers, and the wrapper every reply
// passes through (CORS headers, request metrics).

#include "web/http/router.h"

#include <atomic>
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

// Wraps a streaming exchange's writer: CORS headers on the answer, metrics once it is answered.
class MeteredWriter : public ResponseWriter {
 public:
  MeteredWriter(std::shared_ptr<ResponseWriter> inner, std::string label)
      : inner_(std::move(inner)), label_(std::move(label)) {}

  void Start(int status, Headers headers) override {
    HttpResponse cors;
    AddCorsHeaders(&cors);
    for (auto& h : cors.headers) headers.push_back(std::move(h));
    status_ = status;
    inner_->Start(status, std::move(headers));
  }
  void Write(std::string data, std::function<void(bool ok)> done) override {
    bytes_ += data.size();
    inner_->Write(std::move(data), std::move(done));
  }
  void Finish() override {
    Record(status_.load(), nullptr);
    inner_->Finish();
  }
  void Respond(HttpResponse response) override {
    AddCorsHeaders(&response);
    bytes_ += response.body.size();
    Record(response.status, &response);
    inner_->Respond(std::move(response));
  }
  void OnEnd(std::function<void(StreamEnd)> on_end) override { inner_->OnEnd(std::move(on_end)); }
  size_t queued_bytes() const override { return inner_->queued_bytes(); }

 private:
  void Record(int status, const HttpResponse* response) {
    if (recorded_.exchange(true)) return;
    const auto latency =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_);
    HttpMetrics& metrics = HttpMetrics::Get();
    metrics.RecordRequest(label_, status, 0, bytes_.load(), latency);
    if (response == nullptr) return;
    const HeaderNameLess less;
    for (const auto& [name, value] : response->headers) {
      if (!less(name, "x-amzn-ErrorType") && !less("x-amzn-ErrorType", name)) {
        metrics.RecordApiError(value);
      }
    }
  }

  const std::shared_ptr<ResponseWriter> inner_;
  const std::string label_;
  const Clock::time_point start_ = Clock::now();
  std::atomic<int> status_{200};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<bool> recorded_{false};
};

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
  routes_[std::move(path)][std::move(method)] = Route{std::move(options), std::move(handler), nullptr};
}

const Router::Route* Router::Find(std::string_view method, std::string_view path) const {
  const auto by_path = routes_.find(path);
  if (by_path == routes_.end()) return nullptr;
  const auto& methods = by_path->second;
  auto it = methods.find(std::string(method == "HEAD" ? "GET" : method));
  if (it == methods.end() && method == "HEAD") it = methods.find("HEAD");
  return it == methods.end() ? nullptr : &it->second;
}

void Router::AddStreaming(std::string method, std::string path, RouteOptions options,
                          StreamingHandler handler) {
  routes_[std::move(path)][std::move(method)] =
      Route{std::move(options), nullptr, std::move(handler)};
}

Router::RouteInfo Router::InfoFor(std::string_view method, std::string_view path) const {
  const Route* route = Find(method, path);
  if (route == nullptr) return {};
  return {.body_limit = route->options.body_limit,
          .streaming = route->streaming != nullptr,
          .stream_body = route->streaming != nullptr && route->options.stream_body};
}

void Router::DispatchStreaming(HttpRequest head, std::shared_ptr<BodyReader> body,
                               std::shared_ptr<ResponseWriter> writer) const {
  const Route* route = Find(head.method, head.path);
  auto metered = std::make_shared<MeteredWriter>(
      std::move(writer), route == nullptr ? "not_found" : route->options.name);
  if (route == nullptr || route->streaming == nullptr) {
    metered->Respond(JsonErrorResponse(404, "NotFoundException",
                                       "No streaming route for " + head.method + " " + head.path));
    return;
  }
  route->streaming(std::move(head), std::move(body), std::move(metered));
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
  if (route->handler == nullptr) {  // a streaming route reached without a stream: a bug
    Finishing(std::move(reply), route->options.name, request_bytes)(
        JsonErrorResponse(500, "InternalFailure", "Streaming route answered as a plain request"));
    return;
  }
  std::string label = route->options.operation_label ? route->options.operation_label(request)
                                                     : route->options.name;
  route->handler(std::move(request), Finishing(std::move(reply), std::move(label), request_bytes));
}

}  // namespace sluice::web

// SPDX-License-Identifier: Apache-2.0
// HttpMetrics: series lookups per request (a registry mutex each; HTTP rates make that cheap).

#include "web/http/http_metrics.h"

#include <string>

namespace sluice::web {

HttpMetrics& HttpMetrics::Get() {
  static HttpMetrics* metrics = new HttpMetrics();  // never destroyed: used until exit
  return *metrics;
}

HttpMetrics::HttpMetrics()
    : request_bytes_(Metrics::Global().GetCounter("sluice_http_request_bytes_total",
                                                  "HTTP request body bytes received", {})),
      response_bytes_(Metrics::Global().GetCounter("sluice_http_response_bytes_total",
                                                   "HTTP response body bytes sent", {})),
      connections_(
          Metrics::Global().GetGauge("sluice_http_connections", "Open HTTP connections", {})) {}

void HttpMetrics::RecordRequest(std::string_view operation, int status, uint64_t request_bytes,
                                uint64_t response_bytes, std::chrono::microseconds latency) {
  Metrics& m = Metrics::Global();
  const std::string op(operation);
  m.GetCounter("sluice_http_requests_total", "HTTP requests answered, by operation and status",
               {{"operation", op}, {"code", std::to_string(status)}})
      ->Add();
  m.GetCounter("sluice_http_request_duration_microseconds_sum",
               "Total time from request read to response ready", {{"operation", op}})
      ->Add(static_cast<uint64_t>(latency.count() < 0 ? 0 : latency.count()));
  m.GetCounter("sluice_http_request_duration_microseconds_count",
               "Requests counted in the duration sum", {{"operation", op}})
      ->Add();
  request_bytes_->Add(request_bytes);
  response_bytes_->Add(response_bytes);
}

void HttpMetrics::RecordApiError(std::string_view type) {
  Metrics::Global()
      .GetCounter("sluice_api_errors_total", "AWS-shaped error responses by type",
                  {{"type", std::string(type)}})
      ->Add();
}

}  // namespace sluice::web

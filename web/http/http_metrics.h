// SPDX-License-Identifier: Apache-2.0
// The HTTP layer's own Prometheus series, registered in the process-wide Metrics registry:
//   sluice_http_requests_total{operation,code}          requests answered
//   sluice_http_request_bytes_total / _response_bytes_total   body bytes in and out
//   sluice_http_request_duration_microseconds_sum/_count{operation}   latency (sum + count pair)
//   sluice_api_errors_total{type}                        AWS-shaped errors by __type
//   sluice_http_connections                              open connections (gauge)
// Labels come from fixed sets (route names, operations the services answer, our error types).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "base/metrics.h"

namespace sluice::web {

class HttpMetrics {
 public:
  static HttpMetrics& Get();

  void RecordRequest(std::string_view operation, int status, uint64_t request_bytes,
                     uint64_t response_bytes, std::chrono::microseconds latency);
  void RecordApiError(std::string_view type);
  Gauge* connections() const { return connections_; }

 private:
  HttpMetrics();

  Counter* request_bytes_;
  Counter* response_bytes_;
  Gauge* connections_;
};

}  // namespace sluice::web

// SPDX-License-Identifier: Apache-2.0
// HttpSink: delivers each batch as one HTTP/1.1 POST of JSON lines (delivery_batch.h) to a plain
// http:// endpoint, optionally gzip-encoded. Headers name the batch so that a receiver can drop
// a redelivered one: X-Sluice-Batch-Id (the batch name), X-Sluice-Stream, X-Sluice-Shard-Id,
// X-Sluice-First-Sequence-Number, X-Sluice-Last-Sequence-Number, X-Sluice-Record-Count. Any
// 2xx answer is success; anything else (another status, no connection, a timeout) is
// Unavailable and is retried by the DeliveryProcessor. One connection per batch.
// Thread-safety: Deliver may be called from any thread concurrently.
// Example:
//   ASSIGN_OR_RETURN(auto sink, HttpSink::Create({.url = "http://127.0.0.1:9000/ingest"}));
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "consumers/deliver/delivery_sink.h"

namespace sluice::consumers::deliver {

struct HttpSinkOptions {
  std::string url;                             // http://host[:port][/path][?query]
  bool gzip = false;                           // Content-Encoding: gzip
  int64_t timeout_ms = 30'000;                 // per request: connect, send and the whole answer
  std::map<std::string, std::string> headers;  // sent with every request (e.g. Authorization)
};

class HttpSink : public DeliverySink {
 public:
  // InvalidArgument for a URL that is not http://host[:port][/path].
  static Result<std::unique_ptr<HttpSink>> Create(HttpSinkOptions options);

  Status Deliver(const DeliveryBatch& batch) override;
  std::string Describe() const override { return options_.url; }

 private:
  HttpSink(HttpSinkOptions options, std::string host, std::string port, std::string target);

  const HttpSinkOptions options_;
  const std::string host_;
  const std::string port_;
  const std::string target_;
};

}  // namespace sluice::consumers::deliver

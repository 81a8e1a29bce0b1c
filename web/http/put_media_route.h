// SPDX-License-Identifier: Apache-2.0
// POST /putMedia (Kinesis Video Streams): validates the x-amzn-* headers, answers 404/400 before
// streaming, then 200 with one JSON ack per line (ingest::PutMediaSession) while the MKV body is
// still arriving. IDLE acks every few seconds while the body is silent, closed after 30 s of
// silence; body reads pause while too many fragments wait for fsync; one active PutMedia per
// stream (ConnectionLimitExceededException beyond). One ticker thread serves every exchange.
// Example:
//   PutMediaRoute put_media({.store = store, .index = index, .streams = &streams});
//   router->AddStreaming("POST", "/putMedia", PutMediaRoute::RouteOptions(),
//       [&](auto head, auto body, auto writer) { put_media.Handle(head, body, writer); });
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/thread_annotations.h"
#include "engine/stream_store.h"
#include "index/fragment_index.h"
#include "ingest/video_streams.h"
#include "web/http/router.h"
#include "web/http/streaming.h"

namespace sluice::web {

class PutMediaExchange;  // put_media_route.cc

class PutMediaRoute {
 public:
  struct Options {
    engine::StreamStore* store = nullptr;     // not owned; outlives the route
    index::FragmentIndex* index = nullptr;    // not owned; outlives the route
    ingest::VideoStreams* streams = nullptr;  // not owned; outlives the route
    Clock* clock = nullptr;                   // null: SystemClock()
    std::chrono::milliseconds idle_ack_interval{3000};  // IDLE ack while the body is silent
    int64_t idle_timeout_ms = 30'000;                   // end the request after this much silence
    size_t max_connections_per_stream = 1;              // 0: unlimited
    size_t max_fragments_in_flight = 8;                 // pause body reads above this
  };

  explicit PutMediaRoute(Options options);
  // Stops the ticker. Exchanges still open stop getting IDLE acks; end them first (server
  // shutdown does).
  ~PutMediaRoute();
  PutMediaRoute(const PutMediaRoute&) = delete;
  PutMediaRoute& operator=(const PutMediaRoute&) = delete;

  static RouteOptions Route() { return {.name = "kvs_PutMedia", .stream_body = true}; }
  void Handle(HttpRequest head, std::shared_ptr<BodyReader> body,
              std::shared_ptr<ResponseWriter> writer);

  // Active PutMedia requests (for tests and metrics).
  size_t active() const;

 private:
  friend class PutMediaExchange;
  void Release(const std::string& stream, PutMediaExchange* exchange);
  void TickerLoop();

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::map<PutMediaExchange*, std::weak_ptr<PutMediaExchange>> exchanges_ GUARDED_BY(mu_);
  std::map<std::string, size_t> per_stream_ GUARDED_BY(mu_);
  std::thread ticker_;  // last: starts after the state above exists
};

}  // namespace sluice::web

// SPDX-License-Identifier: Apache-2.0
// HttpServer: the HTTP/1.1 listener (Boost.Beast over Asio). One io_context run by a thread
// pool, one Session per connection (keep-alive, timeouts, body limits, a small pipelining cap),
// every request answered by a Router. This header is Beast-free; all Asio/Beast code stays in
// web/http/*.cc.
//
// Lifecycle: Start() binds and begins accepting; Shutdown() (or the destructor) stops accepting,
// lets in-flight requests finish for a bounded time, then stops the threads. Handlers may reply
// from any thread; a reply that arrives after Shutdown() returned is dropped.
//
// Example:
//   ASSIGN_OR_RETURN(auto server, HttpServer::Start({.listen = "127.0.0.1:0"}, router));
//   std::cout << server->ListenAddress();     // "127.0.0.1:43125"
//   server->WaitForStop();                    // SIGINT/SIGTERM (handle_signals) or RequestStop()
//   server->Shutdown(std::chrono::seconds(10));
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "web/http/router.h"

namespace sluice::web {

struct ServerCore;  // http_server_core.h

class HttpServer {
 public:
  struct Options {
    std::string listen = "127.0.0.1:8080";  // HOST:PORT or [IPv6]:PORT; port 0 picks a free one
    int threads = 0;                        // 0: hardware threads, at least 2
    uint64_t body_limit = 16ull << 20;      // default request body limit (routes may override)
    uint32_t header_limit = 64 * 1024;      // request line + headers
    std::chrono::milliseconds idle_timeout{60000};     // keep-alive wait for the next request
    std::chrono::milliseconds request_timeout{30000};  // reading one request's body
    std::chrono::milliseconds write_timeout{60000};    // writing one response
    // Streaming routes: a body read that sees no byte for this long ends the exchange (kTimeout).
    // Routes with their own keep-alive (PutMedia's IDLE acks) end sooner by themselves.
    std::chrono::milliseconds stream_idle_timeout{120000};
    int pipeline_limit = 8;       // requests read ahead of their responses per connection
    bool handle_signals = false;  // SIGINT/SIGTERM end WaitForStop()
  };

  // Binds, listens and starts the threads. `router` is shared with every session.
  // Unavailable if the address is in use; InvalidArgument for a malformed address.
  static Result<std::unique_ptr<HttpServer>> Start(Options options,
                                                   std::shared_ptr<const Router> router);
  ~HttpServer();  // Shutdown(0) if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address: "127.0.0.1:43125", "[::1]:8080".
  std::string ListenAddress() const;
  uint16_t port() const;

  // Blocks until a stop signal arrives (Options.handle_signals) or RequestStop() is called.
  void WaitForStop();
  void RequestStop();

  // Stops accepting; idle connections close at once, busy ones after their in-flight requests
  // are answered (each answer says Connection: close). After `drain` the rest are cut. Then the
  // threads stop. Idempotent; must not be called from a handler.
  void Shutdown(std::chrono::milliseconds drain);

 private:
  explicit HttpServer(std::unique_ptr<ServerCore> core);
  std::unique_ptr<ServerCore> core_;
};

}  // namespace sluice::web

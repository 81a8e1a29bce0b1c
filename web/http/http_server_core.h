// SPDX-License-Identifier: Apache-2.0
// ServerCore: the state an HttpServer shares with its sessions (io_context, acceptor, session
// registry, reply gate). Internal to web/http: included only by http_server.cc and
// http_session.cc, so that Asio stays out of every other translation unit.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/thread_annotations.h"
#include "web/http/http_server.h"

namespace sluice::web {

// What the server needs from a session; the Beast-typed Session lives in http_session.cc.
class SessionHandle {
 public:
  virtual ~SessionHandle() = default;
  // Stop reading new requests; close once in-flight ones are answered. Any thread.
  virtual void BeginShutdown() = 0;
  // Closes the socket at once. Only while no io thread runs (after the pool has stopped).
  virtual void CloseNow() = 0;
};

// Replies arrive from any thread (engine callbacks). They post onto a session's strand only while
// the gate is open; Shutdown closes it before the io_context goes away, so a late reply never
// touches a destroyed executor. Shared by the core and every reply callback.
struct ReplyGate {
  std::mutex mu;
  bool open GUARDED_BY(mu) = true;
};

struct ServerCore {
  ServerCore(HttpServer::Options o, std::shared_ptr<const Router> r)
      : options(std::move(o)), router(std::move(r)) {}

  // Registers a new session; false once shutdown has begun (the caller drops the connection).
  bool Register(std::shared_ptr<SessionHandle> session);
  // Called once by a session when its socket is closed.
  void Unregister(SessionHandle* session);

  // --- constant after Start ---
  const HttpServer::Options options;
  const std::shared_ptr<const Router> router;
  const std::shared_ptr<ReplyGate> gate = std::make_shared<ReplyGate>();
  std::string listen_address;  // "127.0.0.1:43125"
  uint16_t port = 0;

  // --- guarded by mu ---
  std::mutex mu;
  std::condition_variable cv;  // sessions drained, or stop requested
  bool stopping GUARDED_BY(mu) = false;
  bool stop_requested GUARDED_BY(mu) = false;
  bool shut_down GUARDED_BY(mu) = false;
  std::unordered_map<SessionHandle*, std::shared_ptr<SessionHandle>> sessions GUARDED_BY(mu);

  // --- Asio objects: declared after the state above so that they are destroyed first ---
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor{ioc};
  boost::asio::signal_set signals{ioc};
  boost::asio::steady_timer accept_retry{ioc};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
};

// Creates a Session for an accepted connection and starts it (http_session.cc).
void StartSession(ServerCore* core, boost::asio::ip::tcp::socket socket);

}  // namespace sluice::web

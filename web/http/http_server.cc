// SPDX-License-Identifier: Apache-2.0
// HttpServer: listen address parsing, the accept loop, the io_context thread pool, stop signals
// and the graceful shutdown sequence. Per-connection work is in http_session.cc.

#include "web/http/http_server.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <charconv>
#include <csignal>
#include <future>

#include "base/log.h"
#include "web/http/http_server_core.h"

namespace sluice::web {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// "127.0.0.1:8080", "[::1]:8080", "localhost:0" -> endpoint.
Result<tcp::endpoint> ResolveListen(net::io_context& ioc, const std::string& listen) {
  std::string host;
  std::string_view port_text;
  if (!listen.empty() && listen.front() == '[') {
    const size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return InvalidArgumentError("bad listen address '" + listen + "' (want [IPv6]:PORT)");
    }
    host = listen.substr(1, close - 1);
    port_text = std::string_view(listen).substr(close + 2);
  } else {
    const size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return InvalidArgumentError("bad listen address '" + listen +
                                  "' (want HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080)");
    }
    host = listen.substr(0, colon);
    port_text = std::string_view(listen).substr(colon + 1);
  }
  unsigned port = 0;
  const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgumentError("bad port in listen address '" + listen + "'");
  }
  boost::system::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, static_cast<uint16_t>(port));
  tcp::resolver resolver(ioc);
  const auto results = resolver.resolve(host, std::string(port_text), ec);
  if (ec || results.empty()) {
    return InvalidArgumentError("cannot resolve listen host '" + host + "': " + ec.message());
  }
  return results.begin()->endpoint();
}

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

void DoAccept(ServerCore* core) {
  core->acceptor.async_accept(
      net::make_strand(core->ioc), [core](boost::system::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !core->acceptor.is_open()) return;
        if (ec) {
          // Typically EMFILE: back off briefly instead of spinning.
          LOG_WARN("http", "accept failed", {{"error", ec.message()}});
          core->accept_retry.expires_after(std::chrono::milliseconds(50));
          core->accept_retry.async_wait([core](boost::system::error_code wait_ec) {
            if (!wait_ec) DoAccept(core);
          });
          return;
        }
        StartSession(core, std::move(socket));
        DoAccept(core);
      });
}

void WaitForSignal(ServerCore* core) {
  core->signals.async_wait([core](boost::system::error_code ec, int signal_number) {
    if (ec) return;
    LOG_INFO("http", "stop signal received", {{"signal", signal_number}});
    std::lock_guard lock(core->mu);
    core->stop_requested = true;
    core->cv.notify_all();
  });
}

Status Listen(ServerCore* core, const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  const std::string where = FormatEndpoint(endpoint);
  core->acceptor.open(endpoint.protocol(), ec);
  if (!ec) core->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) core->acceptor.bind(endpoint, ec);
  if (!ec) core->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return UnavailableError("cannot listen on " + where + ": " + ec.message());
  const tcp::endpoint local = core->acceptor.local_endpoint(ec);
  if (ec) return InternalError("cannot read bound address: " + ec.message());
  core->listen_address = FormatEndpoint(local);
  core->port = local.port();
  return OkStatus();
}

}  // namespace

bool ServerCore::Register(std::shared_ptr<SessionHandle> session) {
  std::lock_guard lock(mu);
  if (stopping) return false;
  SessionHandle* key = session.get();
  sessions.emplace(key, std::move(session));
  return true;
}

void ServerCore::Unregister(SessionHandle* session) {
  std::shared_ptr<SessionHandle> keep;  // released after the lock
  std::lock_guard lock(mu);
  const auto it = sessions.find(session);
  if (it == sessions.end()) return;
  keep = std::move(it->second);
  sessions.erase(it);
  if (sessions.empty()) cv.notify_all();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(Options options,
                                                      std::shared_ptr<const Router> router) {
  auto core = std::make_unique<ServerCore>(std::move(options), std::move(router));
  ASSIGN_OR_RETURN(const tcp::endpoint endpoint, ResolveListen(core->ioc, core->options.listen));
  RETURN_IF_ERROR(Listen(core.get(), endpoint));
  if (core->options.handle_signals) {
    core->signals.add(SIGINT);
    core->signals.add(SIGTERM);
    WaitForSignal(core.get());
  }
  DoAccept(core.get());
  core->work.emplace(core->ioc.get_executor());
  int threads = core->options.threads;
  if (threads <= 0) threads = std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    core->threads.emplace_back([ioc = &core->ioc] { ioc->run(); });
  }
  LOG_INFO("http", "listening", {{"address", core->listen_address}, {"threads", threads}});
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(core)));
}

HttpServer::HttpServer(std::unique_ptr<ServerCore> core) : core_(std::move(core)) {}

HttpServer::~HttpServer() { Shutdown(std::chrono::milliseconds(0)); }

std::string HttpServer::ListenAddress() const { return core_->listen_address; }
uint16_t HttpServer::port() const { return core_->port; }

void HttpServer::WaitForStop() {
  std::unique_lock lock(core_->mu);
  core_->cv.wait(lock, [this] { return core_->stop_requested; });
}

void HttpServer::RequestStop() {
  std::lock_guard lock(core_->mu);
  core_->stop_requested = true;
  core_->cv.notify_all();
}

void HttpServer::Shutdown(std::chrono::milliseconds drain) {
  ServerCore* core = core_.get();
  std::vector<std::shared_ptr<SessionHandle>> open;
  {
    std::lock_guard lock(core->mu);
    if (core->shut_down) return;
    core->shut_down = true;
    core->stopping = true;
    core->stop_requested = true;
    core->cv.notify_all();
    for (const auto& [key, session] : core->sessions) open.push_back(session);
  }
  // 1. Stop accepting (Asio objects are touched on an io thread, never concurrently).
  std::promise<void> closed;
  net::post(core->ioc, [core, &closed] {
    boost::system::error_code ignored;
    core->acceptor.close(ignored);
    core->signals.cancel(ignored);
    core->accept_retry.cancel();
    closed.set_value();
  });
  closed.get_future().wait();
  // 2. Let sessions finish what they have in flight, for at most `drain`.
  for (const auto& session : open) session->BeginShutdown();
  open.clear();
  size_t cut = 0;
  {
    std::unique_lock lock(core->mu);
    core->cv.wait_for(lock, drain, [core] { return core->sessions.empty(); });
    cut = core->sessions.size();
  }
  // 3. Close the reply gate, then stop the threads and drop what is left.
  {
    std::lock_guard lock(core->gate->mu);
    core->gate->open = false;
  }
  core->work.reset();
  core->ioc.stop();
  for (auto& t : core->threads) t.join();
  core->threads.clear();
  std::unordered_map<SessionHandle*, std::shared_ptr<SessionHandle>> rest;
  {
    std::lock_guard lock(core->mu);
    rest.swap(core->sessions);
  }
  // Their pending handlers stay queued in the stopped io_context; close the sockets now so the
  // clients see the connection end.
  for (const auto& [key, session] : rest) session->CloseNow();
  rest.clear();
  LOG_INFO("http", "stopped", {{"address", core->listen_address}, {"connections_cut", cut}});
}

}  // namespace sluice::web

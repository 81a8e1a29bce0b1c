// SPDX-License-Identifier: Apache-2.0
// TestHttpServer: a tiny blocking HTTP/1.1 server on 127.0.0.1 and a free port, one connection
// at a time on its own thread, answering each request with the status its handler returns. For
// the delivery and batch tests (an endpoint that fails on purpose). Header-only (Beast).
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <string>
#include <thread>

namespace sluice::consumers::testing {

struct HttpRequest {
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
};

class TestHttpServer {
 public:
  // Returns the HTTP status to answer with. Runs on the server thread.
  using Handler = std::function<int(const HttpRequest&)>;

  explicit TestHttpServer(Handler handler)
      : handler_(std::move(handler)),
        acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~TestHttpServer() {
    stopping_ = true;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket poke(ioc_);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);  // ends accept()
    thread_.join();
  }

  std::string Url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void Serve() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      HttpRequest r{.target = std::string(req.target()), .headers = {}, .body = req.body()};
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
      }
      const int status = handler_(r);
      http::response<http::string_body> res(static_cast<http::status>(status), 11);
      res.body() = status < 300 ? "ok" : "try again";
      res.keep_alive(false);
      res.prepare_payload();
      http::write(socket, res, ec);
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  Handler handler_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sluice::consumers::testing

// SPDX-License-Identifier: Apache-2.0
// HttpServer over real loopback sockets: keep-alive, pipelining order, body limits (413), CORS
// preflight, built-in routes, 404/405, HEAD, 100-continue, idle timeout, graceful stop with a
// request in flight, and replies from foreign threads.

#include "web/http/http_server.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "web/http/builtin_routes.h"

namespace sluice::web {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// A blocking HTTP/1.1 client on one connection; keeps its read buffer so pipelined responses
// can be read one after another.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  void SendRaw(std::string_view bytes) { net::write(socket_, net::buffer(bytes)); }
  void Send(http::verb method, std::string target, std::string body = {},
            std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (auto& [k, v] : headers) req.set(k, v);
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(socket_, req);
  }
  http::response<http::string_body> Read(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(head);
    http::read(socket_, buffer_, parser);
    return parser.release();
  }
  http::response<http::string_body> Get(std::string target) {
    Send(http::verb::get, std::move(target));
    return Read();
  }
  // True if the server closes the connection (reads hit EOF) within five seconds.
  bool ServerClosed() {
    pollfd pfd{socket_.native_handle(), POLLIN, 0};
    if (::poll(&pfd, 1, 5000) != 1) return false;
    beast::error_code ec;
    char c;
    socket_.read_some(net::buffer(&c, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServer::Options options = {}) {
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    router_ = std::make_shared<Router>();
    AddBuiltinRoutes(router_.get());
    router_->Add("POST", "/echo", {.name = "echo"}, [](HttpRequest req, HttpReply reply) {
      HttpResponse r;
      r.body = req.body;
      r.SetHeader("X-Method", req.method);
      r.SetHeader("X-Query", req.query);
      reply(std::move(r));
    });
    router_->Add("POST", "/small", {.name = "small", .body_limit = 100},
                 [](HttpRequest, HttpReply reply) { reply(HttpResponse{}); });
    // Replies after ?ms= milliseconds from another thread.
    router_->Add("GET", "/slow", {.name = "slow"}, [](HttpRequest req, HttpReply reply) {
      const int ms = std::stoi(req.query.substr(req.query.find('=') + 1));
      std::thread([ms, reply, q = req.query] {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        HttpResponse r;
        r.body = q;
        reply(std::move(r));
      }).detach();
    });
    // Holds the reply until the test releases it.
    router_->Add("GET", "/hold", {.name = "hold"},
                 [this](HttpRequest, HttpReply reply) { held_.set_value(std::move(reply)); });
    auto server = HttpServer::Start(options, router_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  std::shared_ptr<Router> router_;
  std::unique_ptr<HttpServer> server_;
  std::promise<HttpReply> held_;
};

TEST_F(HttpServerTest, HealthzMetricsAndCors) {
  StartServer();
  Client client(server_->port());
  auto r = client.Get("/healthz");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(nlohmann::json::parse(r.body())["status"], "ok");
  EXPECT_EQ(r[http::field::access_control_allow_origin], "*");
  EXPECT_NE(r[http::field::access_control_expose_headers].find("x-amzn-RequestId"),
            std::string::npos);
  EXPECT_FALSE(r[http::field::date].empty());
  auto m = client.Get("/metrics");
  EXPECT_EQ(m.result_int(), 200);
  EXPECT_EQ(m[http::field::content_type].substr(0, 24), "text/plain; version=0.0.");
  EXPECT_NE(m.body().find("sluice_http_requests_total{"), std::string::npos) << m.body();
  EXPECT_NE(m.body().find("operation=\"healthz\""), std::string::npos);
  EXPECT_NE(m.body().find("sluice_http_connections"), std::string::npos);
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405) {
  StartServer();
  Client client(server_->port());
  auto r = client.Get("/nope");
  EXPECT_EQ(r.result_int(), 404);
  auto body = nlohmann::json::parse(r.body());
  EXPECT_EQ(body["__type"], "NotFoundException");
  EXPECT_EQ(r["x-amzn-ErrorType"], "NotFoundException");
  EXPECT_EQ(r[http::field::access_control_allow_origin], "*");
  auto w = client.Get("/echo");
  EXPECT_EQ(w.result_int(), 405);
  EXPECT_EQ(w[http::field::allow], "POST");
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  Client client(server_->port());
  client.Send(http::verb::post, "/echo?x=1", "first");
  auto a = client.Read();
  EXPECT_EQ(a.body(), "first");
  EXPECT_EQ(a["X-Query"], "x=1");
  EXPECT_TRUE(a.keep_alive());
  client.Send(http::verb::post, "/echo", "second");
  auto b = client.Read();
  EXPECT_EQ(b.body(), "second");
  EXPECT_EQ(b["X-Method"], "POST");
}

TEST_F(HttpServerTest, PipelinedResponsesKeepRequestOrder) {
  StartServer();
  Client client(server_->port());
  // The first request is answered last by its handler; responses must still come in order.
  client.SendRaw(
      "GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /slow?ms=10 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.Read().body(), "ms=300");
  EXPECT_EQ(client.Read().body(), "ms=10");
  EXPECT_EQ(client.Read().result_int(), 200);
}

TEST_F(HttpServerTest, BodyOverLimitIs413WithAwsError) {
  StartServer({.body_limit = 4096});
  {
    Client client(server_->port());
    client.Send(http::verb::post, "/echo", std::string(10000, 'x'));
    auto r = client.Read();
    EXPECT_EQ(r.result_int(), 413);
    EXPECT_EQ(nlohmann::json::parse(r.body())["__type"], "RequestEntityTooLargeException");
    EXPECT_EQ(r["x-amzn-ErrorType"], "RequestEntityTooLargeException");
    EXPECT_FALSE(r.keep_alive());
  }
  {
    // Chunked: no Content-Length, so the limit trips while reading.
    Client client(server_->port());
    client.SendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk(2000, 'y');
    for (int i = 0; i < 4; ++i) client.SendRaw("7d0\r\n" + chunk + "\r\n");
    client.SendRaw("0\r\n\r\n");
    EXPECT_EQ(client.Read().result_int(), 413);
  }
  {
    // A route's own smaller limit.
    Client client(server_->port());
    client.Send(http::verb::post, "/small", std::string(101, 'z'));
    EXPECT_EQ(client.Read().result_int(), 413);
  }
  {
    Client client(server_->port());
    client.Send(http::verb::post, "/echo", std::string(4096, 'x'));
    EXPECT_EQ(client.Read().result_int(), 200);
  }
}

TEST_F(HttpServerTest, LargeBodyWithinDefaultLimit) {
  StartServer();
  Client client(server_->port());
  const std::string body(12 << 20, 'b');
  client.Send(http::verb::post, "/echo", body);
  auto r = client.Read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body().size(), body.size());
}

TEST_F(HttpServerTest, OptionsPreflightAnswersCors) {
  StartServer();
  Client client(server_->port());
  client.Send(http::verb::options, "/", {},
              {{"Origin", "http://console.example"},
               {"Access-Control-Request-Method", "POST"},
               {"Access-Control-Request-Headers", "content-type,x-amz-target,authorization"}});
  auto r = client.Read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r[http::field::access_control_allow_origin], "*");
  EXPECT_NE(r[http::field::access_control_allow_methods].find("POST"), std::string::npos);
  EXPECT_EQ(r[http::field::access_control_allow_headers],
            "content-type,x-amz-target,authorization");
  EXPECT_EQ(r[http::field::access_control_max_age], "172800");
}

TEST_F(HttpServerTest, HeadHasHeadersWithoutBody) {
  StartServer();
  Client client(server_->port());
  client.Send(http::verb::head, "/healthz");
  auto r = client.Read(/*head=*/true);
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r[http::field::content_length], "15");
  EXPECT_TRUE(r.body().empty());
  EXPECT_EQ(client.Get("/healthz").body(), R"({"status":"ok"})");  // connection still in sync
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponse) {
  StartServer();
  Client client(server_->port());
  client.SendRaw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  auto interim = client.Read();
  EXPECT_EQ(interim.result_int(), 100);
  client.SendRaw("hello");
  auto r = client.Read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "hello");
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  StartServer();
  Client client(server_->port());
  client.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
  EXPECT_EQ(client.Read().result_int(), 400);
}

TEST_F(HttpServerTest, IdleConnectionTimesOut) {
  StartServer({.idle_timeout = 200ms});
  Client client(server_->port());
  EXPECT_EQ(client.Get("/healthz").result_int(), 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.ServerClosed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  Client client(server_->port());
  client.Send(http::verb::get, "/healthz", {}, {{"Connection", "close"}});
  auto r = client.Read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(client.ServerClosed());
}

TEST_F(HttpServerTest, GracefulStopFinishesRequestInFlight) {
  StartServer();
  auto held = held_.get_future();
  Client busy(server_->port());
  Client idle(server_->port());
  EXPECT_EQ(idle.Get("/healthz").result_int(), 200);
  busy.Send(http::verb::get, "/hold");
  HttpReply reply = held.get();  // the request is now in flight

  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    server_->Shutdown(10s);
    stopped = true;
  });
  EXPECT_TRUE(idle.ServerClosed());  // idle connections close at once
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(stopped);  // still draining the busy one
  HttpResponse response;
  response.body = "finished";
  reply(std::move(response));
  auto r = busy.Read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "finished");
  EXPECT_FALSE(r.keep_alive());
  stopper.join();
  EXPECT_TRUE(stopped);
  // No longer accepting.
  net::io_context ioc;
  tcp::socket s(ioc);
  beast::error_code ec;
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()), ec);
  EXPECT_TRUE(ec);
}

TEST_F(HttpServerTest, ShutdownCutsRequestsPastTheDrainTime) {
  StartServer();
  auto held = held_.get_future();
  Client busy(server_->port());
  busy.Send(http::verb::get, "/hold");
  HttpReply reply = held.get();
  const auto start = std::chrono::steady_clock::now();
  server_->Shutdown(200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(busy.ServerClosed());
  reply(HttpResponse{});  // a late reply is dropped safely
}

TEST_F(HttpServerTest, ListenErrors) {
  StartServer();
  auto taken = HttpServer::Start({.listen = server_->ListenAddress(), .threads = 2}, router_);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(taken.status().message().find(server_->ListenAddress()), std::string::npos);
  for (std::string bad : {"8080", ":8080", "127.0.0.1:99999", "127.0.0.1:x", "[::1]8080"}) {
    auto r = HttpServer::Start({.listen = bad, .threads = 2}, router_);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_EQ(server_->ListenAddress().rfind("127.0.0.1:", 0), 0u);
  EXPECT_NE(server_->port(), 0);
}

}  // namespace
}  // namespace sluice::web

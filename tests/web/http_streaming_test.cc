// SPDX-License-Identifier: Apache-2.0
// Streaming exchanges over real loopback sockets: body chunks reach the handler as they arrive,
// response chunks reach the client while the request body is still open (full duplex), valid
// chunked framing, 100-continue, an error answer before streaming, client disconnects ending the
// exchange (streamed body and buffered body), and shutdown ending open streams promptly.

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "web/http/http_server.h"
#include "web/http/kvs_media_util.h"
#include "web/http/router.h"
#include "web/http/streaming.h"

namespace sluice::web {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// A raw client: writes bytes, reads until a marker shows up.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  void Send(std::string_view bytes) { net::write(socket_, net::buffer(bytes)); }
  void SendChunk(std::string_view data) {
    char size[16];
    std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    Send(std::string(size) + std::string(data) + "\r\n");
  }
  // Reads until `marker` is in what was received (true) or 5 s pass / the socket ends (false).
  bool ReadUntil(std::string_view marker) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (received_.find(marker) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline || !ReadSome()) {
        return received_.find(marker) != std::string::npos;
      }
    }
    return true;
  }
  // Waits up to 100 ms for bytes and appends them; false once the socket ended.
  bool ReadSome() {
    pollfd pfd{socket_.native_handle(), POLLIN, 0};
    if (::poll(&pfd, 1, 100) != 1) return true;
    char buf[4096];
    beast::error_code ec;
    const size_t n = socket_.read_some(net::buffer(buf), ec);
    if (ec) return false;
    received_.append(buf, n);
    return true;
  }
  // Reads until the "got:<n>" lines of the echo route add up to `total` body bytes.
  bool ReadUntilEchoed(size_t total) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (Echoed() < total && std::chrono::steady_clock::now() < deadline && ReadSome()) {
    }
    return Echoed() == total;
  }
  size_t Echoed() {
    size_t sum = 0;
    for (size_t at = received_.find("got:"); at != std::string::npos;
         at = received_.find("got:", at + 1)) {
      sum += std::stoul(received_.substr(at + 4));
    }
    return sum;
  }
  const std::string& received() const { return received_; }
  tcp::socket& socket() { return socket_; }
  void Close() { socket_.close(); }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  std::string received_;
};

constexpr std::string_view kChunkedPost =
    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";

// Answers 200 at once, then "got:<bytes>\n" per body chunk and "end\n" at the end of the body.
void Echo(HttpRequest, std::shared_ptr<BodyReader> body, std::shared_ptr<ResponseWriter> writer) {
  writer->Start(200, {{"Content-Type", "text/plain"}});
  auto pump = std::make_shared<std::function<void()>>();
  *pump = [body, writer, weak = std::weak_ptr<std::function<void()>>(pump)] {
    body->Read([writer, weak](BodyChunk chunk) {
      if (chunk.kind == BodyChunk::Kind::kEnd) {
        writer->Write("end\n");
        return writer->Finish();
      }
      if (chunk.kind == BodyChunk::Kind::kError) return writer->Finish();
      writer->Write("got:" + std::to_string(chunk.data.size()) + "\n", [weak](bool ok) {
        if (auto p = weak.lock(); p && ok) (*p)();
      });
    });
  };
  (*pump)();
  // The pump owns itself until the exchange ends.
  writer->OnEnd([pump](StreamEnd) {});
}

class HttpStreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    router->AddStreaming("POST", "/echo", {.name = "echo", .stream_body = true}, Echo);
    router->AddStreaming(
        "POST", "/reject", {.name = "reject", .stream_body = true},
        [](HttpRequest, std::shared_ptr<BodyReader>, std::shared_ptr<ResponseWriter> w) {
          w->Respond(JsonErrorResponse(400, "InvalidArgumentException", "bad header"));
        });
    // Like GetMedia: a buffered JSON body, then an endless response until the exchange ends.
    router->AddStreaming(
        "POST", "/follow", {.name = "follow"},
        [this](HttpRequest head, std::shared_ptr<BodyReader>, std::shared_ptr<ResponseWriter> w) {
          w->Start(200, {{"Content-Type", "video/webm"}});
          w->Write("first:" + head.body + "\n");
          w->OnEnd([this, w](StreamEnd why) {
            if (why == StreamEnd::kShutdown) {
              w->Write("bye\n");
              w->Finish();
            }
            ended_.set_value(why);
          });
        });
    router->AddStreaming(
        "POST", "/hold", {.name = "hold", .stream_body = true},
        [this](HttpRequest, std::shared_ptr<BodyReader> body, std::shared_ptr<ResponseWriter> w) {
          w->Start(200, {});
          w->OnEnd([this](StreamEnd why) { ended_.set_value(why); });
          body->Read([this](BodyChunk c) { read_result_.set_value(c.kind); });
        });
    auto server = HttpServer::Start({.listen = "127.0.0.1:0", .threads = 2}, router);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  std::unique_ptr<HttpServer> server_;
  std::promise<StreamEnd> ended_;
  std::promise<BodyChunk::Kind> read_result_;
};

TEST_F(HttpStreamingTest, ResponseChunksArriveWhileTheBodyIsStillOpen) {
  RawClient c(server_->port());
  c.Send(kChunkedPost);
  ASSERT_TRUE(c.ReadUntil("\r\n\r\n")) << c.received();  // 200 before any body byte
  EXPECT_TRUE(c.received().starts_with("HTTP/1.1 200 OK\r\n")) << c.received();
  EXPECT_NE(c.received().find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_NE(c.received().find("Access-Control-Allow-Origin: *"), std::string::npos);
  c.SendChunk("hello");
  ASSERT_TRUE(c.ReadUntilEchoed(5)) << c.received();
  c.SendChunk(std::string(100000, 'x'));  // may reach the handler in several pieces
  ASSERT_TRUE(c.ReadUntilEchoed(100005)) << c.received();
  c.Send("0\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("end\n\r\n0\r\n\r\n")) << c.received();
}

TEST_F(HttpStreamingTest, WholeExchangeParsesAsValidChunkedHttp) {
  RawClient c(server_->port());
  std::string body;
  for (int i = 0; i < 3; ++i) body += "4\r\nabcd\r\n";
  c.Send(std::string(kChunkedPost) + body + "0\r\n\r\n");
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(c.socket(), buffer, res);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[http::field::content_type], "text/plain");
  // The body arrived in one read or several; every byte is accounted for and the end follows.
  EXPECT_TRUE(res.body().ends_with("end\n")) << res.body();
  size_t total = 0;
  for (size_t at = res.body().find("got:"); at != std::string::npos;
       at = res.body().find("got:", at + 1)) {
    total += std::stoul(res.body().substr(at + 4));
  }
  EXPECT_EQ(total, 12u);
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(HttpStreamingTest, ExpectContinueIsAnsweredBeforeTheResponse) {
  RawClient c(server_->port());
  c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("HTTP/1.1 200")) << c.received();
  EXPECT_TRUE(c.received().starts_with("HTTP/1.1 100 Continue\r\n\r\n")) << c.received();
  c.SendChunk("abc");
  ASSERT_TRUE(c.ReadUntil("got:3\n")) << c.received();
}

TEST_F(HttpStreamingTest, ErrorAnswerBeforeStreaming) {
  RawClient c(server_->port());
  c.Send("POST /reject HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(c.socket(), buffer, res);
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res["x-amzn-ErrorType"], "InvalidArgumentException");
  EXPECT_NE(res.body().find("bad header"), std::string::npos);
}

TEST_F(HttpStreamingTest, ClientDisconnectEndsAStreamedBodyExchange) {
  RawClient c(server_->port());
  c.Send("POST /hold HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("\r\n\r\n"));
  c.Close();
  auto ended = ended_.get_future();
  ASSERT_EQ(ended.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(ended.get(), StreamEnd::kClientGone);
  auto read = read_result_.get_future();
  ASSERT_EQ(read.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(read.get(), BodyChunk::Kind::kError);
}

TEST_F(HttpStreamingTest, ClientDisconnectEndsABufferedBodyExchange) {
  RawClient c(server_->port());
  c.Send("POST /follow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
  ASSERT_TRUE(c.ReadUntil("first:{}\n")) << c.received();
  c.Close();
  auto ended = ended_.get_future();
  ASSERT_EQ(ended.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(ended.get(), StreamEnd::kClientGone);
}

TEST_F(HttpStreamingTest, ShutdownEndsOpenStreamsPromptly) {
  RawClient c(server_->port());
  c.Send("POST /follow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
  ASSERT_TRUE(c.ReadUntil("first:{}\n")) << c.received();
  const auto start = std::chrono::steady_clock::now();
  server_->Shutdown(10s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(c.ReadUntil("bye\n\r\n0\r\n\r\n")) << c.received();
  auto ended = ended_.get_future();
  ASSERT_EQ(ended.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(ended.get(), StreamEnd::kShutdown);
}

TEST(KvsMediaUtilTest, ProducerStartTimestampFractionAsWritten) {
  EXPECT_EQ(ParseProducerStartTimestamp("1597730826.769")->value(), 1597730826769);
  EXPECT_EQ(ParseProducerStartTimestamp("1795305840.71")->value(), 1795305840071);  // C producer
  EXPECT_EQ(ParseProducerStartTimestamp("1597730826")->value(), 1597730826000);
  EXPECT_EQ(ParseProducerStartTimestamp("1597730826.769123")->value(), 1597730826769);
  for (const char* bad : {"", "x", "1.", ".5", "-1.0", "1e9", "12.3a", "99999999999999"}) {
    EXPECT_FALSE(ParseProducerStartTimestamp(bad).ok()) << bad;
  }
}

TEST(KvsMediaUtilTest, ErrorShape) {
  const HttpResponse r = KvsErrorResponse(404, "ResourceNotFoundException", "no stream");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"Message":"no stream","__type":"ResourceNotFoundException"})");
  bool typed = false;
  for (const auto& [k, v] : r.headers) typed |= k == "x-amzn-ErrorType" && v == "ResourceNotFoundException";
  EXPECT_TRUE(typed);
}

}  // namespace
}  // namespace sluice::web

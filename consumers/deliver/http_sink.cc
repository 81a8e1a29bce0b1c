// SPDX-License-Identifier: Apache-2.0
// HttpSink: URL parsing and one POST per batch with Beast, run as async steps on a private
// io_context so that every step (connect, write, read) is bounded by the timeout.
#include "consumers/deliver/http_sink.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "consumers/deliver/gzip.h"

namespace sluice::consumers::deliver {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Url {
  std::string host;
  std::string port;
  std::string target;
};

Result<Url> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return InvalidArgumentError("delivery URL must start with http:// (got '" + std::string(url) +
                                "')");
  }
  url.remove_prefix(kScheme.size());
  const size_t path = std::min(url.find('/'), url.find('?'));
  std::string_view authority = url.substr(0, path);
  Url out;
  out.target = path == std::string_view::npos ? "/" : std::string(url.substr(path));
  if (out.target.front() == '?') out.target = "/" + out.target;
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
  } else {
    out.host = std::string(authority);
    out.port = "80";
  }
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  const bool numeric_port =
      !out.port.empty() &&
      std::all_of(out.port.begin(), out.port.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (out.host.empty() || !numeric_port) {
    return InvalidArgumentError("bad host or port in delivery URL '" + std::string(url) + "'");
  }
  return out;
}

// One request on a new connection; the answer's status, or Unavailable naming the failed step.
Result<int> Post(const std::string& host, const std::string& port,
                 http::request<http::string_body>& req, std::chrono::milliseconds timeout) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code failure;
  std::string step = "resolve";
  resolver.async_resolve(host, port, [&](beast::error_code ec, tcp::resolver::results_type r) {
    if (ec) {
      failure = ec;
      return;
    }
    step = "connect";
    stream.expires_after(timeout);
    stream.async_connect(r, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) {
        failure = ec;
        return;
      }
      step = "send";
      http::async_write(stream, req, [&](beast::error_code ec, size_t) {
        if (ec) {
          failure = ec;
          return;
        }
        step = "read the answer";
        http::async_read(stream, buffer, res, [&](beast::error_code ec, size_t) {
          failure = ec;
          if (!ec) step = "done";
        });
      });
    });
  });
  ioc.run();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (failure || step != "done") {
    return UnavailableError("POST http://" + host + ":" + port + std::string(req.target()) +
                            ": cannot " + step + ": " + failure.message());
  }
  return static_cast<int>(res.result_int());
}

}  // namespace

Result<std::unique_ptr<HttpSink>> HttpSink::Create(HttpSinkOptions options) {
  ASSIGN_OR_RETURN(Url url, ParseHttpUrl(options.url));
  return std::unique_ptr<HttpSink>(new HttpSink(std::move(options), std::move(url.host),
                                                std::move(url.port), std::move(url.target)));
}

HttpSink::HttpSink(HttpSinkOptions options, std::string host, std::string port, std::string target)
    : options_(std::move(options)),
      host_(std::move(host)),
      port_(std::move(port)),
      target_(std::move(target)) {}

Status HttpSink::Deliver(const DeliveryBatch& batch) {
  if (batch.records.empty()) return InvalidArgumentError("empty batch");
  std::string body = EncodeJsonLines(batch);
  if (options_.gzip) {
    ASSIGN_OR_RETURN(body, GzipCompress(body));
  }
  try {
    http::request<http::string_body> req(http::verb::post, target_, 11);
    req.set(http::field::host, port_ == "80" ? host_ : host_ + ":" + port_);
    req.set(http::field::user_agent, "sluice-deliver");
    req.set(http::field::content_type, "application/x-ndjson");
    if (options_.gzip) req.set(http::field::content_encoding, "gzip");
    req.set("X-Sluice-Batch-Id", batch.Name());
    req.set("X-Sluice-Stream", batch.stream);
    req.set("X-Sluice-Shard-Id", batch.shard_id);
    req.set("X-Sluice-First-Sequence-Number", batch.records.front().sequence_number);
    req.set("X-Sluice-Last-Sequence-Number", batch.records.back().sequence_number);
    req.set("X-Sluice-Record-Count", std::to_string(batch.records.size()));
    for (const auto& [name, value] : options_.headers) req.set(name, value);
    req.body() = std::move(body);
    req.prepare_payload();
    ASSIGN_OR_RETURN(int status,
                     Post(host_, port_, req, std::chrono::milliseconds(options_.timeout_ms)));
    if (status < 200 || status > 299) {
      return UnavailableError("POST " + options_.url + " answered HTTP " + std::to_string(status));
    }
    return OkStatus();
  } catch (const std::exception& e) {  // allocation failures and the like stay inside
    return InternalError(std::string("POST ") + options_.url + ": " + e.what());
  }
}

}  // namespace sluice::consumers::deliver

// SPDX-License-Identifier: Apache-2.0
// HttpCall and StreamingPost over Beast's synchronous API. The streaming POST uses one plain TCP
// socket from two threads: the caller writes chunks, the reader thread parses the response (a
// full-duplex socket allows one concurrent send and receive).

#include "app/http_client.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

namespace sluice::app {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Status Failure(std::string_view what, const beast::error_code& ec) {
  return UnavailableError(std::string(what) + ": " + ec.message());
}

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), digest, &n, EVP_sha256(), nullptr);
  return Hex(digest, n);
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &n);
  return std::string(reinterpret_cast<const char*>(digest), n);
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// AWS Signature Version 4 (service kinesisvideo) when AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY are set: adds x-amz-date (and x-amz-security-token) and Authorization,
// signing every header sent. `payload_hash` is the body's SHA-256 (a streaming body signs the
// empty payload's, as the KVS producer does).
void Sign(const std::string& method, const std::string& target, const std::string& host,
          const std::string& payload_hash, HttpHeaders* headers) {
  const std::string key_id = Env("AWS_ACCESS_KEY_ID");
  const std::string secret = Env("AWS_SECRET_ACCESS_KEY");
  if (key_id.empty() || secret.empty()) return;
  std::string region = Env("AWS_REGION");
  if (region.empty()) region = Env("AWS_DEFAULT_REGION");
  if (region.empty()) region = "us-east-1";
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  const std::string amz_date = stamp;
  const std::string date = amz_date.substr(0, 8);
  (*headers)["x-amz-date"] = amz_date;
  if (const std::string token = Env("AWS_SESSION_TOKEN"); !token.empty()) {
    (*headers)["x-amz-security-token"] = token;
  }
  std::map<std::string, std::string> canonical = {{"host", host}};
  for (const auto& [name, value] : *headers) canonical[Lower(name)] = value;
  std::string canonical_headers, signed_headers;
  for (const auto& [name, value] : canonical) {
    canonical_headers += name + ":" + value + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }
  const size_t q = target.find('?');
  std::vector<std::string> params;
  for (std::string_view query = q == std::string::npos ? ""
                                                       : std::string_view(target).substr(q + 1);
       !query.empty();) {
    const size_t amp = query.find('&');
    std::string param(query.substr(0, amp));
    params.push_back(param.find('=') == std::string::npos ? param + "=" : param);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  std::sort(params.begin(), params.end());
  std::string canonical_query;
  for (const std::string& p : params) canonical_query += (canonical_query.empty() ? "" : "&") + p;
  const std::string request = method + "\n" + target.substr(0, q) + "\n" + canonical_query + "\n" +
                              canonical_headers + "\n" + signed_headers + "\n" + payload_hash;
  const std::string scope = date + "/" + region + "/kinesisvideo/aws4_request";
  const std::string to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(request);
  const std::string key =
      Hmac(Hmac(Hmac(Hmac("AWS4" + secret, date), region), "kinesisvideo"), "aws4_request");
  const std::string signature = [&] {
    const std::string mac = Hmac(key, to_sign);
    return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
  }();
  (*headers)["Authorization"] = "AWS4-HMAC-SHA256 Credential=" + key_id + "/" + scope +
                                ", SignedHeaders=" + signed_headers + ", Signature=" + signature;
}

std::string HostHeader(const Endpoint& ep) { return ep.host + ":" + ep.port; }

template <typename Fields>
void SetHeaders(http::request<Fields>* req, const Endpoint& ep, const HttpHeaders& headers) {
  req->set(http::field::host, HostHeader(ep));
  req->set(http::field::user_agent, "sluice-cli");
  for (const auto& [name, value] : headers) req->set(name, value);
}

}  // namespace

Result<Endpoint> ParseEndpoint(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgumentError("endpoint must be an http:// URL: " + std::string(url));
  }
  url.remove_prefix(kScheme.size());
  const size_t slash = url.find('/');
  if (slash != std::string_view::npos) {
    if (url.substr(slash) != "/") return InvalidArgumentError("endpoint must not have a path");
    url = url.substr(0, slash);
  }
  Endpoint ep;
  const size_t colon = url.rfind(':');
  if (colon != std::string_view::npos && url.find(']', colon) == std::string_view::npos) {
    ep.host = std::string(url.substr(0, colon));
    ep.port = std::string(url.substr(colon + 1));
  } else {
    ep.host = std::string(url);
    ep.port = "80";
  }
  if (ep.host.size() > 2 && ep.host.front() == '[' && ep.host.back() == ']') {
    ep.host = ep.host.substr(1, ep.host.size() - 2);
  }
  if (ep.host.empty() || ep.port.empty() ||
      !std::all_of(ep.port.begin(), ep.port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgumentError("bad endpoint host or port");
  }
  return ep;
}

std::string HttpResult::Header(const std::string& name) const {
  auto it = headers.find(Lower(name));
  return it != headers.end() ? it->second : "";
}

Result<HttpResult> HttpCall(const Endpoint& endpoint, const std::string& method,
                            const std::string& target, const HttpHeaders& headers,
                            const std::string& body, std::chrono::milliseconds timeout) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  auto addresses = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (ec) return Failure("cannot resolve " + endpoint.host, ec);
  stream.expires_after(timeout);
  stream.connect(addresses, ec);
  if (ec) return Failure("cannot connect to " + endpoint.host + ":" + endpoint.port, ec);
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  HttpHeaders signed_headers = headers;
  Sign(method, target, HostHeader(endpoint), Sha256Hex(body), &signed_headers);
  SetHeaders(&req, endpoint, signed_headers);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec) return Failure("cannot send the request", ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return Failure("cannot read the response", ec);
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  HttpResult out{.status = static_cast<int>(res.result_int()), .body = std::move(res.body())};
  for (const auto& field : res) {
    out.headers[Lower(std::string(field.name_string()))] = std::string(field.value());
  }
  return out;
}

struct StreamingPost::Impl {
  net::io_context ioc;
  tcp::socket socket{ioc};
  std::thread reader;
  std::function<void(int)> on_head;
  std::function<void(std::string_view)> on_body;

  mutable std::mutex mu;
  std::condition_variable cv;
  bool done = false;  // guarded by mu
  int status = 0;     // guarded by mu
  Status failure;     // guarded by mu

  void Read();
  void End(int http_status, Status s) {
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
      status = http_status;
      failure = std::move(s);
    }
    cv.notify_all();
  }
};

void StreamingPost::Impl::Read() {
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  beast::error_code ec;
  http::read_header(socket, buffer, parser, ec);
  if (ec) return End(0, Failure("cannot read the response", ec));
  const int http_status = static_cast<int>(parser.get().result_int());
  on_head(http_status);
  char chunk[16384];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    http::read_some(socket, buffer, parser, ec);  // returns as soon as some body arrived
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return End(http_status, Failure("the response was cut short", ec));
    const size_t n = sizeof chunk - parser.get().body().size;
    if (n > 0) on_body(std::string_view(chunk, n));
  }
  End(http_status, OkStatus());
}

Result<std::unique_ptr<StreamingPost>> StreamingPost::Start(
    const Endpoint& endpoint, const std::string& target, const HttpHeaders& headers,
    std::function<void(int)> on_head, std::function<void(std::string_view)> on_body) {
  auto impl = std::make_unique<Impl>();
  impl->on_head = std::move(on_head);
  impl->on_body = std::move(on_body);
  tcp::resolver resolver(impl->ioc);
  beast::error_code ec;
  auto addresses = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (ec) return Failure("cannot resolve " + endpoint.host, ec);
  net::connect(impl->socket, addresses, ec);
  if (ec) return Failure("cannot connect to " + endpoint.host + ":" + endpoint.port, ec);
  impl->socket.set_option(tcp::no_delay(true), ec);
  http::request<http::empty_body> req(http::verb::post, target, 11);
  HttpHeaders signed_headers = headers;
  signed_headers["Transfer-Encoding"] = "chunked";
  Sign("POST", target, HostHeader(endpoint), Sha256Hex(""), &signed_headers);
  signed_headers.erase("Transfer-Encoding");  // set by chunked(true) below
  SetHeaders(&req, endpoint, signed_headers);
  req.chunked(true);
  http::request_serializer<http::empty_body> serializer(req);
  http::write_header(impl->socket, serializer, ec);
  if (ec) return Failure("cannot send the request", ec);
  Impl* raw = impl.get();
  impl->reader = std::thread([raw] { raw->Read(); });
  return std::unique_ptr<StreamingPost>(new StreamingPost(std::move(impl)));
}

StreamingPost::StreamingPost(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StreamingPost::~StreamingPost() {
  beast::error_code ec;
  impl_->socket.shutdown(tcp::socket::shutdown_both, ec);  // wakes the reader
  if (impl_->reader.joinable()) impl_->reader.join();
  impl_->socket.close(ec);
}

Status StreamingPost::Write(std::string_view bytes) {
  if (bytes.empty()) return OkStatus();  // an empty chunk would end the body
  beast::error_code ec;
  net::write(impl_->socket, http::make_chunk(net::const_buffer(bytes.data(), bytes.size())), ec);
  if (ec) return Failure("cannot send the body", ec);
  return OkStatus();
}

Status StreamingPost::Finish() {
  beast::error_code ec;
  net::write(impl_->socket, http::make_chunk_last(), ec);
  if (ec) return Failure("cannot end the body", ec);
  return OkStatus();
}

Result<int> StreamingPost::Wait(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  if (!impl_->cv.wait_for(lock, timeout, [this] { return impl_->done; })) {
    return UnavailableError("timed out waiting for the end of the response");
  }
  if (!impl_->failure.ok()) return impl_->failure;
  return impl_->status;
}

bool StreamingPost::response_done() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->done;
}

}  // namespace sluice::app

// SPDX-License-Identifier: Apache-2.0
// Streaming exchanges of a Session: the request body handed to the handler chunk by chunk as it
// arrives (request_parser<buffer_body>, one socket read per BodyReader::Read, which is the
// backpressure), and a chunked response written piece by piece while the body is still being
// read (full duplex). The exchange owns the connection, which closes once the response ends.

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>

#include "base/log.h"
#include "web/http/cors.h"
#include "web/http/http_session.h"
#include "web/http/http_session_util.h"

namespace sluice::web {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
constexpr size_t kReadChunk = 64 * 1024;       // body bytes handed over per Read at most
constexpr size_t kWriteGather = 1 << 20;       // bytes gathered into one socket write at most
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
}  // namespace

// The Beast-free face of the exchange handed to the handler. Every call is posted onto the
// session's strand through the server's reply gate, so calls from any thread are safe and a call
// after shutdown (or after the connection ended) is dropped; callbacks then report failure.
class StreamExchange : public BodyReader, public ResponseWriter {
 public:
  StreamExchange(std::weak_ptr<Session> session, std::shared_ptr<ReplyGate> gate, uint64_t id)
      : session_(std::move(session)), gate_(std::move(gate)), id_(id) {}

  void Read(std::function<void(BodyChunk)> on_chunk) override {
    auto cb = std::make_shared<std::function<void(BodyChunk)>>(std::move(on_chunk));
    if (!Post([id = id_, cb](Session& s) { s.StreamRead(id, std::move(*cb)); })) {
      (*cb)(BodyChunk{BodyChunk::Kind::kError, {}, "connection closed"});
    }
  }
  void Start(int status, Headers headers) override {
    Post([id = id_, status, h = std::move(headers)](Session& s) mutable {
      s.StreamStart(id, status, std::move(h));
    });
  }
  void Write(std::string data, std::function<void(bool ok)> done) override {
    queued_ += data.size();
    auto d = std::make_shared<std::function<void(bool)>>(std::move(done));
    const size_t size = data.size();
    if (!Post([id = id_, data = std::move(data), d](Session& s) mutable {
          s.StreamWrite(id, std::move(data), std::move(*d));
        })) {
      Unqueue(size);
      if (*d) (*d)(false);
    }
  }
  void Finish() override {
    Post([id = id_](Session& s) { s.StreamFinish(id); });
  }
  void Respond(HttpResponse response) override {
    Post([id = id_, r = std::move(response)](Session& s) mutable {
      s.StreamRespond(id, std::move(r));
    });
  }
  void OnEnd(std::function<void(StreamEnd)> on_end) override {
    auto cb = std::make_shared<std::function<void(StreamEnd)>>(std::move(on_end));
    if (!Post([id = id_, cb](Session& s) { s.StreamOnEnd(id, std::move(*cb)); })) {
      (*cb)(StreamEnd::kClientGone);
    }
  }
  size_t queued_bytes() const override { return queued_.load(); }

  void Unqueue(size_t n) { queued_ -= n; }

 private:
  template <typename F>
  bool Post(F&& f) {
    std::lock_guard lock(gate_->mu);
    if (!gate_->open) return false;
    auto self = session_.lock();
    if (!self) return false;
    net::post(self->executor(), [self, f = std::forward<F>(f)]() mutable { f(*self); });
    return true;
  }

  const std::weak_ptr<Session> session_;
  const std::shared_ptr<ReplyGate> gate_;
  const uint64_t id_;
  std::atomic<size_t> queued_{0};
};

// Called with parser_ holding the head (stream_body) or the whole request.
void Session::BeginStream(bool stream_body) {
  const auto& msg = parser_->get();
  HttpRequest request = MakeRequest(msg.base());
  Pending pending;
  pending.seq = next_seq_++;
  pending.keep_alive = false;
  pending.version = msg.version();
  pending.stream = true;
  queue_.push_back(pending);
  read_done_ = true;  // the exchange owns the connection from here on

  StreamOut out;
  out.id = next_stream_id_++;
  out.stream_body = stream_body;
  if (stream_body) {
    out.expect_continue = beast::iequals(msg[http::field::expect], "100-continue");
    out.body_done = parser_->is_done();
    body_parser_.emplace(std::move(*parser_));
  } else {
    request.body = std::move(parser_->get().body());
    out.body_done = true;
  }
  parser_.reset();
  out.exchange = std::make_shared<StreamExchange>(weak_from_this(), core_->gate, out.id);
  auto exchange = out.exchange;
  out_.emplace(std::move(out));
  if (!stream_body) WatchForClose();
  try {
    core_->router->DispatchStreaming(std::move(request), exchange, exchange);
  } catch (const std::exception& e) {
    LOG_ERROR("http", "streaming handler threw", {{"what", e.what()}, {"remote", remote_}});
    HttpResponse response = JsonErrorResponse(500, "InternalFailure", "Internal server error");
    AddCorsHeaders(&response);
    exchange->Respond(std::move(response));
  }
}

// A buffered-body exchange reads nothing more; watch the socket so that a client that goes away
// ends the exchange even while the response is quiet (GetMedia waiting for new fragments).
void Session::WatchForClose() {
  stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) {
    if (self->closed_ || !self->out_) return;
    error_code ignored;
    if (!ec && self->stream_.socket().available(ignored) > 0) return;  // more input, not a close
    self->Fail(ec ? ec : error_code(net::error::eof), "read");
  });
}

void Session::StreamStart(uint64_t id, int status, ResponseWriter::Headers headers) {
  if (!out_ || out_->id != id || closed_ || out_->started || queue_.back().response) return;
  if (out_->expect_continue && !out_->body_done) out_->pieces.push_back({std::string(kContinue), {}});
  out_->expect_continue = false;
  if (status < 200 || status > 999) status = 500;
  const std::string_view reason = http::obsolete_reason(http::int_to_status(status));
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  bool has_date = false;
  for (const auto& [name, value] : headers) {
    if (beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
        beast::iequals(name, "Connection")) {
      continue;
    }
    has_date = has_date || beast::iequals(name, "Date");
    head += name + ": " + value + "\r\n";
  }
  if (!has_date) head += "Date: " + HttpDate() + "\r\n";
  head += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  out_->pieces.push_back({std::move(head), {}});
  out_->started = true;
  MaybeWrite();
}

void Session::StreamWrite(uint64_t id, std::string data, std::function<void(bool)> done) {
  if (!out_ || out_->id != id || closed_ || !out_->started || out_->finished) {
    if (out_ && out_->id == id) out_->exchange->Unqueue(data.size());
    if (done) done(false);
    return;
  }
  if (data.empty()) {
    if (done) done(true);
    return;
  }
  char size_line[24];
  const int n = std::snprintf(size_line, sizeof(size_line), "%zx\r\n", data.size());
  std::string framed;
  framed.reserve(data.size() + static_cast<size_t>(n) + 2);
  framed.append(size_line, static_cast<size_t>(n)).append(data).append("\r\n");
  out_->pieces.push_back({std::move(framed), std::move(done), data.size()});
  MaybeWrite();
}

void Session::StreamFinish(uint64_t id) {
  if (!out_ || out_->id != id || closed_ || out_->finished || queue_.back().response) return;
  if (!out_->started) StreamStart(id, 200, {});
  out_->finished = true;
  out_->pieces.push_back({"0\r\n\r\n", {}});
  MaybeWrite();
}

void Session::StreamRespond(uint64_t id, HttpResponse response) {
  if (!out_ || out_->id != id || closed_ || out_->started || queue_.back().response) return;
  Pending& p = queue_.back();  // the exchange is the last request this connection reads
  p.response = std::move(response);
  p.keep_alive = false;
  linger_ = out_->stream_body && !out_->body_done;  // let the client read it before the close
  MaybeWrite();
}

void Session::StreamOnEnd(uint64_t id, std::function<void(StreamEnd)> on_end) {
  if (!out_ || out_->id != id) return on_end(StreamEnd::kClientGone);
  if (out_->end_reason) return on_end(*out_->end_reason);
  out_->on_end = std::move(on_end);
}

void Session::StreamRead(uint64_t id, std::function<void(BodyChunk)> on_chunk) {
  using Kind = BodyChunk::Kind;
  if (!out_ || out_->id != id || closed_) return on_chunk({Kind::kError, {}, "exchange ended"});
  if (out_->on_chunk) return on_chunk({Kind::kError, {}, "a read is already outstanding"});
  if (!out_->body_error.empty()) return on_chunk({Kind::kError, {}, out_->body_error});
  if (out_->body_done) return on_chunk({Kind::kEnd, {}, {}});
  if (out_->expect_continue) {
    out_->pieces.push_back({std::string(kContinue), {}});
    out_->expect_continue = false;
    MaybeWrite();
  }
  out_->on_chunk = std::move(on_chunk);
  DoStreamRead();
}

void Session::DoStreamRead() {
  read_state_ = ReadState::kStreamBody;
  stream_read_in_flight_ = true;
  ArmDeadline(core_->options.stream_idle_timeout);
  stream_.expires_never();
  chunk_buf_.resize(kReadChunk);
  body_parser_->get().body().data = chunk_buf_.data();
  body_parser_->get().body().size = chunk_buf_.size();
  http::async_read_some(stream_, buffer_, *body_parser_,
                        beast::bind_front_handler(&Session::OnStreamRead, shared_from_this()));
}

void Session::OnStreamRead(error_code ec, size_t) {
  stream_read_in_flight_ = false;
  if (closed_) {  // the response ended first: this read now drains input until the linger ends
    if (ec || read_state_ != ReadState::kDiscard) return FinishClose();
    return DoDiscard();
  }
  read_state_ = ReadState::kNone;
  DisarmDeadline();
  if (ec == http::error::need_buffer) ec = {};
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      (ec && ec.category() != http::make_error_code(http::error::bad_chunk).category())) {
    return Fail(ec, "read");  // the client is gone: FinishClose ends the exchange
  }
  if (ec) {  // malformed body framing: the handler decides how to answer
    out_->body_error = "malformed request body: " + ec.message();
    return DeliverChunk({BodyChunk::Kind::kError, {}, out_->body_error});
  }
  const size_t got = chunk_buf_.size() - body_parser_->get().body().size;
  out_->body_done = body_parser_->is_done();
  if (got == 0 && !out_->body_done) return DoStreamRead();  // framing only: read on
  if (got == 0) return DeliverChunk({BodyChunk::Kind::kEnd, {}, {}});
  DeliverChunk({BodyChunk::Kind::kData, std::string(chunk_buf_.data(), got), {}});
}

void Session::DeliverChunk(BodyChunk chunk) {
  if (!out_ || !out_->on_chunk) return;
  auto cb = std::move(out_->on_chunk);
  out_->on_chunk = nullptr;
  cb(std::move(chunk));
}

void Session::WriteStream() {
  if (writing_ || closed_ || !out_ || out_->pieces.empty()) return;
  std::vector<net::const_buffer> buffers;
  size_t bytes = 0;
  for (const auto& piece : out_->pieces) {
    if (!buffers.empty() && bytes + piece.bytes.size() > kWriteGather) break;
    buffers.push_back(net::buffer(piece.bytes));
    bytes += piece.bytes.size();
  }
  const size_t count = buffers.size();
  const bool last = out_->finished && count == out_->pieces.size();
  writing_ = true;
  stream_.expires_after(core_->options.write_timeout);
  net::async_write(stream_, buffers, [self = shared_from_this(), count, last](error_code ec, size_t) {
    self->OnStreamWrite(count, last, ec);
  });
}

void Session::OnStreamWrite(size_t count, bool last, error_code ec) {
  writing_ = false;
  if (ec) return Fail(ec, "write");
  if (!out_) return;
  std::vector<std::function<void(bool)>> done;
  for (size_t i = 0; i < count && !out_->pieces.empty(); ++i) {
    auto& piece = out_->pieces.front();
    out_->exchange->Unqueue(piece.counted);
    if (piece.done) done.push_back(std::move(piece.done));
    out_->pieces.pop_front();
  }
  if (last) {
    linger_ = out_->stream_body && !out_->body_done;
    queue_.pop_front();
    DropStream();
  }
  for (auto& d : done) d(true);
  if (last) return Close();
  MaybeWrite();
}

void Session::EndStream(StreamEnd why) {
  if (!out_ || out_->end_reason) return;
  out_->end_reason = why;
  auto on_end = std::move(out_->on_end);
  out_->on_end = nullptr;
  if (on_end) on_end(why);
}

// Forgets the exchange; what it still had queued fails, an outstanding Read gets kError.
void Session::DropStream() {
  if (!out_) return;
  StreamOut out = std::move(*out_);
  out_.reset();
  for (auto& piece : out.pieces) {
    out.exchange->Unqueue(piece.counted);
    if (piece.done) piece.done(false);
  }
  if (out.on_chunk) out.on_chunk({BodyChunk::Kind::kError, {}, "exchange ended"});
}

}  // namespace sluice::web

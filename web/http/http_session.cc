// SPDX-License-Identifier: Apache-2.0
// Session: one HTTP/1.1 connection (the Beast advanced-server pattern). Reads a request head,
// picks the body limit from the router, reads the body, dispatches, and writes responses in
// request order while reading ahead up to the pipelining cap. Everything runs on the
// connection's strand; handler replies from other threads are posted back onto it. Streaming
// exchanges (body chunks in, chunked response out) are in http_session_stream.cc.

#include "web/http/http_session.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <ctime>
#include <limits>

#include "base/log.h"
#include "web/http/cors.h"
#include "web/http/http_metrics.h"
#include "web/http/http_session_util.h"

namespace sluice::web {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

Session::Session(ServerCore* core, tcp::socket&& socket)
    : core_(core), stream_(std::move(socket)), deadline_(stream_.get_executor()) {
  error_code ec;
  const auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ = remote.address().to_string() + ":" + std::to_string(remote.port());
  stream_.socket().set_option(tcp::no_delay(true), ec);
  HttpMetrics::Get().connections()->Add(1);
}

Session::~Session() { HttpMetrics::Get().connections()->Add(-1); }

void Session::Run() {
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&Session::DoReadHeader, shared_from_this()));
}

void Session::CloseNow() {
  error_code ignored;
  stream_.socket().close(ignored);
}

void Session::BeginShutdown() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    if (self->out_) self->EndStream(StreamEnd::kShutdown);
    if (!self->closed_ && self->queue_.empty() && !self->writing_ && !self->ReadingBody()) {
      self->Close();
    }
  });
}

// --- reading -------------------------------------------------------------------------------
void Session::DoReadHeader() {
  if (closed_ || read_done_ || stopping_ || read_state_ != ReadState::kNone || out_) return;
  if (queue_.size() >= static_cast<size_t>(core_->options.pipeline_limit))
    return;  // OnWrite resumes
  parser_.emplace();
  parser_->header_limit(core_->options.header_limit);
  // No limit while reading the head: the route decides it in OnReadHeader.
  parser_->body_limit(std::numeric_limits<uint64_t>::max());
  read_state_ = ReadState::kHeader;
  // Idle connections time out; while answers are pending the read waits for them instead.
  if (queue_.empty()) {
    ArmDeadline(core_->options.idle_timeout);
  } else {
    DisarmDeadline();
  }
  stream_.expires_never();  // reads are bounded by deadline_, writes by the stream's timer
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::OnReadHeader, shared_from_this()));
}

void Session::OnReadHeader(error_code ec, size_t) {
  read_state_ = ReadState::kNone;
  if (closed_) return;
  if (ec == http::error::end_of_stream || (ec && stopping_)) {
    read_done_ = true;  // the client is done sending; answer what is pending, then close
    return MaybeFinish();
  }
  if (ec == http::error::body_limit) return RejectTooLarge(std::nullopt, core_->options.body_limit);
  if (ec == http::error::header_limit) {
    return Reject(431, "RequestHeaderFieldsTooLarge", "Request header fields too large");
  }
  if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
      ec != http::error::partial_message) {
    return Reject(400, "BadRequest", "Malformed HTTP request: " + ec.message());
  }
  if (ec) return Fail(ec, "read");
  const auto& head = parser_->get();
  const std::string_view target = head.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const Router::RouteInfo route = core_->router->InfoFor(head.method_string(), path);
  if (route.streaming && route.stream_body) return BeginStream(/*stream_body=*/true);
  pending_stream_ = route.streaming;
  uint64_t limit = route.body_limit;
  if (limit == 0) limit = core_->options.body_limit;
  const auto length = parser_->content_length();
  if (length && *length > limit) return RejectTooLarge(*length, limit);
  parser_->body_limit(limit);
  body_limit_ = limit;
  // Answer "Expect: 100-continue" unless an earlier response is being written (the client
  // then sends the body after its own short wait).
  const bool wants_continue = beast::iequals(head[http::field::expect], "100-continue");
  if (wants_continue && !parser_->is_done() && !writing_) return DoWriteContinue();
  DoReadBody();
}

void Session::DoWriteContinue() {
  auto res = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                parser_->get().version());
  writing_ = true;
  stream_.expires_after(core_->options.write_timeout);
  http::async_write(stream_, *res, [self = shared_from_this(), res](error_code ec, size_t) {
    self->writing_ = false;
    if (ec) return self->Fail(ec, "write");
    self->DoReadBody();
    self->MaybeWrite();
  });
}

void Session::DoReadBody() {
  if (closed_) return;
  read_state_ = ReadState::kBody;
  ArmDeadline(core_->options.request_timeout);
  stream_.expires_never();
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::OnReadBody, shared_from_this()));
}

void Session::OnReadBody(error_code ec, size_t) {
  read_state_ = ReadState::kNone;
  DisarmDeadline();
  if (closed_) return;
  if (ec == http::error::body_limit) return RejectTooLarge(std::nullopt, body_limit_);
  if (ec) return Fail(ec, "read");
  if (pending_stream_) {
    pending_stream_ = false;
    return BeginStream(/*stream_body=*/false);
  }
  DispatchRequest(parser_->release());
  parser_.reset();
  if (stopping_ && queue_.empty() && !writing_) return Close();
  DoReadHeader();
}

HttpRequest Session::MakeRequest(const http::request_header<>& msg) {
  HttpRequest request;
  request.method = std::string(msg.method_string());
  const std::string_view target = msg.target();
  const size_t q = target.find('?');
  request.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
  for (const auto& field : msg) {
    auto [it, inserted] =
        request.headers.emplace(std::string(field.name_string()), std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());  // RFC 9110 5.3
  }
  request.remote_address = remote_;
  return request;
}

void Session::DispatchRequest(http::request<http::string_body>&& msg) {
  HttpRequest request = MakeRequest(msg.base());
  request.body = std::move(msg.body());

  Pending pending;
  pending.seq = next_seq_++;
  pending.keep_alive = msg.keep_alive();
  pending.head = msg.method() == http::verb::head;
  pending.version = msg.version();
  if (!pending.keep_alive) read_done_ = true;
  queue_.push_back(pending);

  HttpReply reply = MakeReply(pending.seq);
  try {
    core_->router->Dispatch(std::move(request), reply);
  } catch (const std::exception& e) {
    // Handlers report errors as responses; an exception is a bug, answered as a 500.
    LOG_ERROR("http", "handler threw", {{"what", e.what()}, {"remote", remote_}});
    HttpResponse response = JsonErrorResponse(500, "InternalFailure", "Internal server error");
    AddCorsHeaders(&response);
    reply(std::move(response));
  }
}

// The handler's reply: once only, from any thread, posted onto this session's strand while
// the server's reply gate is open.
HttpReply Session::MakeReply(uint64_t seq) {
  std::weak_ptr<Session> weak = shared_from_this();
  auto gate = core_->gate;
  auto answered = std::make_shared<std::atomic<bool>>(false);
  return [weak, gate, answered, seq](HttpResponse response) {
    if (answered->exchange(true)) return;
    std::lock_guard lock(gate->mu);
    if (!gate->open) return;
    if (auto self = weak.lock()) {
      net::post(self->stream_.get_executor(), [self, seq, r = std::move(response)]() mutable {
        self->OnReply(seq, std::move(r));
      });
    }
  };
}

void Session::OnReply(uint64_t seq, HttpResponse response) {
  if (closed_) return;
  for (Pending& p : queue_) {
    if (p.seq == seq) {
      p.response = std::move(response);
      break;
    }
  }
  MaybeWrite();
}

// Answers a request that cannot be read (too large, malformed) and closes after it.
void Session::Reject(int status, std::string_view type, std::string message) {
  HttpResponse response = JsonErrorResponse(status, type, message);
  AddCorsHeaders(&response);
  HttpMetrics::Get().RecordRequest("rejected", status, 0, response.body.size(),
                                   std::chrono::microseconds(0));
  HttpMetrics::Get().RecordApiError(type);
  Pending pending;
  pending.seq = next_seq_++;
  pending.keep_alive = false;
  pending.response = std::move(response);
  queue_.push_back(std::move(pending));
  read_done_ = true;
  linger_ = true;
  parser_.reset();
  MaybeWrite();
}

void Session::RejectTooLarge(std::optional<uint64_t> length, uint64_t limit) {
  Reject(413, "RequestEntityTooLargeException",
         "Request body " + (length ? "of " + std::to_string(*length) + " bytes " : std::string()) +
             "exceeds the limit of " + std::to_string(limit) + " bytes");
}

// --- writing -------------------------------------------------------------------------------
void Session::MaybeWrite() {
  if (writing_ || closed_ || queue_.empty()) return;
  Pending& p = queue_.front();
  if (p.stream && !p.response) return WriteStream();
  if (!p.response) return;
  // While stopping, the last pending answer closes the connection.
  const bool keep = p.keep_alive && !(stopping_ && queue_.size() == 1 && !ReadingBody());
  auto res = std::make_shared<http::response<http::string_body>>();
  HttpResponse& r = *p.response;
  const bool no_body = r.status == 204 || r.status == 304;
  res->version(p.version);
  res->result(r.status >= 200 && r.status <= 999 ? static_cast<unsigned>(r.status) : 500u);
  for (auto& [name, value] : r.headers) res->insert(name, value);
  if (res->find(http::field::date) == res->end()) res->set(http::field::date, HttpDate());
  res->keep_alive(keep);
  if (!no_body) res->body() = std::move(r.body);
  res->prepare_payload();
  if (p.head) res->body().clear();  // HEAD: the GET's headers (Content-Length too), no body
  writing_ = true;
  stream_.expires_after(core_->options.write_timeout);
  http::async_write(stream_, *res, [self = shared_from_this(), res, keep](error_code ec, size_t) {
    self->OnWrite(keep, ec);
  });
}

void Session::OnWrite(bool keep, error_code ec) {
  writing_ = false;
  if (ec) return Fail(ec, "write");
  if (queue_.front().stream) DropStream();  // a streaming exchange answered in one piece
  queue_.pop_front();
  if (!keep) return Close();
  if (queue_.empty() && read_state_ == ReadState::kHeader) {
    ArmDeadline(core_->options.idle_timeout);  // now idle: the keep-alive clock starts
  }
  MaybeWrite();
  MaybeFinish();
  DoReadHeader();  // resumes reading if the pipelining cap had paused it
}

// Closes once nothing more will be read and everything read has been answered.
void Session::MaybeFinish() {
  if (closed_ || writing_ || !queue_.empty()) return;
  // While stopping, a pending read-ahead of the next header is abandoned.
  if (read_done_ || (stopping_ && !ReadingBody())) Close();
}

// --- deadlines and closing -----------------------------------------------------------------
void Session::ArmDeadline(SteadyClock::duration d) {
  deadline_.expires_after(d);  // cancels any earlier wait
  deadline_.async_wait(beast::bind_front_handler(&Session::OnDeadline, shared_from_this()));
}

void Session::DisarmDeadline() { deadline_.expires_at(SteadyClock::time_point::max()); }

void Session::OnDeadline(error_code ec) {
  if (ec || deadline_.expiry() > SteadyClock::now()) return;  // cancelled or re-armed
  if (read_state_ == ReadState::kDiscard) return FinishClose();
  if (closed_) return;
  LOG_DEBUG("http", "read timeout", {{"remote", remote_}});
  if (out_) EndStream(StreamEnd::kTimeout);
  error_code ignored;
  stream_.socket().close(ignored);  // the pending read fails and ends the session
}

// Graceful close: send FIN; after a rejected request, drain the unread body for a moment so
// the client sees our answer rather than a reset.
void Session::Close() {
  if (closed_) return;
  closed_ = true;
  error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (!linger_) return FinishClose();
  read_state_ = ReadState::kDiscard;
  ArmDeadline(kLingerTime);
  if (!stream_read_in_flight_) DoDiscard();  // else the streamed read in flight continues as the discard
}

void Session::DoDiscard() {
  stream_.socket().async_read_some(net::buffer(discard_),
                                   [self = shared_from_this()](error_code ec, size_t) {
                                     if (ec) return self->FinishClose();
                                     self->DoDiscard();
                                   });
}

void Session::FinishClose() {
  if (unregistered_) return;
  unregistered_ = true;
  closed_ = true;
  read_state_ = ReadState::kNone;
  DisarmDeadline();
  error_code ignored;
  stream_.socket().close(ignored);
  if (out_) EndStream(StreamEnd::kClientGone);
  DropStream();  // fails what is still queued (their callbacks hold handler state)
  core_->Unregister(this);
}

// The one place network errors end up: log (quietly for the usual disconnects) and close.
void Session::Fail(error_code ec, std::string_view what) {
  if (unregistered_) return;
  if (IsQuietError(ec)) {
    LOG_DEBUG("http", "connection ended", {{"op", what}, {"error", ec.message()}});
  } else {
    LOG_WARN("http", "connection failed",
             {{"op", what}, {"error", ec.message()}, {"remote", remote_}});
  }
  FinishClose();
}

void StartSession(ServerCore* core, tcp::socket socket) {
  auto session = std::make_shared<Session>(core, std::move(socket));
  if (!core->Register(session)) return;  // shutting down: the socket closes with the session
  session->Run();
}

}  // namespace sluice::web

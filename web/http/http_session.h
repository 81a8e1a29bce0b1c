// SPDX-License-Identifier: Apache-2.0
// Session: one HTTP/1.1 connection (the Beast advanced-server pattern). Internal to web/http and
// Beast-typed: included only by http_session.cc (buffered requests, writing, closing) and
// http_session_stream.cc (streaming exchanges: body chunks in, chunked response out).
#pragma once

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "web/http/http_server_core.h"
#include "web/http/streaming.h"

namespace sluice::web {

class StreamExchange;  // http_session_stream.cc

class Session : public SessionHandle, public std::enable_shared_from_this<Session> {
 public:
  using error_code = boost::beast::error_code;

  Session(ServerCore* core, boost::asio::ip::tcp::socket&& socket);
  ~Session() override;

  void Run();
  void CloseNow() override;
  void BeginShutdown() override;

  // --- streaming exchange entry points (strand only; StreamExchange posts onto the strand) ---
  void StreamStart(uint64_t id, int status, ResponseWriter::Headers headers);
  void StreamWrite(uint64_t id, std::string data, std::function<void(bool)> done);
  void StreamFinish(uint64_t id);
  void StreamRespond(uint64_t id, HttpResponse response);
  void StreamRead(uint64_t id, std::function<void(BodyChunk)> on_chunk);
  void StreamOnEnd(uint64_t id, std::function<void(StreamEnd)> on_end);

  boost::asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class ReadState { kNone, kHeader, kBody, kDiscard, kStreamBody, kWatch };

  // One streamed response: what is queued and how far it got. Strand only.
  struct StreamOut {
    struct Piece {
      std::string bytes;
      std::function<void(bool)> done;
      size_t counted = 0;  // payload bytes counted in the exchange's queued_bytes()
    };
    std::shared_ptr<StreamExchange> exchange;
    uint64_t id = 0;
    bool stream_body = false;     // the body is handed over as it arrives
    bool expect_continue = false;  // "Expect: 100-continue" not answered yet
    bool started = false;         // status line queued
    bool finished = false;        // last chunk queued
    std::optional<StreamEnd> end_reason;  // set once on_end ran (or would have)
    std::deque<Piece> pieces;
    std::function<void(StreamEnd)> on_end;
    std::function<void(BodyChunk)> on_chunk;  // the outstanding Read
    bool body_done = false;                   // the whole body was read
    std::string body_error;                   // reading failed
  };

  // One request whose response is awaited or ready; answered strictly in arrival order.
  struct Pending {
    uint64_t seq = 0;
    std::optional<HttpResponse> response;
    bool keep_alive = true;
    bool head = false;
    unsigned version = 11;
    bool stream = false;  // answered by stream_ (StreamOut)
  };

  bool ReadingBody() const {
    return read_state_ == ReadState::kBody || read_state_ == ReadState::kStreamBody;
  }

  // http_session.cc
  void DoReadHeader();
  void OnReadHeader(error_code ec, size_t);
  void DoWriteContinue();
  void DoReadBody();
  void OnReadBody(error_code ec, size_t);
  HttpRequest MakeRequest(const boost::beast::http::request_header<>& msg);
  void DispatchRequest(boost::beast::http::request<boost::beast::http::string_body>&& msg);
  HttpReply MakeReply(uint64_t seq);
  void OnReply(uint64_t seq, HttpResponse response);
  void Reject(int status, std::string_view type, std::string message);
  void RejectTooLarge(std::optional<uint64_t> length, uint64_t limit);
  void MaybeWrite();
  void OnWrite(bool keep, error_code ec);
  void MaybeFinish();
  void ArmDeadline(std::chrono::steady_clock::duration d);
  void DisarmDeadline();
  void OnDeadline(error_code ec);
  void Close();
  void DoDiscard();
  void FinishClose();
  void Fail(error_code ec, std::string_view what);

  // http_session_stream.cc
  void BeginStream(bool stream_body);
  void DispatchStream(HttpRequest request, const boost::beast::http::request_header<>& head,
                      bool stream_body);
  void WriteStream();
  void OnStreamWrite(size_t pieces, bool last, error_code ec);
  void DoStreamRead();
  void OnStreamRead(error_code ec, size_t);
  void DeliverChunk(BodyChunk chunk);
  void WatchForClose();
  void EndStream(StreamEnd why);
  void DropStream();

  ServerCore* const core_;  // outlives every session (see http_server.cc Shutdown)
  boost::beast::tcp_stream stream_;
  boost::asio::steady_timer deadline_;  // read deadline: idle, per-request body, linger
  std::string remote_;

  // --- touched only on the strand ---
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::buffer_body>> body_parser_;
  uint64_t body_limit_ = 0;
  std::deque<Pending> queue_;
  uint64_t next_seq_ = 0;
  ReadState read_state_ = ReadState::kNone;
  bool writing_ = false;
  bool read_done_ = false;  // no more requests will be read on this connection
  bool stopping_ = false;   // server shutdown: finish in-flight requests, then close
  bool linger_ = false;     // drain unread input before closing (after Reject)
  bool closed_ = false;     // FIN sent or socket closed
  bool unregistered_ = false;
  bool pending_stream_ = false;     // the body being read belongs to a streaming route
  std::optional<StreamOut> out_;    // the streaming exchange on this connection
  uint64_t next_stream_id_ = 1;
  std::array<char, 16 * 1024> discard_{};
  std::string chunk_buf_;  // body bytes of the streamed read in flight
  bool stream_read_in_flight_ = false;
};

}  // namespace sluice::web

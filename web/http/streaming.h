// SPDX-License-Identifier: Apache-2.0
// Streaming exchanges: routes that read the request body as it arrives (BodyReader) and write the
// response piece by piece with chunked transfer-encoding (ResponseWriter), full duplex on one
// HTTP/1.1 connection (PutMedia, GetMedia). Beast-free, like HttpReply; the session implements
// both interfaces. Every callback runs on the connection's strand; the methods may be called from
// any thread.
//
// Example (an echo route):
//   router->AddStreaming("POST", "/echo", {.name = "echo", .stream_body = true},
//       [](HttpRequest head, std::shared_ptr<BodyReader> body, std::shared_ptr<ResponseWriter> w) {
//         w->Start(200, {{"Content-Type", "application/octet-stream"}});
//         auto pump = std::make_shared<std::function<void()>>();
//         *pump = [body, w, pump] { body->Read([w, pump](BodyChunk c) {
//           if (c.kind != BodyChunk::Kind::kData) return w->Finish();
//           w->Write(std::move(c.data), [pump](bool ok) { if (ok) (*pump)(); }); }); };
//         (*pump)();
//       });
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "web/http/http_types.h"

namespace sluice::web {

// One step of a request body.
struct BodyChunk {
  enum class Kind {
    kData,   // `data` holds the next bytes (never empty)
    kEnd,    // the body ended normally
    kError,  // reading failed (client gone, malformed chunking, timeout, shutdown); `error` says
  };
  Kind kind = Kind::kData;
  std::string data;
  std::string error;
};

class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Asks for the next piece of the body. At most one Read may be outstanding; the socket is read
  // only while one is (that is the backpressure). After kEnd or kError every Read answers the same.
  virtual void Read(std::function<void(BodyChunk)> on_chunk) = 0;
};

// Why an exchange ended before its handler finished the response.
enum class StreamEnd {
  kClientGone,  // the connection failed or the client closed it
  kShutdown,    // the server is stopping: finish the response promptly
  kTimeout,     // no progress on a read or write for too long
};

class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  using Headers = std::vector<std::pair<std::string, std::string>>;

  // Sends the status line and headers; the body follows chunk by chunk. Once only.
  virtual void Start(int status, Headers headers) = 0;
  // Queues one chunk (empty data is ignored). `done(ok)` runs once it was written (ok) or can never
  // be (the exchange ended); use it to pace large writes. Before Start: ignored, done(false).
  virtual void Write(std::string data, std::function<void(bool ok)> done = nullptr) = 0;
  // Ends the chunked body after the queued chunks. Idempotent.
  virtual void Finish() = 0;
  // Instead of Start/Write/Finish: one complete, non-chunked answer (errors before streaming).
  virtual void Respond(HttpResponse response) = 0;
  // Runs once if the exchange ends before Finish/Respond completed it, and when the server begins
  // shutting down (kShutdown: the handler should Finish soon; the drain deadline cuts it later).
  // Set it early; if the exchange already ended it runs at once.
  virtual void OnEnd(std::function<void(StreamEnd)> on_end) = 0;
  // Bytes queued and not yet written.
  virtual size_t queued_bytes() const = 0;
};

using StreamingHandler = std::function<void(HttpRequest head, std::shared_ptr<BodyReader> body,
                                            std::shared_ptr<ResponseWriter> writer)>;

}  // namespace sluice::web

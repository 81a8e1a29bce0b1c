// SPDX-License-Identifier: Apache-2.0
// PutMediaSession: one KVS PutMedia request body, transport-free. Bytes go in (any chunking);
// fragments go to the stream's shard (one engine entry per MKV Cluster), rows to the fragment
// index, and KVS acks come out through a sink, one JSON object per line, in fragment order:
//   BUFFERING (first block of a fragment), RECEIVED (whole fragment), PERSISTED (durable; carries
//   the FragmentNumber), ERROR (ErrorId/ErrorCode), IDLE (keep-alive while no bytes arrive).
// The web handler owns the HTTP side: resolve the stream, Open() (NotFound -> 404), answer 200,
// Feed() body chunks, Finish() at the end of the body, and end the response when on_drained runs.
// Example:
//   ASSIGN_OR_RETURN(auto session, PutMediaSession::Open(store, index, {.stream = "cam1"},
//       [&](const Ack& a) { Write(a.ToJson() + "\n"); }, [&] { EndResponse(); }));
//   session->Feed(chunk); ... session->Finish();
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/ids.h"
#include "base/result.h"
#include "engine/stream_store.h"
#include "index/fragment_index.h"
#include "media/mkv_fragmenter.h"

namespace sluice::ingest {

// PutMedia ack ErrorIds (kinesis-wire.md B3). The fragmenter's own ids (4001, 4002, 4004, 4006,
// 4009, 4010, 4012) pass through unchanged.
enum class AckErrorId : int {
  kStreamReadError = 4000,
  kMaxConnectionDurationReached = 4003,
  kInvalidProducerTimestamp = 4007,
  kStreamNotActive = 4008,
  kInternalError = 5000,
  kArchivalError = 5001,
};
std::string_view AckErrorCodeName(int error_id);  // "STREAM_NOT_ACTIVE", ...

struct Ack {
  enum class Type { kBuffering, kReceived, kPersisted, kError, kIdle };
  Type type = Type::kBuffering;
  std::optional<uint64_t> fragment_timecode;  // the cluster timecode as sent
  std::string fragment_number;                // empty: omitted (only PERSISTED carries one)
  int error_id = 0;                           // ERROR only
  std::string error_code;                     // ERROR only
  // One line of JSON, without the newline, field order as AWS sends it:
  // {"EventType":"PERSISTED","FragmentTimecode":1597730826769,"FragmentNumber":"9134..."}
  std::string ToJson() const;
};

// Called with each ack, never concurrently and in order; from the Feed()/Finish() caller's thread
// or an engine thread. Must be cheap and must not call back into the session.
using AckSink = std::function<void(const Ack&)>;

struct PutMediaOptions {
  std::string stream;  // the engine stream name (VideoStreams::ResolveName)
  media::TimecodeType timecode_type = media::TimecodeType::kAbsolute;
  TimestampMs producer_start;                 // x-amzn-producer-start-timestamp; used for RELATIVE
  Clock* clock = nullptr;                     // null: SystemClock(). Not owned.
  uint64_t max_fragment_bytes = 50ull << 20;  // 4001 above this
  int64_t max_fragment_duration_ms = 10'000;  // 4002 above this
  int64_t idle_timeout_ms = 30'000;           // Idle() says "close" after this long without bytes
};

class PutMediaSession {
 public:
  // NotFound if the stream does not exist or is not a video stream (the handler answers 404
  // before any ack). A stream that exists but is not ACTIVE gives a session whose first ack is
  // ERROR 4008. `store` and `index` must outlive the session; on_drained may be empty.
  static Result<std::unique_ptr<PutMediaSession>> Open(engine::StreamStore* store,
                                                       index::FragmentIndex* index,
                                                       PutMediaOptions options, AckSink sink,
                                                       std::function<void()> on_drained);
  // Stops acks: no sink call starts after the destructor returns. Appends in flight still
  // complete and are indexed.
  ~PutMediaSession();
  PutMediaSession(const PutMediaSession&) = delete;
  PutMediaSession& operator=(const PutMediaSession&) = delete;

  // Body bytes as they arrive. Ignored once the session has ended.
  void Feed(std::string_view bytes);
  // End of body: closes the last fragment. on_drained runs once every fragment appended so far
  // has its PERSISTED or ERROR ack.
  void Finish();
  // A transport-level failure the session should report and end with (e.g. 4000 when reading the
  // body failed, 4003 when the connection lived too long). Drains like Finish().
  void Fail(AckErrorId id, std::string_view message);
  // Called periodically while no bytes arrive: sends an IDLE ack. Returns false once no byte has
  // arrived for idle_timeout_ms (the handler then closes the request).
  bool Idle();

  // True after Finish()/Fail() or an error that ends the session (4008, 5000, 5001).
  bool ended() const;
  // Fragments appended and not yet durable: the handler may stop reading the body above a bound.
  size_t fragments_in_flight() const;

 private:
  struct State;
  class Listener;
  explicit PutMediaSession(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;  // shared with engine callbacks that outlive a call
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<media::MkvFragmenter> fragmenter_;
};

}  // namespace sluice::ingest

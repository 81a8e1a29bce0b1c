// SPDX-License-Identifier: Apache-2.0
// POST /putMedia: header validation, the per-request PutMediaExchange that pumps body chunks
// into an ingest::PutMediaSession and streams its acks back, and the ticker that sends IDLE acks
// and resumes body reads paused for backpressure.

#include "web/http/put_media_route.h"

#include <atomic>

#include "base/log.h"
#include "ingest/put_media_session.h"
#include "web/http/kvs_media_util.h"
#include "web/http/request_ids.h"

namespace sluice::web {

using ingest::PutMediaSession;

// One PutMedia request. Body chunks arrive on the connection's strand, the ticker calls Tick()
// from its thread; mu_ serialises every call into the session (its Feed/Finish/Fail/Idle must
// not run concurrently). Acks go straight to the writer, which posts them onto the strand.
class PutMediaExchange : public std::enable_shared_from_this<PutMediaExchange> {
 public:
  PutMediaExchange(PutMediaRoute* route, std::string stream, std::shared_ptr<BodyReader> body,
                   std::shared_ptr<ResponseWriter> writer)
      : route_(route), stream_(std::move(stream)), body_(std::move(body)),
        writer_(std::move(writer)) {}

  Status Open(ingest::PutMediaOptions options) {
    options.clock = Now();
    options.idle_timeout_ms = route_->options_.idle_timeout_ms;
    // The callbacks hold no reference to this exchange: the session (owned here) may call them
    // from an engine thread after the exchange began to go away.
    auto writer = writer_;
    auto released = released_;
    PutMediaRoute* route = route_;
    ASSIGN_OR_RETURN(
        auto session,
        PutMediaSession::Open(
            route_->options_.store, route_->options_.index, std::move(options),
            [writer](const ingest::Ack& ack) { writer->Write(ack.ToJson() + "\n"); },
            [writer, released, route, stream = stream_, key = this] {
              writer->Finish();
              if (!released->exchange(true)) route->Release(stream, key);
            }));
    std::lock_guard lock(mu_);
    session_ = std::move(session);
    last_activity_ms_ = NowMs();
    return OkStatus();
  }

  ~PutMediaExchange() {
    if (!released_->exchange(true)) route_->Release(stream_, this);
  }

  void ReadNext() {
    {
      std::lock_guard lock(mu_);
      if (finishing_ || reading_) return;
      reading_ = true;
      paused_ = false;
    }
    body_->Read([self = shared_from_this()](BodyChunk chunk) { self->OnChunk(std::move(chunk)); });
  }

  // The ticker: resume reads paused for backpressure, IDLE acks while the body is silent.
  void Tick() {
    bool resume = false;
    {
      std::lock_guard lock(mu_);
      if (finishing_ || !session_) return;
      if (paused_) {
        resume = session_->fragments_in_flight() <= route_->options_.max_fragments_in_flight;
        last_activity_ms_ = NowMs();  // waiting on the store is not the producer's silence
      } else {
        const int64_t now = NowMs();
        const int64_t interval = route_->options_.idle_ack_interval.count();
        if (now - last_activity_ms_ >= interval && now - last_idle_ms_ >= interval) {
          last_idle_ms_ = now;
          if (!session_->Idle()) {
            LOG_INFO("kvs", "PutMedia idle timeout", {{"stream", stream_}});
            finishing_ = true;
            session_->Finish();  // drains, then ends the response
          }
        }
      }
    }
    if (resume) ReadNext();
  }

  void OnEnd(StreamEnd why) {
    std::lock_guard lock(mu_);
    if (why == StreamEnd::kShutdown) {
      // Close the fragment in progress and end the response once the acks are out.
      if (!finishing_ && session_) session_->Finish();
      finishing_ = true;
      return;
    }
    // The client is gone: no more acks (appends in flight still complete and are indexed).
    finishing_ = true;
    session_.reset();
    if (!released_->exchange(true)) route_->Release(stream_, this);
  }

 private:
  void OnChunk(BodyChunk chunk) {
    bool more = false;
    {
      std::lock_guard lock(mu_);
      reading_ = false;
      if (finishing_ || !session_) return;
      switch (chunk.kind) {
        case BodyChunk::Kind::kData:
          session_->Feed(chunk.data);
          last_activity_ms_ = NowMs();
          if (session_->ended()) {
            finishing_ = true;
            session_->Finish();
          } else if (session_->fragments_in_flight() > route_->options_.max_fragments_in_flight) {
            paused_ = true;  // the ticker resumes once the store caught up
          } else {
            more = true;
          }
          break;
        case BodyChunk::Kind::kEnd:
          finishing_ = true;
          session_->Finish();
          break;
        case BodyChunk::Kind::kError:
          finishing_ = true;
          session_->Fail(ingest::AckErrorId::kStreamReadError, chunk.error);
          break;
      }
    }
    if (more) ReadNext();
  }

  Clock* Now() const {
    return route_->options_.clock != nullptr ? route_->options_.clock : SystemClock();
  }
  int64_t NowMs() const { return Now()->Now().value(); }

  PutMediaRoute* const route_;
  const std::string stream_;
  const std::shared_ptr<BodyReader> body_;
  const std::shared_ptr<ResponseWriter> writer_;
  const std::shared_ptr<std::atomic<bool>> released_ = std::make_shared<std::atomic<bool>>(false);

  std::mutex mu_;
  std::unique_ptr<PutMediaSession> session_ GUARDED_BY(mu_);
  bool reading_ GUARDED_BY(mu_) = false;    // a body Read is outstanding
  bool paused_ GUARDED_BY(mu_) = false;     // reads wait for fragments to become durable
  bool finishing_ GUARDED_BY(mu_) = false;  // Finish/Fail called or the client is gone
  int64_t last_activity_ms_ GUARDED_BY(mu_) = 0;
  int64_t last_idle_ms_ GUARDED_BY(mu_) = 0;
};

namespace {

Result<media::TimecodeType> TimecodeTypeOf(std::string_view text) {
  if (text == "ABSOLUTE") return media::TimecodeType::kAbsolute;
  if (text == "RELATIVE") return media::TimecodeType::kRelative;
  return InvalidArgumentError("x-amzn-fragment-timecode-type must be ABSOLUTE or RELATIVE, not '" +
                              std::string(text) + "'");
}

}  // namespace

PutMediaRoute::PutMediaRoute(Options options)
    : options_(std::move(options)), ticker_([this] { TickerLoop(); }) {}

PutMediaRoute::~PutMediaRoute() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  ticker_.join();
}

size_t PutMediaRoute::active() const {
  std::lock_guard lock(mu_);
  return exchanges_.size();
}

void PutMediaRoute::Release(const std::string& stream, PutMediaExchange* exchange) {
  std::lock_guard lock(mu_);
  exchanges_.erase(exchange);
  auto it = per_stream_.find(stream);
  if (it != per_stream_.end() && --it->second == 0) per_stream_.erase(it);
}

void PutMediaRoute::TickerLoop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(200));
    if (stop_) break;
    std::vector<std::shared_ptr<PutMediaExchange>> live;
    for (const auto& [key, weak] : exchanges_) {
      if (auto e = weak.lock()) live.push_back(std::move(e));
    }
    lock.unlock();
    for (const auto& e : live) e->Tick();
    live.clear();  // an exchange may be destroyed here; it takes mu_ to release itself
    lock.lock();
  }
}

void PutMediaRoute::Handle(HttpRequest head, std::shared_ptr<BodyReader> body,
                           std::shared_ptr<ResponseWriter> writer) {
  const auto reject = [&](int status, std::string_view type, std::string_view message) {
    writer->Respond(KvsErrorResponse(status, type, message));
  };
  ingest::VideoStreamRef ref{std::string(head.Header("x-amzn-stream-name")),
                             std::string(head.Header("x-amzn-stream-arn"))};
  if (ref.name.empty() == ref.arn.empty()) {
    return reject(400, "InvalidArgumentException",
                  "exactly one of x-amzn-stream-name and x-amzn-stream-arn is required");
  }
  auto timecode_type = TimecodeTypeOf(head.Header("x-amzn-fragment-timecode-type"));
  if (!timecode_type.ok()) {
    return reject(400, "InvalidArgumentException", timecode_type.status().message());
  }
  auto start = ParseProducerStartTimestamp(head.Header("x-amzn-producer-start-timestamp"));
  if (!start.ok()) return reject(400, "InvalidArgumentException", start.status().message());
  auto stream = options_.streams->ResolveName(ref);
  if (!stream.ok()) return writer->Respond(KvsErrorResponse(stream.status()));
  {
    std::lock_guard lock(mu_);
    size_t& count = per_stream_[*stream];
    if (options_.max_connections_per_stream != 0 && count >= options_.max_connections_per_stream) {
      if (count == 0) per_stream_.erase(*stream);
      return reject(400, "ConnectionLimitExceededException",
                    "stream " + *stream + " already has an active PutMedia connection");
    }
    ++count;
  }
  auto exchange = std::make_shared<PutMediaExchange>(this, *stream, std::move(body), writer);
  const Status opened = exchange->Open(
      {.stream = *stream, .timecode_type = *timecode_type, .producer_start = *start});
  if (!opened.ok()) return writer->Respond(KvsErrorResponse(opened));  // releases on destruction
  {
    std::lock_guard lock(mu_);
    exchanges_[exchange.get()] = exchange;
  }
  const std::string request_id = NewRequestId();
  writer->Start(200, {{"Content-Type", "application/json"},
                      {"x-amzn-RequestId", request_id},
                      {"x-amz-RequestId", request_id}});
  writer->OnEnd([exchange](StreamEnd why) { exchange->OnEnd(why); });
  exchange->ReadNext();
}

}  // namespace sluice::web

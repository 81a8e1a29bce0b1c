// SPDX-License-Identifier: Apache-2.0
// PutMediaSession: drives the MKV fragmenter, interns track headers, appends fragments, indexes
// them once durable and emits the acks in fragment order. Threads: Feed/Finish/Fail/Idle run on
// the transport's thread; append completions arrive on engine threads. One mutex (State::mu)
// serialises ack emission and the in-flight queue; the sink is called under it.
#include "ingest/put_media_session.h"

#include <atomic>
#include <deque>
#include <mutex>

#include "base/log.h"
#include "base/metrics.h"
#include "base/thread_annotations.h"
#include "ingest/format.h"
#include "ingest/video_record.h"
#include "media/stored_format.h"

namespace sluice::ingest {
namespace {

const char* AckTypeName(Ack::Type t) {
  switch (t) {
    case Ack::Type::kBuffering:
      return "BUFFERING";
    case Ack::Type::kReceived:
      return "RECEIVED";
    case Ack::Type::kPersisted:
      return "PERSISTED";
    case Ack::Type::kError:
      return "ERROR";
    case Ack::Type::kIdle:
      return "IDLE";
  }
  return "ERROR";
}

Ack ErrorAck(int id, std::optional<uint64_t> timecode) {
  Ack a;
  a.type = Ack::Type::kError;
  a.fragment_timecode = timecode;
  a.error_id = id;
  a.error_code = std::string(AckErrorCodeName(id));
  return a;
}

}  // namespace

std::string_view AckErrorCodeName(int id) {
  switch (id) {
    case 4000:
      return "STREAM_READ_ERROR";
    case 4001:
      return "MAX_FRAGMENT_SIZE_REACHED";
    case 4002:
      return "MAX_FRAGMENT_DURATION_REACHED";
    case 4003:
      return "MAX_CONNECTION_DURATION_REACHED";
    case 4004:
      return "FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS";
    case 4005:
      return "MORE_THAN_ONE_TRACK_FOUND";
    case 4006:
      return "INVALID_MKV_DATA";
    case 4007:
      return "INVALID_PRODUCER_TIMESTAMP";
    case 4008:
      return "STREAM_NOT_ACTIVE";
    case 4009:
      return "FRAGMENT_METADATA_LIMIT_REACHED";
    case 4010:
      return "TRACK_NUMBER_MISMATCH";
    case 4011:
      return "FRAMES_MISSING_FOR_TRACK";
    case 4012:
      return "MORE_THAN_ALLOWED_TRACKS_FOUND";
    case 5000:
      return "INTERNAL_ERROR";
    case 5001:
      return "ARCHIVAL_ERROR";
    default:
      return "INTERNAL_ERROR";
  }
}

std::string Ack::ToJson() const {
  std::string out = "{\"EventType\":\"";
  out += AckTypeName(type);
  out += '"';
  if (fragment_timecode) out += ",\"FragmentTimecode\":" + std::to_string(*fragment_timecode);
  if (!fragment_number.empty()) out += ",\"FragmentNumber\":\"" + fragment_number + '"';
  if (type == Type::kError) {
    out += ",\"ErrorCode\":\"" + error_code + "\",\"ErrorId\":" + std::to_string(error_id);
  }
  out += '}';
  return out;
}

// Everything engine callbacks may touch; shared so that it outlives the session if needed.
struct PutMediaSession::State : std::enable_shared_from_this<PutMediaSession::State> {
  // Constant after Open.
  engine::StreamStore* store = nullptr;
  index::FragmentIndex* index = nullptr;
  PutMediaOptions options;
  Clock* clock = nullptr;
  StreamId stream_id;
  ShardIndex shard{0};
  bool persisted_acks = true;  // false for retention 0: RECEIVED only, as KVS does
  bool stream_active = true;
  Counter* fragments_in = nullptr;
  Counter* bytes_in = nullptr;
  Counter* ack_errors = nullptr;

  // Transport thread only.
  uint64_t header_version = 0;  // stream-wide version of the current header
  TimestampMs feed_time;        // when the chunk being fed arrived
  TimestampMs fragment_server_time;
  TimestampMs last_byte;

  struct InFlight {
    uint64_t id = 0;
    bool done = false;       // the append completed (or this is a closing error)
    std::optional<Ack> ack;  // what to send then; none for a silent completion (retention 0)
  };
  std::mutex mu;
  AckSink sink GUARDED_BY(mu);
  std::function<void()> on_drained GUARDED_BY(mu);
  std::deque<InFlight> in_flight GUARDED_BY(mu);
  uint64_t next_id GUARDED_BY(mu) = 0;
  bool finishing GUARDED_BY(mu) = false;
  std::atomic<bool> ended{false};

  void Emit(const Ack& a) REQUIRES(mu) {
    if (a.type == Ack::Type::kError) ack_errors->Add();
    if (sink) sink(a);
  }
  void EmitLocked(const Ack& a) {
    std::lock_guard<std::mutex> l(mu);
    Emit(a);
  }
  // Emits every completed append at the front of the queue, in order; returns on_drained when
  // the session is finishing and nothing is left in flight (the caller runs it without mu).
  std::function<void()> DrainFront() REQUIRES(mu) {
    while (!in_flight.empty() && in_flight.front().done) {
      if (in_flight.front().ack) Emit(*in_flight.front().ack);
      in_flight.pop_front();
    }
    if (finishing && in_flight.empty() && on_drained) return std::exchange(on_drained, nullptr);
    return nullptr;
  }
  // Ends the session with an ERROR ack (after the acks of appends already in flight).
  void End(int error_id, std::optional<uint64_t> timecode, std::string_view why) {
    LOG_WARN("ingest", "PutMedia session ended",
             {{"stream", options.stream}, {"error_id", error_id}, {"reason", why}});
    std::function<void()> drained;
    {
      std::lock_guard<std::mutex> l(mu);
      if (ended.exchange(true)) return;
      in_flight.push_back({next_id++, true, ErrorAck(error_id, timecode)});
      finishing = true;
      drained = DrainFront();
    }
    if (drained) drained();
  }
  void Append(media::Fragment f);
  void Completed(uint64_t id, uint64_t timecode, engine::PutResults results,
                 const VideoRecordMeta& meta, uint64_t bytes);
};

void PutMediaSession::State::Append(media::Fragment f) {
  f.header_version = header_version;
  VideoRecordMeta meta{fragment_server_time, media::FragmentMeta::Of(f)};
  const uint64_t timecode = f.cluster_timecode;
  const uint64_t bytes = f.cluster.size();
  engine::RecordInput record;
  record.partition_key = std::string(format::kFragmentPartitionKey);
  record.meta = EncodeVideoRecordMeta(meta);
  record.data = std::move(f.cluster);
  uint64_t id;
  {
    std::lock_guard<std::mutex> l(mu);
    id = next_id++;
    in_flight.push_back({id, false, std::nullopt});
  }
  std::vector<engine::RecordInput> records;
  records.push_back(std::move(record));
  // `self` keeps the state alive until the engine calls back, even if the session is gone.
  std::shared_ptr<State> self = shared_from_this();
  store->PutToShard(options.stream, shard, std::move(records),
                    [self, id, timecode, meta, bytes](engine::PutResults r) {
                      self->Completed(id, timecode, std::move(r), meta, bytes);
                    });
}

void PutMediaSession::State::Completed(uint64_t id, uint64_t timecode, engine::PutResults results,
                                       const VideoRecordMeta& meta, uint64_t bytes) {
  const Result<engine::Appended>& r = results[0];
  std::optional<Ack> ack;
  if (r.ok()) {
    fragments_in->Add();
    bytes_in->Add(bytes);
    Status s = index->Insert(
        {FragmentRowOf(stream_id, shard, r->counter, r->sequence_number, bytes, meta)});
    if (!s.ok()) {
      // The fragment is durable; the next repair scan indexes it.
      LOG_WARN("ingest", "fragment index insert failed",
               {{"stream", options.stream}, {"error", s.ToString()}});
    }
    if (persisted_acks) {  // without retention KVS sends no PERSISTED
      ack.emplace();
      ack->type = Ack::Type::kPersisted;
      ack->fragment_timecode = timecode;
      ack->fragment_number = r->sequence_number;
    }
  } else {
    const bool gone = r.status().code() == StatusCode::kNotFound;
    ack = ErrorAck(gone ? static_cast<int>(AckErrorId::kStreamNotActive)
                        : static_cast<int>(AckErrorId::kArchivalError),
                   timecode);
    LOG_WARN("ingest", "fragment append failed",
             {{"stream", options.stream}, {"error", r.status().ToString()}});
    ended.store(true);  // later fragments would fail the same way
  }
  std::function<void()> drained;
  {
    std::lock_guard<std::mutex> l(mu);
    if (!r.ok()) finishing = true;
    for (InFlight& f : in_flight) {
      if (f.id != id) continue;
      f.done = true;
      f.ack = std::move(ack);
      break;
    }
    drained = DrainFront();
  }
  if (drained) drained();
}

// Receives the fragmenter's events on the transport thread.
class PutMediaSession::Listener : public media::FragmenterListener {
 public:
  explicit Listener(State* state) : s_(state) {}

  void OnHeaderChanged(const media::TrackHeader& header) override {
    // Stored without the session-local version so that identical headers share one version.
    media::TrackHeader canonical = header;
    canonical.version = 0;
    Result<uint64_t> v = s_->index->InternHeader(s_->stream_id, EncodeTrackHeader(canonical));
    if (!v.ok()) {
      s_->End(static_cast<int>(AckErrorId::kInternalError), std::nullopt,
              "storing the track header failed: " + v.status().ToString());
      return;
    }
    s_->header_version = *v;
  }
  void OnFragmentStarted(const media::FragmentStart& start) override {
    if (s_->ended.load()) return;
    s_->fragment_server_time = s_->feed_time;
    Ack a;
    a.type = Ack::Type::kBuffering;
    a.fragment_timecode = start.cluster_timecode;
    s_->EmitLocked(a);
  }
  void OnFragmentComplete(media::Fragment f) override {
    if (s_->ended.load()) return;
    if (f.producer_timestamp.value() < 0) {
      s_->EmitLocked(
          ErrorAck(static_cast<int>(AckErrorId::kInvalidProducerTimestamp), f.cluster_timecode));
      return;
    }
    Ack a;
    a.type = Ack::Type::kReceived;
    a.fragment_timecode = f.cluster_timecode;
    s_->EmitLocked(a);
    s_->Append(std::move(f));
  }
  void OnError(const media::MkvError& e) override {
    if (s_->ended.load()) return;
    s_->EmitLocked(ErrorAck(static_cast<int>(e.id), e.fragment_timecode));
  }

 private:
  State* const s_;
};

Result<std::unique_ptr<PutMediaSession>> PutMediaSession::Open(engine::StreamStore* store,
                                                               index::FragmentIndex* index,
                                                               PutMediaOptions options,
                                                               AckSink sink,
                                                               std::function<void()> on_drained) {
  ASSIGN_OR_RETURN(engine::StreamInfo info, store->DescribeStream(options.stream));
  if (info.kind != engine::StreamKind::kVideo) {
    return NotFoundError("stream " + options.stream + " is not a video stream");
  }
  auto state = std::make_shared<State>();
  state->store = store;
  state->index = index;
  state->clock = options.clock != nullptr ? options.clock : SystemClock();
  state->options = std::move(options);
  state->stream_id = info.id;
  state->persisted_acks = info.retention_hours > 0;
  state->stream_active = info.status == engine::StreamStatus::kActive;
  const MetricLabels labels = {{"stream", info.name}};
  Metrics& m = Metrics::Global();
  state->fragments_in =
      m.GetCounter("sluice_video_fragments_in_total", "Video fragments persisted", labels);
  state->bytes_in =
      m.GetCounter("sluice_video_bytes_in_total", "Video cluster bytes persisted", labels);
  state->ack_errors =
      m.GetCounter("sluice_video_ack_errors_total", "PutMedia ERROR acks sent", labels);
  state->last_byte = state->clock->Now();
  {
    std::lock_guard<std::mutex> l(state->mu);
    state->sink = std::move(sink);
    state->on_drained = std::move(on_drained);
  }
  std::unique_ptr<PutMediaSession> session(new PutMediaSession(std::move(state)));
  return session;
}

PutMediaSession::PutMediaSession(std::shared_ptr<State> state) : state_(std::move(state)) {
  listener_ = std::make_unique<Listener>(state_.get());
  media::FragmenterOptions f;
  f.timecode_type = state_->options.timecode_type;
  f.producer_start = state_->options.producer_start;
  f.max_fragment_bytes = state_->options.max_fragment_bytes;
  f.max_fragment_duration_ms = state_->options.max_fragment_duration_ms;
  fragmenter_ = std::make_unique<media::MkvFragmenter>(listener_.get(), f);
}

PutMediaSession::~PutMediaSession() {
  std::lock_guard<std::mutex> l(state_->mu);
  state_->sink = nullptr;
  state_->on_drained = nullptr;
}

void PutMediaSession::Feed(std::string_view bytes) {
  if (state_->ended.load() || bytes.empty()) return;
  if (!state_->stream_active) {
    return state_->End(static_cast<int>(AckErrorId::kStreamNotActive), std::nullopt,
                       "stream is not ACTIVE");
  }
  state_->feed_time = state_->clock->Now();
  state_->last_byte = state_->feed_time;
  fragmenter_->Feed(bytes);
}

void PutMediaSession::Finish() {
  if (!state_->ended.load()) fragmenter_->Finish();
  std::function<void()> drained;
  {
    std::lock_guard<std::mutex> l(state_->mu);
    state_->ended.store(true);
    state_->finishing = true;
    drained = state_->DrainFront();
  }
  if (drained) drained();
}

void PutMediaSession::Fail(AckErrorId id, std::string_view message) {
  state_->End(static_cast<int>(id), std::nullopt, message);
  Finish();
}

bool PutMediaSession::Idle() {
  if (state_->ended.load()) return false;
  Ack a;
  a.type = Ack::Type::kIdle;
  state_->EmitLocked(a);
  return (state_->clock->Now().value() - state_->last_byte.value()) <
         state_->options.idle_timeout_ms;
}

bool PutMediaSession::ended() const { return state_->ended.load(); }

size_t PutMediaSession::fragments_in_flight() const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->in_flight.size();
}

}  // namespace sluice::ingest

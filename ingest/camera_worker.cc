// SPDX-License-Identifier: Apache-2.0
// CameraWorker: connect, ingest, detect the end of a connection, back off, reconnect.

#include "ingest/camera_worker.h"

#include <algorithm>
#include <chrono>

#include "base/log.h"
#include "ingest/put_media_session.h"
#include "ingest/video_streams.h"

namespace sluice::ingest {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(100);
constexpr auto kDrainTimeout = std::chrono::seconds(5);

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

}  // namespace

// What the pipeline and session callbacks report about one connection. Shared with them because
// the session's engine callbacks may run after the connection object is gone.
struct CameraWorker::Connection {
  std::mutex mu;
  int64_t last_bytes_ms = 0;  // steady clock
  bool got_bytes = false;
  bool ended = false;  // the pipeline reported an error or end-of-stream
  std::string end_error;
  bool drained = false;
  bool persisted = false;
};

Status EnsureVideoStream(engine::StreamStore* store, index::FragmentIndex* index,
                         const std::string& name, int data_retention_hours) {
  VideoStreams streams(store, index);
  if (streams.Describe({.name = name}).ok()) return OkStatus();
  auto created = streams.Create(
      {.name = name, .media_type = "video/h264", .data_retention_hours = data_retention_hours});
  if (!created.ok() && created.status().code() != StatusCode::kAlreadyExists) {
    return created.status();
  }
  return OkStatus();
}

CameraWorker::CameraWorker(engine::StreamStore* store, index::FragmentIndex* index,
                           CameraWorkerOptions options)
    : store_(store),
      index_(index),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : SystemClock()) {
  status_.config = options_.config;
}

CameraWorker::~CameraWorker() { Stop(); }

void CameraWorker::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Run(); });
}

void CameraWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

CameraStatus CameraWorker::status() {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void CameraWorker::Fail(const std::string& error) {
  LOG_INFO("ingest", "camera connection ended",
           {{"camera", options_.config.name}, {"error", error}});
  std::lock_guard<std::mutex> lock(mu_);
  status_.last_error = error;
  status_.connected = false;
}

bool CameraWorker::Sleep(int64_t ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stop_; });
  return !stop_;
}

void CameraWorker::Run() {
  int64_t backoff = options_.initial_backoff_ms;
  for (bool first = true;; first = false) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      if (!first) ++status_.reconnects;
    }
    const bool persisted = RunConnection();
    if (persisted) backoff = options_.initial_backoff_ms;
    if (!Sleep(backoff)) return;
    backoff = std::min(backoff * 2, options_.max_backoff_ms);
  }
}

std::string CameraWorker::WaitForEnd(Connection* conn, PutMediaSession* session) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, kPollInterval);
    std::lock_guard<std::mutex> l(conn->mu);
    if (conn->ended) return conn->end_error;
    if (SteadyMs() - conn->last_bytes_ms > options_.stall_timeout_ms) {
      return (conn->got_bytes ? "no data for " : "no data within ") +
             std::to_string(options_.stall_timeout_ms) + " ms";
    }
    if (session->ended()) {
      return status_.last_error.empty() ? "ingest session ended" : status_.last_error;
    }
  }
  return "";
}

void CameraWorker::OnAck(Connection* conn, const Ack& ack) {
  if (ack.type == Ack::Type::kPersisted) {
    {
      std::lock_guard<std::mutex> l(conn->mu);
      conn->persisted = true;
    }
    std::lock_guard<std::mutex> lock(mu_);
    status_.last_fragment = clock_->Now();
    ++status_.fragments;
  } else if (ack.type == Ack::Type::kError) {
    std::lock_guard<std::mutex> lock(mu_);
    status_.last_error = "ingest error " + std::to_string(ack.error_id) + " " + ack.error_code;
  }
}

Result<std::unique_ptr<media::GstMkvPipeline>> CameraWorker::StartPipeline(
    const std::shared_ptr<Connection>& conn, PutMediaSession* session) {
  auto on_bytes = [this, conn, session](std::string_view bytes) {
    session->Feed(bytes);
    bool first = false;
    {
      std::lock_guard<std::mutex> l(conn->mu);
      conn->last_bytes_ms = SteadyMs();
      first = !conn->got_bytes;
      conn->got_bytes = true;
    }
    if (first) {
      std::lock_guard<std::mutex> lock(mu_);
      status_.connected = true;
    }
  };
  auto on_end = [this, conn](const Status& end) {
    {
      std::lock_guard<std::mutex> l(conn->mu);
      conn->ended = true;
      conn->end_error = end.ok() ? "the source ended" : std::string(end.message());
    }
    cv_.notify_all();
  };
  if (options_.test_source) {
    return media::GstMkvPipeline::StartTestSource(options_.test, on_bytes, on_end);
  }
  return media::GstMkvPipeline::StartRtspPull({.url = options_.config.url,
                                               .transport = options_.config.transport,
                                               .latency_ms = options_.latency_ms},
                                              on_bytes, on_end);
}

bool CameraWorker::RunConnection() {
  const std::string& stream = options_.config.stream_name;
  auto conn = std::make_shared<Connection>();
  auto session = PutMediaSession::Open(
      store_, index_,
      {.stream = stream,
       .timecode_type = media::TimecodeType::kRelative,
       .producer_start = clock_->Now(),
       .clock = options_.clock},
      [this, conn](const Ack& ack) { OnAck(conn.get(), ack); },
      [conn] {
        std::lock_guard<std::mutex> l(conn->mu);
        conn->drained = true;
      });
  if (!session.ok()) {
    Fail("cannot ingest into video stream " + stream + ": " +
         std::string(session.status().message()));
    return false;
  }
  PutMediaSession* s = session->get();
  conn->last_bytes_ms = SteadyMs();
  auto pipeline = StartPipeline(conn, s);
  if (!pipeline.ok()) {
    Fail(std::string(pipeline.status().message()));
    return false;
  }
  const std::string error = WaitForEnd(conn.get(), s);
  (*pipeline)->Stop();  // no more on_bytes after this
  s->Finish();
  const auto deadline = SteadyClock::now() + kDrainTimeout;
  while (SteadyClock::now() < deadline) {
    {
      std::lock_guard<std::mutex> l(conn->mu);
      if (conn->drained) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  session->reset();
  if (!error.empty()) {
    Fail(error);
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    status_.connected = false;
  }
  std::lock_guard<std::mutex> l(conn->mu);
  return conn->persisted;
}

}  // namespace sluice::ingest

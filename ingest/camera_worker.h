// SPDX-License-Identifier: Apache-2.0
// CameraWorker: the pull loop of one camera (or of the demo test source). One thread per worker:
// connect (start a media::GstMkvPipeline), feed its MKV bytes into a new PutMediaSession per
// connection (RELATIVE timecodes from the connection's start time, so every reconnect is a fresh
// producer session and the fragmenter sees a new EBML header), watch for an error, end-of-stream
// or a stall, then wait a capped exponential backoff and connect again. Status is kept in memory.
// Lifecycle: construct -> Start() -> status()* -> Stop() (bounded; also in the destructor).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/clock.h"
#include "engine/stream_store.h"
#include "index/fragment_index.h"
#include "ingest/camera_manager.h"
#include "media/gst_pipeline.h"

namespace sluice::ingest {

class PutMediaSession;
struct Ack;

struct CameraWorkerOptions {
  CameraConfig config;            // name, url, stream_name (resolved), transport; for status
  bool test_source = false;       // true: media::TestSourceOptions instead of RTSP
  media::TestSourceOptions test;  // when test_source
  int latency_ms = 200;           // rtspsrc jitter buffer
  int64_t initial_backoff_ms = 500;
  int64_t max_backoff_ms = 15'000;
  int64_t stall_timeout_ms = 10'000;
  Clock* clock = nullptr;  // null: SystemClock(); not owned
};

// Creates the video stream `name` unless it exists.
Status EnsureVideoStream(engine::StreamStore* store, index::FragmentIndex* index,
                         const std::string& name, int data_retention_hours);

class CameraWorker {
 public:
  // `store` and `index` must outlive the worker.
  CameraWorker(engine::StreamStore* store, index::FragmentIndex* index,
               CameraWorkerOptions options);
  ~CameraWorker();  // Stop()
  CameraWorker(const CameraWorker&) = delete;
  CameraWorker& operator=(const CameraWorker&) = delete;

  void Start();
  void Stop();
  CameraStatus status();

 private:
  struct Connection;
  void Run();
  // One connection: returns once it failed, ended or stalled, or Stop() was called. True if it
  // persisted at least one fragment (the backoff then starts over).
  bool RunConnection();
  void OnAck(Connection* conn, const Ack& ack);
  Result<std::unique_ptr<media::GstMkvPipeline>> StartPipeline(
      const std::shared_ptr<Connection>& conn, PutMediaSession* session);
  // Waits until the connection fails, ends or stalls, or the session ends: the reason, or ""
  // when Stop() was called.
  std::string WaitForEnd(Connection* conn, PutMediaSession* session);
  void Fail(const std::string& error);  // records last_error
  // Sleeps up to `ms`; false if Stop() was called.
  bool Sleep(int64_t ms);

  // Constant after construction.
  engine::StreamStore* const store_;
  index::FragmentIndex* const index_;
  const CameraWorkerOptions options_;
  Clock* const clock_;

  std::mutex mu_;
  std::condition_variable cv_;  // Stop(), a connection event
  bool stop_ = false;           // guarded by mu_
  CameraStatus status_;         // guarded by mu_
  std::thread thread_;
};

}  // namespace sluice::ingest

// SPDX-License-Identifier: Apache-2.0
// POST /getMedia and POST /getMediaForFragmentList (Kinesis Video Streams): validate the JSON
// request, answer 404/400 before streaming, then 200 video/webm with one self-contained MKV chunk
// per fragment. GetMedia follows the live tail (ingest::FragmentFollower) until the client goes
// away or the server stops; GetMediaForFragmentList writes the listed fragments (an error chunk
// for an unknown number) and ends. One worker thread reads fragments for every exchange; a chunk
// batch is read only once the previous one was written (backpressure).
// Example:
//   GetMediaRoute media({.streams = &streams, .reader = &reader});
//   media.Register(router.get());
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "base/thread_annotations.h"
#include "ingest/fragment_reader.h"
#include "ingest/video_streams.h"
#include "web/http/router.h"
#include "web/http/streaming.h"

namespace sluice::web {

class MediaJob;  // get_media_route.cc

class GetMediaRoute {
 public:
  struct Options {
    ingest::VideoStreams* streams = nullptr;    // not owned; outlives the route
    ingest::FragmentReader* reader = nullptr;   // not owned; outlives the route
    Clock* clock = nullptr;                     // null: SystemClock()
    std::chrono::milliseconds poll_interval{1000};  // re-check followers without a wake-up
  };

  explicit GetMediaRoute(Options options);
  ~GetMediaRoute();  // stops the worker; exchanges still open get no more chunks
  GetMediaRoute(const GetMediaRoute&) = delete;
  GetMediaRoute& operator=(const GetMediaRoute&) = delete;

  // POST /getMedia and POST /getMediaForFragmentList on `router`. The route must outlive it.
  void Register(Router* router);

  void HandleGetMedia(HttpRequest head, std::shared_ptr<ResponseWriter> writer);
  void HandleFragmentList(HttpRequest head, std::shared_ptr<ResponseWriter> writer);

 private:
  friend class MediaJob;
  // Queues `job` for the worker (no-op if already queued or stopped). Any thread.
  void Schedule(const std::shared_ptr<MediaJob>& job);
  void WorkerLoop();
  void Track(const std::shared_ptr<MediaJob>& job);

  const Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::deque<std::shared_ptr<MediaJob>> queue_ GUARDED_BY(mu_);
  std::map<MediaJob*, std::weak_ptr<MediaJob>> live_ GUARDED_BY(mu_);  // polled periodically
  std::thread worker_;  // last: starts after the state above exists
};

}  // namespace sluice::web

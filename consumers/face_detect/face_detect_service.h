// SPDX-License-Identifier: Apache-2.0
// FaceDetectService: the face-detection consumers that run inside the server, one thread per
// configured video stream (sluice.json "face_detect", face_detect_config.h). Each thread holds
// the stream's consumer lease (lease_checkpoint_store.h), reads through the fragment follower
// and writes to the engine; when anything fails (stream not created yet, lease held elsewhere,
// write error) it waits with backoff (1 s doubling to 30 s) and goes on from its checkpoint.
// Lifecycle: Start() after the store and fragment index are open; Close() (or the destructor)
// before they close: it stops the threads and releases the leases.
// Example (app/serve.cc):
//   ASSIGN_OR_RETURN(auto configs, face_detect::ParseFaceDetectConfig(json_text));
//   ASSIGN_OR_RETURN(auto faces, face_detect::FaceDetectService::Start(
//       store.get(), &reader, leases.get(), {.streams = configs}));
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/thread_annotations.h"
#include "consumers/face_detect/face_detect_consumer.h"
#include "index/consumer_leases.h"
#include "ingest/fragment_reader.h"

namespace sluice::consumers::face_detect {

struct FaceDetectServiceOptions {
  std::vector<FaceDetectOptions> streams;  // one consumer per entry (distinct video streams)
  std::string worker = "sluice-server";    // lease owner id, stable across restarts
  int64_t lease_ms = 30'000;
  Clock* clock = nullptr;  // null: SystemClock()
};

class FaceDetectService {
 public:
  // The pointers must outlive the service (until Close()). InvalidArgument for a bad entry (no
  // stream, a stream named twice, a model that does not load): nothing is started then.
  static Result<std::unique_ptr<FaceDetectService>> Start(engine::StreamStore* store,
                                                          ingest::FragmentReader* reader,
                                                          index::ConsumerLeases* leases,
                                                          FaceDetectServiceOptions options);
  ~FaceDetectService();
  FaceDetectService(const FaceDetectService&) = delete;
  FaceDetectService& operator=(const FaceDetectService&) = delete;

  // Stops every consumer and releases its lease. Idempotent.
  void Close();
  // (video stream, its consumer's figures), in configuration order.
  std::vector<std::pair<std::string, FaceDetectStats>> Stats() const;

 private:
  struct Worker;
  FaceDetectService() = default;
  void RunWorker(Worker* w);
  // Sleeps up to `ms` unless Close() comes first; false when closing.
  bool Pause(int64_t ms);

  std::vector<std::unique_ptr<Worker>> workers_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool closing_ GUARDED_BY(mu_) = false;
};

}  // namespace sluice::consumers::face_detect

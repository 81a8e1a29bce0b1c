// SPDX-License-Identifier: Apache-2.0
// FaceDetectService (face_detect_service.h): per stream, a thread that acquires the lease, runs
// the consumer and retries with backoff.
#include "consumers/face_detect/face_detect_service.h"

#include <algorithm>
#include <set>

#include "base/log.h"
#include "consumers/face_detect/lease_checkpoint_store.h"
#include "consumers/face_detect/local_fragment_source.h"
#include "consumers/face_detect/store_detection_sink.h"

namespace sluice::consumers::face_detect {
namespace {

constexpr const char* kComponent = "face_detect";
constexpr int64_t kFirstBackoffMs = 1000;
constexpr int64_t kMaxBackoffMs = 30'000;

}  // namespace

struct FaceDetectService::Worker {
  std::string stream;
  std::unique_ptr<LocalFragmentSource> source;
  std::unique_ptr<StoreDetectionSink> sink;
  std::unique_ptr<LeaseCheckpointStore> lease;
  std::unique_ptr<FaceDetectConsumer> consumer;
  std::thread thread;
};

Result<std::unique_ptr<FaceDetectService>> FaceDetectService::Start(
    engine::StreamStore* store, ingest::FragmentReader* reader, index::ConsumerLeases* leases,
    FaceDetectServiceOptions options) {
  std::unique_ptr<FaceDetectService> service(new FaceDetectService());
  std::set<std::string> seen;
  for (FaceDetectOptions& o : options.streams) {
    if (o.stream.empty()) return InvalidArgumentError("face_detect: an entry names no stream");
    if (!seen.insert(o.stream).second) {
      return InvalidArgumentError("face_detect: stream " + o.stream + " is configured twice");
    }
    if (o.clock == nullptr) o.clock = options.clock;
    auto w = std::make_unique<Worker>();
    w->stream = o.stream;
    w->source = std::make_unique<LocalFragmentSource>(reader, o.stream);
    w->sink = std::make_unique<StoreDetectionSink>(
        store, o.output_stream.empty() ? DefaultOutputStream(o.stream) : o.output_stream);
    w->lease = std::make_unique<LeaseCheckpointStore>(
        store, reader, leases, o.stream,
        LeaseCheckpointOptions{.worker = options.worker,
                               .lease_ms = options.lease_ms,
                               .start_at_latest = o.initial.type == StartPosition::Type::kNow,
                               .clock = options.clock});
    auto consumer = FaceDetectConsumer::Create(o, w->source.get(), w->sink.get(), w->lease.get());
    if (!consumer.ok()) {
      return InvalidArgumentError("face_detect: stream " + o.stream + ": " +
                                  consumer.status().message());
    }
    w->consumer = std::move(*consumer);
    service->workers_.push_back(std::move(w));
  }
  for (auto& w : service->workers_) {
    Worker* raw = w.get();
    FaceDetectService* self = service.get();
    w->thread = std::thread([self, raw] { self->RunWorker(raw); });
  }
  return service;
}

FaceDetectService::~FaceDetectService() { Close(); }

void FaceDetectService::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) w->consumer->Stop();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

bool FaceDetectService::Pause(int64_t ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return closing_; });
  return !closing_;
}

void FaceDetectService::RunWorker(Worker* w) {
  int64_t backoff = kFirstBackoffMs;
  std::string last_error;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) break;
    }
    Status s = w->lease->held() ? OkStatus() : w->lease->Acquire();
    const uint64_t before = w->consumer->stats().fragments;
    if (s.ok()) {
      LOG_INFO(kComponent, "consumer running",
               {{"stream", w->stream}, {"output", w->consumer->output_stream()}});
      s = w->consumer->Run();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) break;
    }
    if (w->consumer->stats().fragments > before) backoff = kFirstBackoffMs;  // it made progress
    if (s.ToString() != last_error) {  // one line per distinct failure, not one per retry
      LOG_WARN(kComponent, "consumer stopped; retrying",
               {{"stream", w->stream}, {"error", s.ToString()}, {"retry_ms", backoff}});
      last_error = s.ToString();
    }
    if (!Pause(backoff)) break;
    backoff = std::min(backoff * 2, kMaxBackoffMs);
  }
  Status released = w->lease->Release();
  if (!released.ok()) {
    LOG_WARN(kComponent, "lease release failed",
             {{"stream", w->stream}, {"error", released.ToString()}});
  }
}

std::vector<std::pair<std::string, FaceDetectStats>> FaceDetectService::Stats() const {
  std::vector<std::pair<std::string, FaceDetectStats>> out;
  for (const auto& w : workers_) out.emplace_back(w->stream, w->consumer->stats());
  return out;
}

}  // namespace sluice::consumers::face_detect

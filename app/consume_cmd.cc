// SPDX-License-Identifier: Apache-2.0
// `sluice consume face-detect`: runs consumers/face_detect's FaceDetectConsumer against a remote
// server. Its ports: a FragmentSource over POST /getMedia (the chunked MKV answer parsed as it
// streams in, with backpressure), a DetectionSink over Kinesis CreateStream / PutRecords /
// ListShards / GetShardIterator / GetRecords, and no checkpoint store: the output stream is the
// checkpoint (face_detect_consumer.h). Runs until SIGINT/SIGTERM, reconnecting with backoff.

#include "app/consume_cmd.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/http_client.h"
#include "base/log.h"
#include "consumers/face_detect/face_detect_consumer.h"
#include "consumers/face_detect/get_media_parser.h"
#include "consumers/face_detect/remote_wire.h"

namespace sluice::app {

namespace fd = consumers::face_detect;
namespace wire = consumers::face_detect::wire;

const std::string_view kConsumeUsage =
    R"(sluice consume face-detect [--endpoint URL] --stream NAME [options]
  --endpoint URL         server (default http://127.0.0.1:8080)
  --stream NAME          video stream to analyse
  --output-stream NAME   data stream for detection records (default NAME-detections; created
                         with one shard if absent). Partition key: the video stream's name.
  --fps N                frames analysed per second of video (default 2)
  --key-frames-only      analyse key frames only (instead of --fps)
  --model PATH           detector: a cascade .xml, or a cv::dnn model (e.g. res10 SSD .caffemodel
                         or .onnx); default: Haar frontal face cascade from opencv-data
  --model-config PATH    DNN description file some formats need (Caffe .prototxt)
  --confidence X         DNN: lowest confidence kept (default 0.5)
  --start earliest|now   where to begin when the output stream holds no record of this stream
                         (default earliest); otherwise it resumes after its last record
  --read-back-hours H    how far back the output stream is read on start (default 24)
One JSON record per analysed frame with faces (consumers/face_detect/detection_record.h).
Runs until SIGINT/SIGTERM; reconnects with backoff when the server goes away.
)";

namespace {

constexpr const char* kComponent = "consume";
constexpr size_t kMaxQueuedFragments = 8;  // GetMedia backpressure: stop reading past this
constexpr int64_t kFirstBackoffMs = 500;
constexpr int64_t kMaxBackoffMs = 30'000;
constexpr int kGetRecordsLimit = 10000;

struct ConsumeArgs {
  std::string endpoint = "http://127.0.0.1:8080";
  fd::FaceDetectOptions options;
  int read_back_hours = 24;
};

int UsageError(std::string_view message) {
  std::cerr << "sluice consume: " << message << "\n\n" << kConsumeUsage;
  return 2;
}

// Parses the options after `consume face-detect`; nullopt with *exit_code set otherwise.
std::optional<ConsumeArgs> ParseArgs(const std::vector<std::string_view>& args, int* exit_code) {
  ConsumeArgs a;
  fd::FaceDetectOptions& o = a.options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const bool has_value = i + 1 < args.size();
    auto value = [&] { return std::string(args[++i]); };
    try {
      if (arg == "--help" || arg == "-h") {
        std::cout << kConsumeUsage;
        *exit_code = 0;
        return std::nullopt;
      } else if (arg == "--endpoint" && has_value) {
        a.endpoint = value();
      } else if (arg == "--stream" && has_value) {
        o.stream = value();
      } else if (arg == "--output-stream" && has_value) {
        o.output_stream = value();
      } else if (arg == "--fps" && has_value) {
        o.sampling.fps = std::stod(value());
      } else if (arg == "--key-frames-only") {
        o.sampling.key_frames_only = true;
      } else if (arg == "--model" && has_value) {
        o.detector.model_path = value();
      } else if (arg == "--model-config" && has_value) {
        o.detector.config_path = value();
      } else if (arg == "--confidence" && has_value) {
        o.detector.confidence = std::stof(value());
      } else if (arg == "--read-back-hours" && has_value) {
        a.read_back_hours = std::stoi(value());
      } else if (arg == "--start" && has_value) {
        const std::string start = value();
        if (start != "earliest" && start != "now") {
          *exit_code = UsageError("--start must be earliest or now");
          return std::nullopt;
        }
        o.initial.type =
            start == "now" ? fd::StartPosition::Type::kNow : fd::StartPosition::Type::kEarliest;
      } else {
        *exit_code = UsageError("unexpected argument '" + std::string(arg) + "'");
        return std::nullopt;
      }
    } catch (const std::exception&) {
      *exit_code = UsageError("bad number for " + std::string(arg));
      return std::nullopt;
    }
  }
  std::string problem;
  if (o.stream.empty()) problem = "--stream is required";
  if (o.sampling.fps <= 0 && !o.sampling.key_frames_only) problem = "--fps must be > 0";
  if (a.read_back_hours <= 0) problem = "--read-back-hours must be > 0";
  if (!problem.empty()) {
    *exit_code = UsageError(problem);
    return std::nullopt;
  }
  return a;
}

// GetMedia as a FragmentSource. Each Open() is one request; the answer's bytes are parsed on the
// client's reader thread into a bounded queue that Next() drains.
class RemoteFragmentSource : public fd::FragmentSource {
 public:
  RemoteFragmentSource(Endpoint endpoint, std::string stream)
      : endpoint_(std::move(endpoint)), stream_(std::move(stream)) {}
  ~RemoteFragmentSource() override { Close(); }

  Status Open(const fd::StartPosition& start) override {
    Close();
    auto c = std::make_shared<Connection>();
    std::weak_ptr<Connection> weak = c;
    auto post = StreamingPost::Start(
        endpoint_, "/getMedia", {{"Content-Type", "application/json"}},
        [weak](int status) {
          if (auto c = weak.lock()) c->Head(status);
        },
        [weak](std::string_view bytes) {
          if (auto c = weak.lock()) c->Body(bytes);
        });
    if (!post.ok()) return post.status();
    c->post = std::move(*post);
    RETURN_IF_ERROR(c->post->Write(wire::GetMediaBody(stream_, start)));
    RETURN_IF_ERROR(c->post->Finish());
    {
      std::lock_guard<std::mutex> lock(mu_);
      connection_ = c;
    }
    return c->WaitForHead(stop_);
  }

  Result<std::vector<fd::SourceFragment>> Next(std::chrono::milliseconds wait) override {
    std::shared_ptr<Connection> c;
    {
      std::lock_guard<std::mutex> lock(mu_);
      c = connection_;
    }
    if (stop_) return CancelledError("stopped");
    if (!c) return FailedPreconditionError("GetMedia is not open");
    auto batch = c->Take(wait, stop_);
    if (stop_) return CancelledError("stopped");
    return batch;
  }

  void Stop() override {
    stop_ = true;
    std::lock_guard<std::mutex> lock(mu_);
    if (connection_) connection_->Wake();
  }

 private:
  // One GetMedia exchange. Callbacks arrive on the client's reader thread.
  struct Connection {
    std::unique_ptr<StreamingPost> post;
    std::mutex mu;
    std::condition_variable cv;
    int status = 0;                        // guarded by mu
    std::string error_body;                // guarded by mu
    fd::GetMediaParser parser;             // guarded by mu
    std::deque<fd::SourceFragment> queue;  // guarded by mu
    Status failure;                        // guarded by mu
    bool ended = false;                    // guarded by mu
    bool closing = false;                  // guarded by mu

    void Head(int s) {
      std::lock_guard<std::mutex> lock(mu);
      status = s;
      cv.notify_all();
    }
    void Body(std::string_view bytes) {
      std::unique_lock<std::mutex> lock(mu);
      if (status != 200) {
        error_body.append(bytes);
        return;
      }
      if (!failure.ok()) return;
      // Backpressure: while the consumer is behind, stop reading (TCP then slows the server).
      cv.wait(lock, [this] { return queue.size() < kMaxQueuedFragments || closing; });
      if (closing) return;
      std::vector<fd::SourceFragment> ready;
      failure = parser.Feed(bytes, &ready);
      for (auto& f : ready) queue.push_back(std::move(f));
      cv.notify_all();
    }
    void Wake() {
      std::lock_guard<std::mutex> lock(mu);
      closing = true;
      cv.notify_all();
    }
    Status WaitForHead(const std::atomic<bool>& stop) {
      std::unique_lock<std::mutex> lock(mu);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      // A connection that fails before the head ends without a callback: poll for that.
      while (status == 0 && !post->response_done() && !stop) {
        if (std::chrono::steady_clock::now() > deadline) {
          return UnavailableError("GetMedia: no answer within 30 s");
        }
        cv.wait_for(lock, std::chrono::milliseconds(100));
      }
      if (stop) return CancelledError("stopped");
      if (status == 200) return OkStatus();
      lock.unlock();
      post->Wait(std::chrono::seconds(10)).status().IgnoreError();  // the error body
      lock.lock();
      if (status == 0) return UnavailableError("GetMedia: connection lost");
      const std::string type = wire::ErrorType(error_body);
      const std::string text = "GetMedia: " + wire::ErrorText(status, error_body);
      return type == "ResourceNotFoundException" ? NotFoundError(text) : UnavailableError(text);
    }
    Result<std::vector<fd::SourceFragment>> Take(std::chrono::milliseconds wait,
                                                 const std::atomic<bool>& stop) {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait_for(lock, wait, [&] {
        return !queue.empty() || !failure.ok() || post->response_done() || closing || stop;
      });
      std::vector<fd::SourceFragment> out;
      while (!queue.empty()) {
        out.push_back(std::move(queue.front()));
        queue.pop_front();
      }
      cv.notify_all();  // room again for the reader
      if (!out.empty()) return out;
      if (!failure.ok()) return failure;
      if (post->response_done()) return UnavailableError("GetMedia answer ended");
      return out;
    }
  };

  void Close() {
    std::shared_ptr<Connection> c;
    {
      std::lock_guard<std::mutex> lock(mu_);
      c = std::move(connection_);
    }
    if (!c) return;
    c->Wake();
    c->post.reset();  // closes the socket and joins the reader thread
  }

  const Endpoint endpoint_;
  const std::string stream_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::shared_ptr<Connection> connection_;  // guarded by mu_
};

// The Kinesis data-stream API as a DetectionSink.
class RemoteDetectionSink : public fd::DetectionSink {
 public:
  RemoteDetectionSink(Endpoint endpoint, std::string stream, int read_back_hours,
                      const std::atomic<bool>* stop)
      : endpoint_(std::move(endpoint)),
        stream_(std::move(stream)),
        read_back_ms_(int64_t{read_back_hours} * 3600 * 1000),
        stop_(stop) {}

  Status EnsureStream() override {
    ASSIGN_OR_RETURN(HttpResult r, Call("CreateStream", wire::CreateStreamBody(stream_, 1)));
    if (r.status == 200) {
      LOG_INFO(kComponent, "created the output stream", {{"stream", stream_}});
    } else if (wire::ErrorType(r.body) != "ResourceInUseException") {
      return UnavailableError("CreateStream " + stream_ + ": " + wire::ErrorText(r.status, r.body));
    }
    for (int i = 0; i < 300 && !*stop_; ++i) {
      ASSIGN_OR_RETURN(HttpResult d, Call("DescribeStreamSummary", wire::StreamNameBody(stream_)));
      if (d.status != 200) return UnavailableError(wire::ErrorText(d.status, d.body));
      ASSIGN_OR_RETURN(std::string status, wire::ParseStreamStatus(d.body));
      if (status == "ACTIVE" || status == "UPDATING") return OkStatus();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return UnavailableError(stream_ + " did not become ACTIVE");
  }

  // Sends the records; retries the ones refused (throttling) until each is written.
  Status Write(const std::vector<fd::DetectionRecord>& records) override {
    std::vector<wire::PutRecord> pending;
    for (const fd::DetectionRecord& r : records) {
      pending.push_back({.partition_key = r.stream, .data = fd::EncodeDetectionRecord(r)});
    }
    int64_t backoff = 100;
    for (int attempt = 0; !pending.empty(); ++attempt) {
      if (*stop_ || attempt == 20) return UnavailableError("PutRecords: records not written");
      ASSIGN_OR_RETURN(HttpResult r, Call("PutRecords", wire::PutRecordsBody(stream_, pending)));
      if (r.status != 200) {
        if (r.status < 500 && wire::ErrorType(r.body) != "ProvisionedThroughputExceededException") {
          return FailedPreconditionError("PutRecords: " + wire::ErrorText(r.status, r.body));
        }
      } else {
        ASSIGN_OR_RETURN(auto errors, wire::ParsePutRecordsErrors(r.body, pending.size()));
        std::vector<wire::PutRecord> failed;
        for (size_t i = 0; i < pending.size(); ++i) {
          if (errors[i]) failed.push_back(std::move(pending[i]));
        }
        pending = std::move(failed);
        if (pending.empty()) return OkStatus();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
      backoff = std::min<int64_t>(backoff * 2, 2000);
    }
    return OkStatus();
  }

  // `since` nullopt: the last --read-back-hours.
  Status ScanWritten(std::string_view key, std::optional<TimestampMs> since,
                     const std::function<void(const fd::DetectionRecord&)>& visit) override {
    const int64_t now = SystemClock()->Now().value();
    const TimestampMs from = since.value_or(TimestampMs(now - read_back_ms_));
    std::vector<std::string> shards;
    std::string body = wire::StreamNameBody(stream_);
    for (;;) {
      ASSIGN_OR_RETURN(HttpResult r, Call("ListShards", body));
      if (r.status != 200)
        return UnavailableError("ListShards: " + wire::ErrorText(r.status, r.body));
      ASSIGN_OR_RETURN(wire::ShardsPage page, wire::ParseShardsHoldingKey(r.body, key));
      shards.insert(shards.end(), page.shard_ids.begin(), page.shard_ids.end());
      if (!page.next_token) break;
      body = wire::ListShardsNextBody(*page.next_token);
    }
    for (const std::string& shard : shards) RETURN_IF_ERROR(ScanShard(shard, key, from, visit));
    return OkStatus();
  }

 private:
  Status ScanShard(const std::string& shard, std::string_view key, TimestampMs from,
                   const std::function<void(const fd::DetectionRecord&)>& visit) {
    ASSIGN_OR_RETURN(HttpResult it,
                     Call("GetShardIterator", wire::GetShardIteratorBody(stream_, shard, from)));
    if (it.status != 200) {
      return UnavailableError("GetShardIterator: " + wire::ErrorText(it.status, it.body));
    }
    ASSIGN_OR_RETURN(std::string iterator, wire::ParseShardIterator(it.body));
    while (!*stop_) {
      ASSIGN_OR_RETURN(HttpResult r,
                       Call("GetRecords", wire::GetRecordsBody(iterator, kGetRecordsLimit)));
      if (r.status != 200) {
        if (wire::ErrorType(r.body) == "ProvisionedThroughputExceededException") {
          std::this_thread::sleep_for(std::chrono::milliseconds(250));
          continue;
        }
        return UnavailableError("GetRecords: " + wire::ErrorText(r.status, r.body));
      }
      ASSIGN_OR_RETURN(wire::RecordsPage page, wire::ParseGetRecords(r.body));
      for (const auto& rec : page.records) {
        if (rec.partition_key != key) continue;
        auto d = fd::DecodeDetectionRecord(rec.data);
        if (d.ok()) visit(*d);
      }
      if (!page.next_iterator) break;  // a closed shard, read to its end
      if (page.records.empty() && page.millis_behind_latest == 0) break;  // caught up
      iterator = *page.next_iterator;
    }
    return *stop_ ? CancelledError("stopped") : OkStatus();
  }

  Result<HttpResult> Call(const std::string& operation, const std::string& body) {
    return HttpCall(endpoint_, "POST", "/",
                    {{"Content-Type", std::string(wire::kJsonContentType)},
                     {"X-Amz-Target", wire::Target(operation)}},
                    body);
  }

  const Endpoint endpoint_;
  const std::string stream_;
  const int64_t read_back_ms_;
  const std::atomic<bool>* const stop_;
};

// Waits for SIGINT or SIGTERM on a thread of its own (the signals are blocked everywhere else)
// and then calls on_signal once.
class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void()> on_signal) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);  // used to end the watcher itself
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this, fn = std::move(on_signal)] {
      int sig = 0;
      sigwait(&set_, &sig);
      if (sig != SIGUSR1) fn();
    });
  }
  ~SignalWatcher() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }

 private:
  sigset_t set_;
  std::thread thread_;
};

int RunFaceDetect(const ConsumeArgs& a) {
  auto ep = ParseEndpoint(a.endpoint);
  if (!ep.ok()) return UsageError(ep.status().message());
  fd::FaceDetectOptions options = a.options;
  if (options.output_stream.empty())
    options.output_stream = fd::DefaultOutputStream(options.stream);

  std::atomic<bool> stop{false};
  std::mutex mu;
  std::condition_variable cv;
  fd::FaceDetectConsumer* running = nullptr;  // guarded by mu
  // Before any other thread starts, so that every thread inherits the blocked signals.
  SignalWatcher signals([&] {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
    if (running != nullptr) running->Stop();
    cv.notify_all();
  });
  RemoteFragmentSource source(*ep, options.stream);
  RemoteDetectionSink sink(*ep, options.output_stream, a.read_back_hours, &stop);
  auto consumer = fd::FaceDetectConsumer::Create(options, &source, &sink, nullptr);
  if (!consumer.ok()) {
    std::cerr << "sluice consume: " << consumer.status().message() << std::endl;
    return 1;
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    running = consumer->get();
    if (stop) running->Stop();
  }
  LOG_INFO(
      kComponent, "face detection started",
      {{"endpoint", a.endpoint}, {"stream", options.stream}, {"output", options.output_stream}});
  int64_t backoff = kFirstBackoffMs;
  std::string last_error;
  while (!stop) {
    const uint64_t before = (*consumer)->stats().fragments;
    const Status s = (*consumer)->Run();
    if (stop) break;
    if ((*consumer)->stats().fragments > before) backoff = kFirstBackoffMs;
    if (s.ToString() != last_error) {
      LOG_WARN(kComponent, "consumer stopped; retrying",
               {{"error", s.ToString()}, {"retry_ms", backoff}});
      last_error = s.ToString();
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(backoff), [&] { return stop.load(); });
    backoff = std::min(backoff * 2, kMaxBackoffMs);
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    running = nullptr;
  }
  const fd::FaceDetectStats st = (*consumer)->stats();
  LOG_INFO(kComponent, "face detection stopped",
           {{"fragments", st.fragments},
            {"frames_decoded", st.frames_decoded},
            {"frames_analysed", st.frames_analysed},
            {"decode_ms", st.decode_ns / 1'000'000},
            {"detect_ms", st.detect_ns / 1'000'000},
            {"records_written", st.records_written},
            {"records_skipped", st.records_skipped}});
  return 0;
}

}  // namespace

int RunConsume(const std::vector<std::string_view>& args) {
  if (args.empty()) return UsageError("missing consumer (face-detect)");
  if (args.front() == "--help" || args.front() == "-h") {
    std::cout << kConsumeUsage;
    return 0;
  }
  if (args.front() != "face-detect") {
    return UsageError("unknown consumer '" + std::string(args.front()) + "'");
  }
  int exit_code = 2;
  const auto parsed = ParseArgs({args.begin() + 1, args.end()}, &exit_code);
  if (!parsed) return exit_code;
  return RunFaceDetect(*parsed);
}

}  // namespace sluice::app

// SPDX-License-Identifier: Apache-2.0
// `sluice put-media`: creates the video stream if needed (POST /createStream), then sends the MKV
// to POST /putMedia as a chunked body, paced in real time by its cluster timecodes (or as fast as
// possible with --fast), printing every ack line as it arrives.

#include "app/put_media_cmd.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "app/http_client.h"
#include "media/gst_pipeline.h"
#include "media/mkv_fragmenter.h"

namespace sluice::app {

const std::string_view kPutMediaUsage =
    R"(sluice put-media [--endpoint URL] --stream NAME (FILE | - | --test-source) [options]
  --endpoint URL        server (default http://127.0.0.1:8080)
  --stream NAME         video stream; created (DataRetentionInHours = --retention-hours) if absent
  FILE | -              an MKV file, or MKV on stdin
  --test-source         a live GStreamer test pattern (H.264, 1 s GOP) instead of a file
  --duration SECONDS    with --test-source: stop after this long (default: until Ctrl-C)
  --fast                send as fast as possible (default: real time, by cluster timecodes)
  --timecode-type T     auto | absolute | relative (default auto: ABSOLUTE when the first
                        cluster timecode is a wall-clock time, else RELATIVE to now)
  --retention-hours N   retention of a stream created here (default 24)
Ack lines (JSON) go to stdout as they arrive; the exit code is 1 on an ERROR ack or HTTP error.
)";

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr size_t kChunkBytes = 64 * 1024;
constexpr size_t kPacedPieceBytes = 2048;
constexpr int64_t kWallClockMs = 1'000'000'000'000;  // 2001-09-09: earlier means "not absolute"

std::atomic<bool> g_interrupted{false};
void OnSignal(int) { g_interrupted = true; }

struct PutMediaArgs {
  std::string endpoint = "http://127.0.0.1:8080";
  std::string stream;
  std::string input;  // path, "-" or empty for the test source
  bool test_source = false;
  int64_t duration_s = 0;
  bool fast = false;
  std::string timecode_type = "auto";
  int retention_hours = 24;
};

// Where the MKV bytes come from: a file descriptor, or the test source's callback queue.
class Source {
 public:
  virtual ~Source() = default;
  // Next bytes; false at the end (error() says whether it was a failure).
  virtual bool Next(std::string* out) = 0;
  virtual void Stop() {}
  std::string error;
};

class FdSource : public Source {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  ~FdSource() override {
    if (fd_ > 0) close(fd_);
  }
  bool Next(std::string* out) override {
    out->resize(kChunkBytes);
    const ssize_t n = read(fd_, out->data(), out->size());
    if (n < 0) error = "read failed";
    if (n <= 0 || g_interrupted) return false;
    out->resize(static_cast<size_t>(n));
    return true;
  }

 private:
  int fd_;
};

class TestSource : public Source {
 public:
  Status Start(int64_t duration_s, bool live) {
    auto p = media::GstMkvPipeline::StartTestSource(
        {.width = 640, .height = 360, .duration_s = duration_s, .live = live},
        [this](std::string_view b) {
          std::lock_guard<std::mutex> l(mu_);
          queue_.emplace_back(b);
          cv_.notify_all();
        },
        [this](const Status& end) {
          std::lock_guard<std::mutex> l(mu_);
          ended_ = true;
          if (!end.ok()) error = std::string(end.message());
          cv_.notify_all();
        });
    if (!p.ok()) return p.status();
    pipeline_ = std::move(*p);
    return OkStatus();
  }
  bool Next(std::string* out) override {
    std::unique_lock<std::mutex> l(mu_);
    while (queue_.empty() && !ended_ && !g_interrupted) {
      cv_.wait_for(l, std::chrono::milliseconds(100));
    }
    if (queue_.empty() || g_interrupted) return false;
    *out = std::move(queue_.front());
    queue_.pop_front();
    return true;
  }
  void Stop() override {
    if (pipeline_) pipeline_->Stop();
  }

 private:
  std::unique_ptr<media::GstMkvPipeline> pipeline_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // guarded by mu_
  bool ended_ = false;             // guarded by mu_
};

// Watches the outgoing bytes for fragment starts (pacing and the timecode type).
struct StartWatcher : media::FragmenterListener {
  std::vector<media::FragmentStart> starts;
  void OnHeaderChanged(const media::TrackHeader&) override {}
  void OnFragmentStarted(const media::FragmentStart& s) override { starts.push_back(s); }
  void OnFragmentComplete(media::Fragment) override {}
  void OnError(const media::MkvError&) override {}
};

// Prints ack lines as they arrive and remembers whether one was an ERROR.
struct AckPrinter {
  std::mutex mu;
  std::string partial;  // guarded by mu
  std::string body;     // whole body of an HTTP error, guarded by mu
  int status = 0;       // guarded by mu
  bool error_ack = false;
  int persisted = 0;

  void Head(int s) {
    std::lock_guard<std::mutex> l(mu);
    status = s;
  }
  void Bytes(std::string_view b) {
    std::lock_guard<std::mutex> l(mu);
    if (status != 200) {
      body.append(b);
      return;
    }
    partial.append(b);
    size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      Line(partial.substr(0, nl));
      partial.erase(0, nl + 1);
    }
  }
  void Line(const std::string& line) {
    if (line.empty()) return;
    std::cout << line << std::endl;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object()) {
      const std::string type = j.value("EventType", "");
      error_ack = error_ack || type == "ERROR";
      persisted += type == "PERSISTED" ? 1 : 0;
    }
  }
  void Flush() {
    std::lock_guard<std::mutex> l(mu);
    Line(partial);
    partial.clear();
  }
};

int UsageError(std::string_view message) {
  std::cerr << "sluice put-media: " << message << "\n\n" << kPutMediaUsage;
  return 2;
}

std::optional<PutMediaArgs> ParseArgs(const std::vector<std::string_view>& args, int* exit_code) {
  PutMediaArgs a;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const bool has_value = i + 1 < args.size();
    auto value = [&] { return std::string(args[++i]); };
    if (arg == "--help" || arg == "-h") {
      std::cout << kPutMediaUsage;
      *exit_code = 0;
      return std::nullopt;
    }
    try {
      if (arg == "--endpoint" && has_value)
        a.endpoint = value();
      else if (arg == "--stream" && has_value)
        a.stream = value();
      else if (arg == "--duration" && has_value)
        a.duration_s = std::stoll(value());
      else if (arg == "--timecode-type" && has_value)
        a.timecode_type = value();
      else if (arg == "--retention-hours" && has_value)
        a.retention_hours = std::stoi(value());
      else if (arg == "--test-source")
        a.test_source = true;
      else if (arg == "--fast")
        a.fast = true;
      else if ((arg == "-" || arg.substr(0, 1) != "-") && a.input.empty())
        a.input = std::string(arg);
      else {
        *exit_code = UsageError("unexpected argument '" + std::string(arg) + "'");
        return std::nullopt;
      }
    } catch (const std::exception&) {
      *exit_code = UsageError("bad number for " + std::string(arg));
      return std::nullopt;
    }
  }
  std::string problem;
  if (a.stream.empty())
    problem = "--stream is required";
  else if (a.test_source == !a.input.empty())
    problem = "give exactly one of FILE, - or --test-source";
  else if (a.timecode_type != "auto" && a.timecode_type != "absolute" &&
           a.timecode_type != "relative")
    problem = "--timecode-type must be auto, absolute or relative";
  else if (a.duration_s < 0)
    problem = "--duration must be positive";
  if (!problem.empty()) {
    *exit_code = UsageError(problem);
    return std::nullopt;
  }
  return a;
}

// POST /createStream; "exists" (400 ResourceInUseException) is fine.
Status EnsureStream(const Endpoint& ep, const PutMediaArgs& a) {
  const nlohmann::json body = {{"StreamName", a.stream},
                               {"MediaType", "video/h264"},
                               {"DataRetentionInHours", a.retention_hours}};
  auto r =
      HttpCall(ep, "POST", "/createStream", {{"Content-Type", "application/json"}}, body.dump());
  if (!r.ok()) return r.status();
  if (r->status == 200) {
    std::cerr << "sluice put-media: created video stream " << a.stream << std::endl;
    return OkStatus();
  }
  const bool in_use = r->Header("x-amzn-ErrorType").find("ResourceInUse") != std::string::npos ||
                      r->body.find("ResourceInUseException") != std::string::npos;
  if (r->status == 400 && in_use) return OkStatus();
  return UnavailableError("createStream answered " + std::to_string(r->status) + ": " + r->body);
}

std::string EpochSeconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

namespace {

// Sleeps until the newest fragment start is due on the wall clock (real-time pacing).
class Pacer {
 public:
  void Pace(const std::vector<media::FragmentStart>& starts) {
    if (starts.empty() || starts.size() == paced_) return;
    paced_ = starts.size();
    const int64_t t = starts.back().producer_timestamp.value();
    if (!first_) {
      first_ = t;
      origin_ = SteadyClock::now();
      return;
    }
    const auto due = origin_ + std::chrono::milliseconds(std::max<int64_t>(0, t - *first_));
    while (SteadyClock::now() < due && !g_interrupted) {
      std::this_thread::sleep_for(std::min<SteadyClock::duration>(due - SteadyClock::now(),
                                                                  std::chrono::milliseconds(100)));
    }
  }

 private:
  size_t paced_ = 0;
  std::optional<int64_t> first_;
  SteadyClock::time_point origin_;
};

std::unique_ptr<Source> OpenSource(const PutMediaArgs& a, std::string* error) {
  if (a.test_source) {
    auto t = std::make_unique<TestSource>();
    const Status s = t->Start(a.duration_s, /*live=*/!a.fast);
    if (!s.ok()) {
      *error = std::string(s.message());
      return nullptr;
    }
    return t;
  }
  const int fd = a.input == "-" ? dup(0) : open(a.input.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot open " + a.input;
    return nullptr;
  }
  return std::make_unique<FdSource>(fd);
}

int Fail(std::string_view message) {
  std::cerr << "sluice put-media: " << message << std::endl;
  return 1;
}

}  // namespace

namespace {

// The outgoing MKV: read from the source, scanned for fragment starts, sent through the POST.
class Upload {
 public:
  explicit Upload(Source* source) : source_(source) {}

  // Reads up to the first fragment's start (its timecode decides ABSOLUTE or RELATIVE).
  void ReadHead() {
    std::string chunk;
    while (watcher_.starts.empty() && (more_ = source_->Next(&chunk))) {
      std::string_view rest = chunk;
      while (!rest.empty() && watcher_.starts.empty()) {
        const std::string_view piece = rest.substr(0, kPacedPieceBytes);
        rest.remove_prefix(piece.size());
        scan_.Feed(piece);
        pending_.append(piece);
      }
      carry_ = std::string(rest);
    }
  }
  bool Absolute(const std::string& timecode_type) const {
    if (timecode_type != "auto") return timecode_type == "absolute";
    return !watcher_.starts.empty() &&
           watcher_.starts.front().producer_timestamp.value() >= kWallClockMs;
  }

  // Sends everything. Paced: each small piece is scanned, then sent once the newest fragment
  // start in it is due. False once the server stopped taking the body.
  bool Send(StreamingPost* post, bool pace) {
    post_ = post;
    pace_ = pace;
    if (pace_) pacer_.Pace(watcher_.starts);
    if (!pending_.empty()) Write(pending_);
    Process(carry_);
    std::string chunk;
    while (sent_ok_ && more_ && (more_ = source_->Next(&chunk))) Process(chunk);
    return sent_ok_;
  }

 private:
  void Write(std::string_view bytes) {
    sent_ok_ = !post_->response_done() && post_->Write(bytes).ok();
  }
  void Process(std::string_view rest) {
    while (!rest.empty() && sent_ok_) {
      const std::string_view piece = rest.substr(0, pace_ ? kPacedPieceBytes : rest.size());
      rest.remove_prefix(piece.size());
      scan_.Feed(piece);
      if (pace_) pacer_.Pace(watcher_.starts);
      Write(piece);
    }
  }

  Source* const source_;
  StartWatcher watcher_;
  media::MkvFragmenter scan_{&watcher_, {.timecode_type = media::TimecodeType::kAbsolute}};
  std::string pending_;  // scanned, not sent yet
  std::string carry_;    // read, not scanned yet
  bool more_ = true;
  StreamingPost* post_ = nullptr;
  bool pace_ = false;
  bool sent_ok_ = true;
  Pacer pacer_;
};

}  // namespace

int RunPutMedia(const std::vector<std::string_view>& args) {
  int exit_code = 0;
  const std::optional<PutMediaArgs> a = ParseArgs(args, &exit_code);
  if (!a) return exit_code;
  auto ep = ParseEndpoint(a->endpoint);
  if (!ep.ok()) return UsageError(ep.status().message());
  if (Status s = EnsureStream(*ep, *a); !s.ok()) return Fail(s.message());
  std::string error;
  std::unique_ptr<Source> source = OpenSource(*a, &error);
  if (!source) return Fail(error);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);

  Upload upload(source.get());
  upload.ReadHead();
  const HttpHeaders headers = {{"x-amzn-stream-name", a->stream},
                               {"x-amzn-fragment-timecode-type",
                                upload.Absolute(a->timecode_type) ? "ABSOLUTE" : "RELATIVE"},
                               {"x-amzn-producer-start-timestamp", EpochSeconds(NowMs())},
                               {"x-amzn-fragment-acknowledgment-required", "1"}};
  AckPrinter printer;
  auto post = StreamingPost::Start(
      *ep, "/putMedia", headers, [&](int s) { printer.Head(s); },
      [&](std::string_view b) { printer.Bytes(b); });
  if (!post.ok()) return Fail(post.status().message());
  // A live test source is paced by its own clock.
  const bool sent_ok = upload.Send(post->get(), !a->fast && !a->test_source);
  source->Stop();
  if (!source->error.empty()) error = source->error;
  if (sent_ok) (*post)->Finish().IgnoreError();
  auto status = (*post)->Wait(std::chrono::seconds(60));
  printer.Flush();
  std::lock_guard<std::mutex> l(printer.mu);
  if (!status.ok()) return Fail(status.status().message());
  if (*status != 200) {
    return Fail("putMedia answered " + std::to_string(*status) + ": " + printer.body);
  }
  std::cerr << "sluice put-media: " << printer.persisted << " fragments persisted" << std::endl;
  if (!error.empty()) return Fail(error);
  return printer.error_ack ? 1 : 0;
}

}  // namespace sluice::app

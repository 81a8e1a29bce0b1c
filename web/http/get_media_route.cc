// SPDX-License-Identifier: Apache-2.0
// GetMedia and GetMediaForFragmentList: request parsing, the MediaJob that writes MKV chunks
// batch by batch (paced by write completions), and the worker thread that runs the jobs.

#include "web/http/get_media_route.h"

#include <atomic>

#include "media/mkv_writer.h"
#include "web/http/kvs_media_util.h"
#include "web/http/request_ids.h"

namespace sluice::web {
namespace {

constexpr size_t kBatchFragments = 4;
constexpr size_t kBatchBytes = 8 << 20;
constexpr size_t kMaxListedFragments = 1000;
// AWS_KINESISVIDEO_EXCEPTION_ERROR_CODE of a listed fragment that cannot be read.
constexpr int kFragmentNotFoundCode = 4000;

HttpResponse BadRequest(std::string_view message) {
  return KvsErrorResponse(400, "InvalidArgumentException", message);
}

Result<ingest::StartSelector> StartSelectorOf(const nlohmann::json& body) {
  using Type = ingest::StartSelector::Type;
  const auto it = body.find("StartSelector");
  if (it == body.end() || !it->is_object()) {
    return InvalidArgumentError("StartSelector is required");
  }
  const nlohmann::json& s = *it;
  const auto text = [&s](const char* key) -> std::string {
    const auto m = s.find(key);
    return m != s.end() && m->is_string() ? m->get<std::string>() : std::string();
  };
  static const std::map<std::string, Type> kTypes = {
      {"NOW", Type::kNow},
      {"EARLIEST", Type::kEarliest},
      {"FRAGMENT_NUMBER", Type::kFragmentNumber},
      {"SERVER_TIMESTAMP", Type::kServerTimestamp},
      {"PRODUCER_TIMESTAMP", Type::kProducerTimestamp},
      {"CONTINUATION_TOKEN", Type::kContinuationToken}};
  const auto type = kTypes.find(text("StartSelectorType"));
  if (type == kTypes.end()) {
    return InvalidArgumentError(
        "StartSelector.StartSelectorType must be one of NOW, EARLIEST, FRAGMENT_NUMBER, "
        "SERVER_TIMESTAMP, PRODUCER_TIMESTAMP, CONTINUATION_TOKEN");
  }
  ingest::StartSelector selector;
  selector.type = type->second;
  if (selector.type == Type::kFragmentNumber) {
    selector.fragment_number = text("AfterFragmentNumber");
    if (selector.fragment_number.empty()) {
      return InvalidArgumentError("AfterFragmentNumber is required for FRAGMENT_NUMBER");
    }
  } else if (selector.type == Type::kContinuationToken) {
    selector.fragment_number = text("ContinuationToken");
    if (selector.fragment_number.empty()) {
      return InvalidArgumentError("ContinuationToken is required for CONTINUATION_TOKEN");
    }
  } else if (selector.type == Type::kServerTimestamp || selector.type == Type::kProducerTimestamp) {
    const auto t = s.find("StartTimestamp");
    if (t == s.end() || !t->is_number() || t->get<double>() < 0) {
      return InvalidArgumentError("StartTimestamp (epoch seconds) is required for " +
                                  type->first);
    }
    selector.timestamp = TimestampMs(static_cast<int64_t>(t->get<double>() * 1000.0 + 0.5));
  }
  return selector;
}

std::vector<std::pair<std::string, std::string>> MediaHeaders() {
  const std::string id = NewRequestId();
  return {{"Content-Type", "video/webm"}, {"x-amzn-RequestId", id}, {"x-amz-RequestId", id}};
}

}  // namespace

// One streaming media exchange: either a GetMedia follower or a fragment list. Run() executes on
// the worker thread only; End() on the connection's strand; mu_ serialises them.
class MediaJob : public std::enable_shared_from_this<MediaJob> {
 public:
  MediaJob(GetMediaRoute* route, std::string stream, std::shared_ptr<ResponseWriter> writer)
      : route_(route), stream_(std::move(stream)), writer_(std::move(writer)) {}

  std::atomic<bool> queued{false};

  void SetFollower(std::unique_ptr<ingest::FragmentFollower> follower) {
    std::lock_guard lock(mu_);
    follower_ = std::move(follower);
  }
  void SetList(std::vector<std::string> numbers) {
    std::lock_guard lock(mu_);
    numbers_ = std::move(numbers);
  }
  bool writing() const { return writing_.load(); }

  void Run() {
    std::lock_guard lock(mu_);
    if (ended_ || writing_) return;
    std::vector<std::string> chunks;
    if (follower_) {
      auto batch = follower_->Next(kBatchFragments, kBatchBytes);
      if (!batch.ok()) {  // the stream was deleted (or its log failed): end the response
        writer_->Write(media::WriteGetMediaErrorChunk(5000, "INTERNAL_ERROR"));
        return EndLocked();
      }
      const TimestampMs now = Clock()->Now();
      for (const auto& f : *batch) chunks.push_back(ingest::FragmentReader::GetMediaChunk(f, now));
    } else {
      for (size_t n = 0; n < kBatchFragments && next_ < numbers_.size(); ++n, ++next_) {
        auto f = route_->options_.reader->ReadNumber(stream_, numbers_[next_]);
        chunks.push_back(f.ok() ? ingest::FragmentReader::FragmentListChunk(*f)
                                : media::WriteFragmentListErrorChunk(kFragmentNotFoundCode,
                                                                     f.status().message()));
      }
    }
    if (chunks.empty()) {
      if (!follower_) EndLocked();  // the list is done
      return;                       // a follower waits for on_data or the next poll
    }
    writing_ = true;
    std::weak_ptr<MediaJob> weak = shared_from_this();
    for (size_t i = 0; i < chunks.size(); ++i) {
      std::function<void(bool)> done;
      if (i + 1 == chunks.size()) {
        done = [weak, route = route_](bool ok) {
          auto self = weak.lock();
          if (!self) return;
          self->writing_ = false;
          if (ok) route->Schedule(self);
        };
      }
      writer_->Write(std::move(chunks[i]), std::move(done));
    }
  }

  void End(StreamEnd why) {
    std::lock_guard lock(mu_);
    if (why == StreamEnd::kShutdown) return EndLocked();
    ended_ = true;
    follower_.reset();  // stops watching the shard
  }

 private:
  void EndLocked() {
    if (ended_) return;
    ended_ = true;
    follower_.reset();
    writer_->Finish();
  }
  sluice::Clock* Clock() const {
    return route_->options_.clock != nullptr ? route_->options_.clock : SystemClock();
  }

  GetMediaRoute* const route_;
  const std::string stream_;
  const std::shared_ptr<ResponseWriter> writer_;
  std::atomic<bool> writing_{false};  // a batch is being written

  std::mutex mu_;
  bool ended_ GUARDED_BY(mu_) = false;
  std::unique_ptr<ingest::FragmentFollower> follower_ GUARDED_BY(mu_);
  std::vector<std::string> numbers_ GUARDED_BY(mu_);
  size_t next_ GUARDED_BY(mu_) = 0;
};

GetMediaRoute::GetMediaRoute(Options options)
    : options_(std::move(options)), worker_([this] { WorkerLoop(); }) {}

GetMediaRoute::~GetMediaRoute() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  worker_.join();
}

void GetMediaRoute::Register(Router* router) {
  router->AddStreaming("POST", "/getMedia", {.name = "kvs_GetMedia", .body_limit = 64 << 10},
                       [this](HttpRequest head, std::shared_ptr<BodyReader>,
                              std::shared_ptr<ResponseWriter> writer) {
                         HandleGetMedia(std::move(head), std::move(writer));
                       });
  router->AddStreaming(
      "POST", "/getMediaForFragmentList",
      {.name = "kvs_GetMediaForFragmentList", .body_limit = 1 << 20},
      [this](HttpRequest head, std::shared_ptr<BodyReader>, std::shared_ptr<ResponseWriter> writer) {
        HandleFragmentList(std::move(head), std::move(writer));
      });
}

void GetMediaRoute::Schedule(const std::shared_ptr<MediaJob>& job) {
  if (job->writing() || job->queued.exchange(true)) return;
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    queue_.push_back(job);
  }
  cv_.notify_one();
}

void GetMediaRoute::Track(const std::shared_ptr<MediaJob>& job) {
  std::lock_guard lock(mu_);
  live_[job.get()] = job;
}

void GetMediaRoute::WorkerLoop() {
  std::unique_lock lock(mu_);
  auto next_poll = std::chrono::steady_clock::now() + options_.poll_interval;
  while (!stop_) {
    cv_.wait_until(lock, next_poll, [this] { return stop_ || !queue_.empty(); });
    if (stop_) break;
    if (std::chrono::steady_clock::now() >= next_poll) {
      next_poll = std::chrono::steady_clock::now() + options_.poll_interval;
      for (auto it = live_.begin(); it != live_.end();) {
        auto job = it->second.lock();
        if (!job) {
          it = live_.erase(it);
          continue;
        }
        if (!job->writing() && !job->queued.exchange(true)) queue_.push_back(job);
        ++it;
      }
    }
    while (!queue_.empty() && !stop_) {
      std::shared_ptr<MediaJob> job = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      job->queued = false;
      job->Run();
      job.reset();  // may destroy the job (and its follower) outside mu_
      lock.lock();
    }
  }
}

void GetMediaRoute::HandleGetMedia(HttpRequest head, std::shared_ptr<ResponseWriter> writer) {
  auto body = ParseJsonObject(head.body);
  if (!body.ok()) return writer->Respond(BadRequest(body.status().message()));
  auto ref = StreamRefOf(*body);
  if (!ref.ok()) return writer->Respond(BadRequest(ref.status().message()));
  auto selector = StartSelectorOf(*body);
  if (!selector.ok()) return writer->Respond(BadRequest(selector.status().message()));
  auto stream = options_.streams->ResolveName(*ref);
  if (!stream.ok()) return writer->Respond(KvsErrorResponse(stream.status()));
  auto job = std::make_shared<MediaJob>(this, *stream, writer);
  std::weak_ptr<MediaJob> weak = job;
  auto follower = ingest::FragmentFollower::Open(options_.reader, *stream, *selector, [this, weak] {
    if (auto j = weak.lock()) Schedule(j);
  });
  if (!follower.ok()) return writer->Respond(KvsErrorResponse(follower.status()));
  job->SetFollower(std::move(*follower));
  writer->Start(200, MediaHeaders());
  writer->OnEnd([job](StreamEnd why) { job->End(why); });
  Track(job);
  Schedule(job);
}

void GetMediaRoute::HandleFragmentList(HttpRequest head, std::shared_ptr<ResponseWriter> writer) {
  auto body = ParseJsonObject(head.body);
  if (!body.ok()) return writer->Respond(BadRequest(body.status().message()));
  auto ref = StreamRefOf(*body);
  if (!ref.ok()) return writer->Respond(BadRequest(ref.status().message()));
  const auto list = body->find("Fragments");
  if (list == body->end() || !list->is_array() || list->empty() ||
      list->size() > kMaxListedFragments) {
    return writer->Respond(BadRequest("Fragments must list 1 to 1000 fragment numbers"));
  }
  std::vector<std::string> numbers;
  for (const auto& n : *list) {
    const std::string text = n.is_string() ? n.get<std::string>() : std::string();
    if (text.empty() || text.size() > 128 ||
        text.find_first_not_of("0123456789") != std::string::npos) {
      return writer->Respond(BadRequest("Fragments must hold fragment numbers (1-128 digits)"));
    }
    numbers.push_back(text);
  }
  auto stream = options_.streams->ResolveName(*ref);
  if (!stream.ok()) return writer->Respond(KvsErrorResponse(stream.status()));
  auto job = std::make_shared<MediaJob>(this, *stream, writer);
  job->SetList(std::move(numbers));
  writer->Start(200, MediaHeaders());
  writer->OnEnd([job](StreamEnd why) { job->End(why); });
  Schedule(job);
}

}  // namespace sluice::web

// SPDX-License-Identifier: Apache-2.0
// FaceDetectConsumer (face_detect_consumer.h): resume, then fragment by fragment: analyse, write,
// checkpoint.
#include "consumers/face_detect/face_detect_consumer.h"

#include "base/log.h"

namespace sluice::consumers::face_detect {
namespace {

constexpr auto kWait = std::chrono::milliseconds(500);
constexpr const char* kComponent = "face_detect";

bool FragmentLess(const std::string& a, const std::string& b) {
  return CompareFragmentNumbers(a, b) < 0;
}

}  // namespace

Result<std::unique_ptr<FaceDetectConsumer>> FaceDetectConsumer::Create(
    FaceDetectOptions options, FragmentSource* source, DetectionSink* sink,
    CheckpointStore* checkpoints) {
  if (options.stream.empty()) return InvalidArgumentError("no video stream named");
  if (options.output_stream.empty()) options.output_stream = DefaultOutputStream(options.stream);
  ASSIGN_OR_RETURN(std::unique_ptr<FaceDetector> detector, FaceDetector::Create(options.detector));
  return std::unique_ptr<FaceDetectConsumer>(
      new FaceDetectConsumer(std::move(options), std::move(detector), source, sink, checkpoints));
}

FaceDetectConsumer::FaceDetectConsumer(FaceDetectOptions options,
                                       std::unique_ptr<FaceDetector> detector,
                                       FragmentSource* source, DetectionSink* sink,
                                       CheckpointStore* checkpoints)
    : options_(std::move(options)),
      detector_(std::move(detector)),
      source_(source),
      sink_(sink),
      checkpoints_(checkpoints),
      clock_(options_.clock != nullptr ? options_.clock : SystemClock()),
      analyzer_(detector_.get(), options_.sampling),
      written_(&FragmentLess) {}

FaceDetectConsumer::~FaceDetectConsumer() = default;

void FaceDetectConsumer::Stop() {
  stop_ = true;
  source_->Stop();
}

FaceDetectStats FaceDetectConsumer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

Status FaceDetectConsumer::Resume() {
  std::optional<Checkpoint> checkpoint;
  if (checkpoints_ != nullptr) {
    ASSIGN_OR_RETURN(checkpoint, checkpoints_->Load());
  }
  if (last_done_ && (!checkpoint || FragmentLess(checkpoint->fragment_number, *last_done_))) {
    // Already running: what this process finished is at least as far as the store says.
    checkpoint = Checkpoint{.fragment_number = *last_done_, .server_timestamp = last_done_arrival_};
  }
  std::optional<TimestampMs> since;
  if (checkpoint && checkpoint->server_timestamp) {
    since = TimestampMs(checkpoint->server_timestamp->value() - options_.read_back_margin_ms);
  }
  written_.clear();
  std::optional<TimestampMs> last_arrival;  // of the newest fragment with a record
  RETURN_IF_ERROR(sink_->ScanWritten(options_.stream, since, [&](const DetectionRecord& r) {
    auto id = RecordId::Parse(r.record_id);
    if (!id.ok() || r.stream != options_.stream) return;
    if (checkpoint && !FragmentLess(checkpoint->fragment_number, id->fragment_number)) return;
    if (!checkpoint) {
      // Only the newest fragment matters: reading resumes there.
      if (!written_.empty() && FragmentLess(id->fragment_number, written_.rbegin()->first)) {
        return;
      }
      if (!written_.empty() && FragmentLess(written_.rbegin()->first, id->fragment_number)) {
        written_.clear();
      }
      last_arrival = r.server_timestamp;
    }
    written_[id->fragment_number].insert(id->pts_ns);
  }));
  floor_.reset();
  if (checkpoint) {
    position_ = {.type = StartPosition::Type::kAfterFragment,
                 .fragment_number = checkpoint->fragment_number};
    last_done_ = checkpoint->fragment_number;
    last_done_arrival_ = checkpoint->server_timestamp;
  } else if (!written_.empty()) {
    // Just before the newest fragment with records arrived: the source starts at or before it.
    position_ = {.type = StartPosition::Type::kServerTimestamp,
                 .timestamp = TimestampMs(last_arrival->value() - 1)};
    floor_ = written_.rbegin()->first;
  } else {
    position_ = options_.initial;
  }
  size_t pending = 0;
  for (const auto& [fragment, pts] : written_) pending += pts.size();
  LOG_INFO(kComponent, "resuming",
           {{"stream", options_.stream},
            {"output", options_.output_stream},
            {"checkpoint", checkpoint ? checkpoint->fragment_number : std::string("none")},
            {"from_fragment", floor_.value_or("")},
            {"written_past_checkpoint", pending}});
  analyzer_.Reset();
  return OkStatus();
}

Status FaceDetectConsumer::Process(const SourceFragment& f) {
  if (last_done_ && !FragmentLess(*last_done_, f.fragment_number)) return OkStatus();
  if (floor_ && FragmentLess(f.fragment_number, *floor_)) return OkStatus();
  auto analysed = analyzer_.Analyze(options_.stream, f);
  std::vector<DetectionRecord> records;
  uint64_t skipped = 0;
  bool failed = false;
  if (!analysed.ok()) {
    if (analysed.status().code() == StatusCode::kInternal) return analysed.status();
    // Undecodable video is skipped, not retried: it will not decode any better next time.
    LOG_WARN(kComponent, "fragment skipped",
             {{"stream", options_.stream},
              {"fragment", f.fragment_number},
              {"error", analysed.status().ToString()}});
    analyzer_.Reset();
    failed = true;
  } else {
    const auto done = written_.find(f.fragment_number);
    for (DetectionRecord& r : *analysed) {
      if (done != written_.end() && done->second.count(r.frame_pts_ns) > 0) {
        ++skipped;
        continue;
      }
      records.push_back(std::move(r));
    }
  }
  if (!records.empty()) {
    RETURN_IF_ERROR(sink_->Write(records));  // on failure Run() reads the output back
  }
  const TimestampMs durable = clock_->Now();
  if (checkpoints_ != nullptr) {
    RETURN_IF_ERROR(checkpoints_->Save(
        {.fragment_number = f.fragment_number, .server_timestamp = f.server_timestamp}));
  }
  last_done_ = f.fragment_number;
  last_done_arrival_ = f.server_timestamp;
  position_ = {.type = StartPosition::Type::kAfterFragment, .fragment_number = f.fragment_number};
  while (!written_.empty() && !FragmentLess(f.fragment_number, written_.begin()->first)) {
    written_.erase(written_.begin());
  }
  LOG_DEBUG(kComponent, "fragment analysed",
            {{"stream", options_.stream},
             {"fragment", f.fragment_number},
             {"records", records.size()},
             {"skipped", skipped}});
  const AnalyzerStats& a = analyzer_.stats();
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.fragments;
  stats_.frames_decoded = a.frames_decoded;
  stats_.frames_analysed = a.frames_analysed;
  stats_.decode_ns = a.decode_ns;
  stats_.detect_ns = a.detect_ns;
  stats_.records_written += records.size();
  stats_.records_skipped += skipped;
  stats_.fragments_failed += failed ? 1 : 0;
  stats_.last_fragment = f.fragment_number;
  if (!records.empty()) stats_.last_latency_ms = durable.value() - f.server_timestamp.value();
  return OkStatus();
}

Status FaceDetectConsumer::Loop() {
  while (!stop_) {
    if (checkpoints_ != nullptr) RETURN_IF_ERROR(checkpoints_->KeepAlive());
    auto batch = source_->Next(kWait);
    if (!batch.ok()) {
      if (stop_) return OkStatus();
      return batch.status();
    }
    for (const SourceFragment& f : *batch) {
      if (stop_) return OkStatus();
      RETURN_IF_ERROR(Process(f));
    }
  }
  return OkStatus();
}

Status FaceDetectConsumer::Run() {
  if (stop_) return OkStatus();
  if (!stream_ready_) {
    RETURN_IF_ERROR(sink_->EnsureStream());
    stream_ready_ = true;
  }
  if (!resumed_) {
    RETURN_IF_ERROR(Resume());
    resumed_ = true;
  }
  Status s = source_->Open(position_);
  if (s.ok()) s = Loop();
  if (!s.ok()) {
    // The next Run() re-reads the checkpoint and the output stream: after a lost lease another
    // worker may have gone on, after a failed write some records may be there.
    resumed_ = false;
    analyzer_.Reset();
  }
  return stop_ ? OkStatus() : s;
}

}  // namespace sluice::consumers::face_detect

// SPDX-License-Identifier: Apache-2.0
// FaceDetectConsumer: follows one video stream through a FragmentSource, analyses sampled frames
// (FragmentAnalyzer) and writes one detection record per frame with faces to a DetectionSink,
// exactly once across restarts and crashes.
//
// Exactly-once: "checkpoint after write, idempotent record ids". Per fragment, in log order:
// write its records and wait until they are durable, then checkpoint the fragment. A crash
// between the two leaves records the checkpoint does not cover, so on start the consumer reads
// the output stream back (records with this stream's partition key since the checkpointed
// fragment arrived, less a margin) and skips every frame whose record_id it finds there. With no
// checkpoint store (the remote consumer) the output stream is the checkpoint: reading resumes at
// the fragment of the last record written (GetMedia SERVER_TIMESTAMP just before its arrival),
// skipping fragments before it and the records of it already written. The sampled frames of a
// fragment depend only on the fragment (frame_sampler.h), so a restart yields the same record ids.
// Cost of the remote mode: after a restart it re-analyses the fragments since the last one with a
// face.
//
// Lifecycle: Create, then Run() on a thread of its own until Stop(); Run() returns early with an
// error (source gone, sink failing, lease lost) and may be called again: it resumes as on start
// (checkpoint, then the output stream read back from the last fragment it finished).
// Thread-safety: Run() on one thread; Stop() and stats() from any.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "base/thread_annotations.h"
#include "consumers/face_detect/face_detect_ports.h"
#include "consumers/face_detect/face_detector.h"
#include "consumers/face_detect/fragment_analyzer.h"

namespace sluice::consumers::face_detect {

struct FaceDetectOptions {
  std::string stream;         // the video stream (also the records' partition key)
  std::string output_stream;  // empty: DefaultOutputStream(stream)
  AnalyzerOptions sampling;   // fps (default 2) or key frames only
  FaceDetectorOptions detector;
  StartPosition initial;  // where a consumer with no checkpoint and no records starts
  // How far before the checkpointed fragment's arrival the output stream is read back (clock
  // steps between the two stamps).
  int64_t read_back_margin_ms = 10'000;
  Clock* clock = nullptr;  // for latency figures; null: SystemClock()
};

struct FaceDetectStats {
  uint64_t fragments = 0;       // fragments finished (checkpointed)
  uint64_t frames_decoded = 0;  // video frames fed to the decoder
  uint64_t frames_analysed = 0;
  uint64_t records_written = 0;
  uint64_t records_skipped = 0;   // already in the output stream (a restart)
  uint64_t fragments_failed = 0;  // not decodable: skipped with a warning
  int64_t decode_ns = 0;
  int64_t detect_ns = 0;
  std::string last_fragment;
  // Fragment arrival at the server -> its records durable, for the last fragment with faces.
  int64_t last_latency_ms = -1;
};

class FaceDetectConsumer {
 public:
  // The ports must outlive the consumer; `checkpoints` may be null (the output stream is then
  // the only checkpoint). InvalidArgument when the detector cannot be made.
  static Result<std::unique_ptr<FaceDetectConsumer>> Create(FaceDetectOptions options,
                                                            FragmentSource* source,
                                                            DetectionSink* sink,
                                                            CheckpointStore* checkpoints);
  ~FaceDetectConsumer();

  // Processes fragments until Stop() (then OK) or an error (see the class comment).
  Status Run();
  void Stop();
  FaceDetectStats stats() const;
  const std::string& output_stream() const { return options_.output_stream; }

 private:
  FaceDetectConsumer(FaceDetectOptions options, std::unique_ptr<FaceDetector> detector,
                     FragmentSource* source, DetectionSink* sink, CheckpointStore* checkpoints);
  // Works out where to start: checkpoint, output stream read-back, or the initial position.
  Status Resume();
  Status Process(const SourceFragment& f);
  Status Loop();

  // Constant after construction.
  FaceDetectOptions options_;
  std::unique_ptr<FaceDetector> detector_;
  FragmentSource* const source_;
  DetectionSink* const sink_;
  CheckpointStore* const checkpoints_;
  Clock* const clock_;

  std::atomic<bool> stop_{false};

  // Run()'s state (one thread).
  FragmentAnalyzer analyzer_;
  bool resumed_ = false;  // Resume() ran since the last error
  bool stream_ready_ = false;
  StartPosition position_;                        // where the source (re)opens
  std::optional<std::string> last_done_;          // last fragment finished
  std::optional<TimestampMs> last_done_arrival_;  // ... and its arrival at the server
  std::optional<std::string> floor_;              // fragments before this one are already done
  // Record ids found in the output stream that lie past the checkpoint: fragment -> pts.
  std::map<std::string, std::set<int64_t>, bool (*)(const std::string&, const std::string&)>
      written_;

  mutable std::mutex mu_;
  FaceDetectStats stats_ GUARDED_BY(mu_);
};

}  // namespace sluice::consumers::face_detect

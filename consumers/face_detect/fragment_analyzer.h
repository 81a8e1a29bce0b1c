// SPDX-License-Identifier: Apache-2.0
// FragmentAnalyzer: one fragment in, detection records out. Decodes the video track with
// media::VideoDecoder (sampled frames only are converted to BGR, scaled down to the detector's
// working width), runs the FaceDetector on each and makes a record for every frame with faces.
// Keeps one decoder per track header, recreated when the video track changes.
// Thread-safety: belongs to one thread. Example:
//   FragmentAnalyzer analyzer(detector.get(), {.fps = 2});
//   ASSIGN_OR_RETURN(std::vector<DetectionRecord> records, analyzer.Analyze("cam1", fragment));
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "consumers/face_detect/detection_record.h"
#include "consumers/face_detect/face_detect_ports.h"
#include "consumers/face_detect/face_detector.h"
#include "media/frame_decoder.h"

namespace sluice::consumers::face_detect {

struct AnalyzerOptions {
  double fps = 2;                // frames analysed per second of video; <= 0: every frame
  bool key_frames_only = false;  // decode and analyse key frames only (fps is then ignored)
};

// Where the time went; steady-clock nanoseconds.
struct AnalyzerStats {
  uint64_t fragments = 0;
  uint64_t frames_decoded = 0;  // video frames fed to the decoder
  uint64_t frames_analysed = 0;
  uint64_t frames_with_faces = 0;
  int64_t decode_ns = 0;  // DecodeFragment: every frame decoded, sampled ones converted to BGR
  int64_t detect_ns = 0;  // FaceDetector::Detect
};

class FragmentAnalyzer {
 public:
  // `detector` must outlive the analyzer.
  FragmentAnalyzer(FaceDetector* detector, AnalyzerOptions options);
  ~FragmentAnalyzer();

  // Records, in pts order, for the sampled frames of `f` that show faces. FailedPrecondition
  // when the stream's video is not H.264/H.265 (or has no usable codec private data); DataLoss
  // when a frame does not decode; Internal when detection fails.
  Result<std::vector<DetectionRecord>> Analyze(std::string_view stream, const SourceFragment& f);
  // Forget decoder state (after a jump in the stream).
  void Reset();

  const AnalyzerStats& stats() const { return stats_; }

 private:
  Status EnsureDecoder(const media::TrackInfo& video);

  FaceDetector* const detector_;
  const AnalyzerOptions options_;
  std::unique_ptr<media::VideoDecoder> decoder_;
  std::optional<media::TrackInfo> decoder_track_;  // the track decoder_ was made for
  AnalyzerStats stats_;
};

}  // namespace sluice::consumers::face_detect

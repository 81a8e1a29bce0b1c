// SPDX-License-Identifier: Apache-2.0
// FragmentAnalyzer (fragment_analyzer.h).
#include "consumers/face_detect/fragment_analyzer.h"

#include <chrono>

#include "consumers/face_detect/frame_sampler.h"

namespace sluice::consumers::face_detect {
namespace {

int64_t ElapsedNs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              since)
      .count();
}

}  // namespace

FragmentAnalyzer::FragmentAnalyzer(FaceDetector* detector, AnalyzerOptions options)
    : detector_(detector), options_(options) {}

FragmentAnalyzer::~FragmentAnalyzer() = default;

void FragmentAnalyzer::Reset() {
  if (decoder_) decoder_->Reset();
}

Status FragmentAnalyzer::EnsureDecoder(const media::TrackInfo& video) {
  if (decoder_ && decoder_track_ == video) return OkStatus();
  decoder_.reset();
  decoder_track_.reset();
  auto created = media::VideoDecoder::Create(video);
  if (!created.ok()) {
    return FailedPreconditionError("cannot decode the video track: " + created.status().message());
  }
  decoder_ = std::move(*created);
  decoder_track_ = video;
  return OkStatus();
}

Result<std::vector<DetectionRecord>> FragmentAnalyzer::Analyze(std::string_view stream,
                                                               const SourceFragment& f) {
  ++stats_.fragments;
  const media::TrackInfo* video = f.header.VideoTrack();
  if (video == nullptr) return std::vector<DetectionRecord>();  // nothing to look at
  RETURN_IF_ERROR(EnsureDecoder(*video));

  FrameSampler sampler(options_.key_frames_only ? 0 : options_.fps);
  sampler.StartFragment(f.fragment.start_ns);
  media::DecodeOptions decode;
  decode.key_frames_only = options_.key_frames_only;
  decode.want = [&sampler](int64_t pts) { return sampler.Want(pts); };
  // Boxes are reported in the track's size; frames only need the detector's working width.
  const bool size_known = video->width > 0 && video->height > 0;
  if (size_known) decode.max_width = detector_->working_width();

  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::vector<media::DecodedFrame> frames,
                   decoder_->DecodeFragment(f.fragment, decode));
  stats_.decode_ns += ElapsedNs(start);
  for (const media::Frame& frame : f.fragment.frames) {
    if (frame.track_number == video->number && (frame.key() || !options_.key_frames_only)) {
      ++stats_.frames_decoded;
    }
  }

  std::vector<DetectionRecord> records;
  for (const media::DecodedFrame& frame : frames) {
    start = std::chrono::steady_clock::now();
    ASSIGN_OR_RETURN(
        std::vector<FaceBox> faces,
        detector_->Detect(frame, size_known ? video->width : 0, size_known ? video->height : 0));
    stats_.detect_ns += ElapsedNs(start);
    ++stats_.frames_analysed;
    if (faces.empty()) continue;
    ++stats_.frames_with_faces;
    DetectionRecord r;
    r.stream = std::string(stream);
    r.fragment_number = f.fragment_number;
    r.producer_timestamp = f.producer_timestamp;
    r.server_timestamp = f.server_timestamp;
    r.frame_timestamp = TimestampMs(f.producer_timestamp.value() +
                                    (frame.pts_ns - f.fragment.start_ns) / 1'000'000);
    r.frame_pts_ns = frame.pts_ns;
    r.width = size_known ? video->width : frame.width;
    r.height = size_known ? video->height : frame.height;
    r.faces = std::move(faces);
    r.model = detector_->model_name();
    r.record_id = RecordId{f.fragment_number, frame.pts_ns}.ToString();
    records.push_back(std::move(r));
  }
  return records;
}

}  // namespace sluice::consumers::face_detect

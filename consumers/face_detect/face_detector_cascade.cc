// SPDX-License-Identifier: Apache-2.0
// The cascade backend (Haar or LBP .xml): grey, scaled down to the working width, contrast
// equalised (CLAHE by default, see FaceDetectorOptions::equalize), then
// CascadeClassifier::detectMultiScale3 with reject levels so that every face gets its last stage's
// weight as a score.
#include <cmath>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "consumers/face_detect/face_detector_backends.h"

namespace sluice::consumers::face_detect::internal {
namespace {

class CascadeDetector : public FaceDetector {
 public:
  CascadeDetector(const FaceDetectorOptions& options, std::string name,
                  cv::CascadeClassifier classifier)
      : FaceDetector(std::move(name), options.working_width),
        options_(options),
        classifier_(std::move(classifier)),
        clahe_(cv::createCLAHE(/*clipLimit=*/2.0, cv::Size(8, 8))) {}

  Result<std::vector<FaceBox>> Detect(const media::DecodedFrame& frame, uint32_t source_width,
                                      uint32_t source_height) override {
    ASSIGN_OR_RETURN(cv::Mat bgr, WrapBgr(frame));
    try {
      cv::cvtColor(bgr, grey_, cv::COLOR_BGR2GRAY);
      cv::Mat* work = &grey_;
      const uint32_t max_width = options_.working_width;
      if (max_width > 0 && frame.width > max_width) {
        const int h = std::max(1, static_cast<int>(std::lround(static_cast<double>(frame.height) *
                                                               max_width / frame.width)));
        cv::resize(grey_, small_, cv::Size(static_cast<int>(max_width), h), 0, 0, cv::INTER_AREA);
        work = &small_;
      }
      switch (options_.equalize) {
        case FaceDetectorOptions::Equalize::kNone:
          work->copyTo(equalised_);
          break;
        case FaceDetectorOptions::Equalize::kGlobal:
          cv::equalizeHist(*work, equalised_);
          break;
        case FaceDetectorOptions::Equalize::kLocal:
          clahe_->apply(*work, equalised_);
          break;
      }
      std::vector<cv::Rect> found;
      std::vector<int> levels;
      std::vector<double> weights;
      const int min_px = static_cast<int>(options_.min_face_px);
      classifier_.detectMultiScale(equalised_, found, levels, weights, options_.scale_factor,
                                   options_.min_neighbors, 0, cv::Size(min_px, min_px), cv::Size(),
                                   /*outputRejectLevels=*/true);
      const cv::Size to = SourceSize(frame, source_width, source_height);
      std::vector<FaceBox> faces;
      faces.reserve(found.size());
      for (size_t i = 0; i < found.size(); ++i) {
        const double score = i < weights.size() ? weights[i] : 1.0;
        faces.push_back(MapBox(found[i], equalised_.size(), to, score));
      }
      return faces;
    } catch (const cv::Exception& e) {
      return InternalError(std::string("cascade detection failed: ") + e.what());
    }
  }

 private:
  const FaceDetectorOptions options_;
  cv::CascadeClassifier classifier_;
  cv::Ptr<cv::CLAHE> clahe_;
  // Scratch images, reused from frame to frame.
  cv::Mat grey_;
  cv::Mat small_;
  cv::Mat equalised_;
};

}  // namespace

Result<std::unique_ptr<FaceDetector>> CreateCascadeDetector(const FaceDetectorOptions& options,
                                                            const std::string& cascade_path) {
  if (!std::ifstream(cascade_path).good()) {
    return InvalidArgumentError("cannot read the cascade " + cascade_path +
                                " (Debian: apt install opencv-data)");
  }
  if (options.scale_factor <= 1.0 || options.min_neighbors < 0) {
    return InvalidArgumentError("cascade scale factor must be > 1 and min neighbours >= 0");
  }
  cv::CascadeClassifier classifier;
  try {
    if (!classifier.load(cascade_path) || classifier.empty()) {
      return InvalidArgumentError(cascade_path + " is not an OpenCV cascade");
    }
  } catch (const cv::Exception& e) {
    return InvalidArgumentError(cascade_path + " is not an OpenCV cascade: " + e.what());
  }
  const std::string stem = FileStem(cascade_path);
  const std::string kind = stem.rfind("lbp", 0) == 0 ? "lbp:" : "haar:";
  return std::unique_ptr<FaceDetector>(
      new CascadeDetector(options, kind + stem, std::move(classifier)));
}

}  // namespace sluice::consumers::face_detect::internal

// SPDX-License-Identifier: Apache-2.0
// The DNN backend: any model cv::dnn::readNet loads whose output is SSD detections, a [1, 1, N, 7]
// blob of (image id, label, confidence, x1, y1, x2, y2) with corners in 0..1 of the input, as the
// res10_300x300_ssd face detector gives. Input: the frame resized to a square, BGR, mean
// (104, 177, 123) subtracted (the res10 training setup).
#include <fstream>
#include <opencv2/dnn.hpp>

#include "consumers/face_detect/face_detector_backends.h"

namespace sluice::consumers::face_detect::internal {
namespace {

constexpr int kSsdColumns = 7;

class DnnDetector : public FaceDetector {
 public:
  DnnDetector(const FaceDetectorOptions& options, cv::dnn::Net net)
      : FaceDetector("dnn:" + FileStem(options.model_path), options.working_width),
        options_(options),
        net_(std::move(net)) {}

  Result<std::vector<FaceBox>> Detect(const media::DecodedFrame& frame, uint32_t source_width,
                                      uint32_t source_height) override {
    ASSIGN_OR_RETURN(cv::Mat bgr, WrapBgr(frame));
    try {
      const int side = static_cast<int>(options_.dnn_input_size);
      cv::Mat blob =
          cv::dnn::blobFromImage(bgr, 1.0, cv::Size(side, side), cv::Scalar(104.0, 177.0, 123.0),
                                 /*swapRB=*/false, /*crop=*/false);
      net_.setInput(blob);
      cv::Mat out = net_.forward();
      if (out.depth() != CV_32F || out.total() % kSsdColumns != 0) {
        return InternalError("DNN output is not SSD detections ([1, 1, N, 7] floats)");
      }
      const cv::Mat rows(static_cast<int>(out.total() / kSsdColumns), kSsdColumns, CV_32F,
                         out.ptr<float>());
      const cv::Size to = SourceSize(frame, source_width, source_height);
      std::vector<FaceBox> faces;
      for (int i = 0; i < rows.rows; ++i) {
        const float* r = rows.ptr<float>(i);
        const float confidence = r[2];
        if (!(confidence >= options_.confidence)) continue;  // also drops NaN
        const cv::Rect2d unit(r[3], r[4], r[5] - r[3], r[6] - r[4]);
        if (!(unit.width > 0 && unit.height > 0)) continue;
        FaceBox box = MapBox(unit, cv::Size(1, 1), to, confidence);
        if (box.w > 0 && box.h > 0) faces.push_back(box);
      }
      return faces;
    } catch (const cv::Exception& e) {
      return InternalError(std::string("DNN detection failed: ") + e.what());
    }
  }

 private:
  const FaceDetectorOptions options_;
  cv::dnn::Net net_;
};

}  // namespace

Result<std::unique_ptr<FaceDetector>> CreateDnnDetector(const FaceDetectorOptions& options) {
  for (const std::string& path : {options.model_path, options.config_path}) {
    if (!path.empty() && !std::ifstream(path).good()) {
      return InvalidArgumentError("cannot read the model file " + path);
    }
  }
  if (options.dnn_input_size == 0) return InvalidArgumentError("DNN input size must be > 0");
  try {
    cv::dnn::Net net = cv::dnn::readNet(options.model_path, options.config_path);
    if (net.empty()) return InvalidArgumentError(options.model_path + " holds no network");
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return std::unique_ptr<FaceDetector>(new DnnDetector(options, std::move(net)));
  } catch (const cv::Exception& e) {
    return InvalidArgumentError("cv::dnn cannot read " + options.model_path + ": " + e.what());
  }
}

}  // namespace sluice::consumers::face_detect::internal

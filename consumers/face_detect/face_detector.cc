// SPDX-License-Identifier: Apache-2.0
// FaceDetector::Create (picks the cascade or the DNN backend from the model path) and the helpers
// both backends share.
#include "consumers/face_detect/face_detector.h"

#include <algorithm>
#include <cmath>

#include "consumers/face_detect/face_detector_backends.h"

namespace sluice::consumers::face_detect {

std::string FileStem(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
  const size_t dot = path.find_last_of('.');
  if (dot != std::string_view::npos && dot > 0) path = path.substr(0, dot);
  return std::string(path);
}

Result<std::unique_ptr<FaceDetector>> FaceDetector::Create(const FaceDetectorOptions& options) {
  const std::string& model = options.model_path;
  if (model.empty()) return internal::CreateCascadeDetector(options, options.haar_cascade);
  if (model.size() > 4 && model.compare(model.size() - 4, 4, ".xml") == 0) {
    return internal::CreateCascadeDetector(options, model);
  }
  return internal::CreateDnnDetector(options);
}

namespace internal {

Result<cv::Mat> WrapBgr(const media::DecodedFrame& frame) {
  if (frame.width == 0 || frame.height == 0) return InvalidArgumentError("empty frame");
  if (frame.stride < frame.width * 3 || frame.bgr.size() < size_t{frame.stride} * frame.height) {
    return InvalidArgumentError("frame buffer of " + std::to_string(frame.bgr.size()) +
                                " bytes is too short for " + std::to_string(frame.width) + "x" +
                                std::to_string(frame.height) + " BGR");
  }
  // OpenCV only reads through this Mat; the const_cast never leads to a write.
  return cv::Mat(static_cast<int>(frame.height), static_cast<int>(frame.width), CV_8UC3,
                 const_cast<char*>(frame.bgr.data()), frame.stride);
}

FaceBox MapBox(const cv::Rect2d& box, cv::Size from, cv::Size to, double score) {
  const double sx = static_cast<double>(to.width) / from.width;
  const double sy = static_cast<double>(to.height) / from.height;
  const int x0 = std::clamp(static_cast<int>(std::lround(box.x * sx)), 0, to.width);
  const int y0 = std::clamp(static_cast<int>(std::lround(box.y * sy)), 0, to.height);
  const int x1 = std::clamp(static_cast<int>(std::lround((box.x + box.width) * sx)), 0, to.width);
  const int y1 = std::clamp(static_cast<int>(std::lround((box.y + box.height) * sy)), 0, to.height);
  return FaceBox{.x = x0, .y = y0, .w = x1 - x0, .h = y1 - y0, .score = score};
}

cv::Size SourceSize(const media::DecodedFrame& frame, uint32_t width, uint32_t height) {
  if (width == 0 || height == 0) {
    return cv::Size(static_cast<int>(frame.width), static_cast<int>(frame.height));
  }
  return cv::Size(static_cast<int>(width), static_cast<int>(height));
}

}  // namespace internal
}  // namespace sluice::consumers::face_detect

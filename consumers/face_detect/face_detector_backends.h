// SPDX-License-Identifier: Apache-2.0
// Internal to face_detector*.cc: the two OpenCV backends behind FaceDetector (a cascade and a DNN
// detector) and the helpers they share (wrapping a DecodedFrame as a cv::Mat without copying,
// mapping boxes back to source pixels). Not for use outside consumers/face_detect/.
#pragma once

#include <memory>
#include <opencv2/core.hpp>

#include "base/result.h"
#include "consumers/face_detect/face_detector.h"

namespace sluice::consumers::face_detect::internal {

Result<std::unique_ptr<FaceDetector>> CreateCascadeDetector(const FaceDetectorOptions& options,
                                                            const std::string& cascade_path);
Result<std::unique_ptr<FaceDetector>> CreateDnnDetector(const FaceDetectorOptions& options);

// The frame's pixels as an 8UC3 Mat (no copy; valid while `frame` lives). InvalidArgument when
// the frame is empty or its buffer is shorter than height * stride.
Result<cv::Mat> WrapBgr(const media::DecodedFrame& frame);

// Scales a box found in a `from` picture to a `to` picture and clamps it inside `to`.
FaceBox MapBox(const cv::Rect2d& box, cv::Size from, cv::Size to, double score);

// The size boxes are reported in: the source size when given, else the frame's.
cv::Size SourceSize(const media::DecodedFrame& frame, uint32_t width, uint32_t height);

}  // namespace sluice::consumers::face_detect::internal

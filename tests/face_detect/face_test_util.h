// SPDX-License-Identifier: Apache-2.0
// Test helpers for the face-detection consumer: the face photo (Debian's python-matplotlib-data
// grace_hopper.jpg) and a face-free pattern as DecodedFrames, and the expected face region.
// Header-only because tests/face_detect globs only *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "consumers/face_detect/face_detector.h"
#include "media/frame_decoder.h"

namespace sluice::consumers::face_detect::testing {

inline const std::string kFacePhoto = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg";

inline media::DecodedFrame FromMat(const cv::Mat& bgr) {
  media::DecodedFrame f;
  f.width = static_cast<uint32_t>(bgr.cols);
  f.height = static_cast<uint32_t>(bgr.rows);
  f.stride = f.width * 3;
  f.bgr.resize(size_t{f.stride} * f.height);
  for (int y = 0; y < bgr.rows; ++y) {
    std::memcpy(f.bgr.data() + size_t{f.stride} * y, bgr.ptr(y), f.stride);
  }
  return f;
}

// Colour bars, a gradient, circles and text: busy, but no face.
inline cv::Mat TestPattern(int width, int height) {
  cv::Mat m(height, width, CV_8UC3);
  const cv::Scalar bars[] = {{255, 255, 255}, {0, 255, 255}, {255, 255, 0}, {0, 255, 0},
                             {255, 0, 255},   {0, 0, 255},   {255, 0, 0},   {0, 0, 0}};
  for (int i = 0; i < 8; ++i) {
    cv::rectangle(m, cv::Rect(i * width / 8, 0, width / 8 + 1, height / 2), bars[i], cv::FILLED);
  }
  for (int x = 0; x < width; ++x) {
    const int v = 255 * x / width;
    cv::line(m, {x, height / 2}, {x, height}, cv::Scalar(v, v, v));
  }
  for (int i = 0; i < 5; ++i) {
    cv::circle(m, {width / 6 + i * width / 6, height * 3 / 4}, height / 10,
               cv::Scalar(40 * i, 255 - 40 * i, 128), 3);
  }
  cv::putText(m, "SLUICE 12:34:56", {width / 10, height * 9 / 10}, cv::FONT_HERSHEY_SIMPLEX, 1.5,
              cv::Scalar(0, 0, 0), 3);
  return m;
}

// The face in grace_hopper.jpg (512x600) lies around x 150..380, y 100..330.
inline void ExpectOverFace(const FaceBox& b, double scale = 1.0, int offset_x = 0,
                           int offset_y = 0) {
  const double cx = (b.x + b.w / 2.0 - offset_x) / scale;
  const double cy = (b.y + b.h / 2.0 - offset_y) / scale;
  EXPECT_GT(cx, 200);
  EXPECT_LT(cx, 330);
  EXPECT_GT(cy, 150);
  EXPECT_LT(cy, 290);
  EXPECT_GT(b.w / scale, 120);
  EXPECT_LT(b.w / scale, 320);
}

#define REQUIRE_FACE_PHOTO()                                                        \
  if (!std::ifstream(::sluice::consumers::face_detect::testing::kFacePhoto).good()) \
  GTEST_SKIP() << "python-matplotlib-data is not installed"

}  // namespace sluice::consumers::face_detect::testing

// SPDX-License-Identifier: Apache-2.0
// FaceDetector: finds faces in one decoded frame (media::DecodedFrame, packed BGR) with OpenCV:
// a Haar cascade (Debian's opencv-data frontal face cascade by default, or any cascade .xml), or
// an OpenCV DNN detector with SSD-style output ([1, 1, N, 7] rows of image, label, confidence,
// x1, y1, x2, y2 in 0..1, as res10_300x300_ssd gives) loaded with cv::dnn::readNet. Boxes come
// back in pixels of the source frame. OpenCV stays behind this header.
// Thread-safety: a detector belongs to one thread at a time (OpenCV keeps scratch state).
// Example:
//   ASSIGN_OR_RETURN(auto detector, FaceDetector::Create({}));
//   ASSIGN_OR_RETURN(std::vector<FaceBox> faces, detector->Detect(frame));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "media/frame_decoder.h"

namespace sluice::consumers::face_detect {

inline constexpr std::string_view kDefaultHaarCascade =
    "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

// One face: a box in source pixels and the detector's score. Haar cascades score with the
// weight of their last stage (higher is surer; no fixed range); DNN detectors with their
// confidence in 0..1.
struct FaceBox {
  int x = 0;
  int y = 0;
  int w = 0;
  int h = 0;
  double score = 0;
  friend bool operator==(const FaceBox&, const FaceBox&) = default;
};

struct FaceDetectorOptions {
  // Empty: the Haar cascade `haar_cascade`. A path ending in .xml: that cascade (Haar or LBP).
  // Any other path: a DNN model for cv::dnn::readNet (.caffemodel, .onnx, .pb, ...).
  std::string model_path;
  // DNN only: the network description some formats need (Caffe .prototxt, TensorFlow .pbtxt).
  std::string config_path;
  std::string haar_cascade = std::string(kDefaultHaarCascade);
  // Cascades: frames wider than this are scaled down (aspect kept) before detection; boxes are
  // mapped back. 0: detect at full size.
  uint32_t working_width = 640;
  // Cascades: contrast equalisation of the grey picture before detection. Local (CLAHE) is the
  // default: a global histogram equalisation of a frame with large uniform areas (letterboxing,
  // a dark room) squeezes the face's contrast and the cascade misses it.
  enum class Equalize { kNone, kGlobal, kLocal };
  Equalize equalize = Equalize::kLocal;
  double scale_factor = 1.1;      // cascades: image pyramid step
  int min_neighbors = 5;          // cascades: overlapping hits a face needs
  uint32_t min_face_px = 24;      // cascades: smallest face, in working pixels
  float confidence = 0.5f;        // DNN: lowest confidence kept
  uint32_t dnn_input_size = 300;  // DNN: the square input the network takes
};

class FaceDetector {
 public:
  // InvalidArgument when the model cannot be loaded (missing file, not a cascade, not a model
  // cv::dnn can read).
  static Result<std::unique_ptr<FaceDetector>> Create(const FaceDetectorOptions& options);
  virtual ~FaceDetector() = default;

  // Faces in `frame`, boxes in a `source_width` x `source_height` picture (the frame the decoder
  // scaled down from; 0 = the frame's own size). InvalidArgument for an empty or short frame;
  // Internal when OpenCV fails.
  virtual Result<std::vector<FaceBox>> Detect(const media::DecodedFrame& frame,
                                              uint32_t source_width = 0,
                                              uint32_t source_height = 0) = 0;

  // "haar:<cascade file stem>" or "dnn:<model file stem>", as detection records name it.
  const std::string& model_name() const { return model_name_; }
  // The largest width worth decoding to (0: any): a decoder may scale frames down to this.
  uint32_t working_width() const { return working_width_; }

 protected:
  FaceDetector(std::string model_name, uint32_t working_width)
      : model_name_(std::move(model_name)), working_width_(working_width) {}

 private:
  const std::string model_name_;
  const uint32_t working_width_;
};

// "/a/b/haarcascade_frontalface_default.xml" -> "haarcascade_frontalface_default".
std::string FileStem(std::string_view path);

}  // namespace sluice::consumers::face_detect

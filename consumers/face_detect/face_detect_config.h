// SPDX-License-Identifier: Apache-2.0
// The "face_detect" key of sluice.json: which video streams the server runs face detection on.
//   "face_detect": [
//     {"stream": "cam1",                        required: the video stream
//      "output_stream": "cam1-detections",      default "<stream>-detections"
//      "fps": 2,                                frames analysed per second of video (default 2)
//      "key_frames_only": false,                analyse key frames only instead
//      "model": "/path/to/model.onnx",          default: the Haar cascade from opencv-data; a
//                                               .xml is a cascade, anything else a cv::dnn model
//      "model_config": "/path/deploy.prototxt", DNN: the description file some formats need
//      "confidence": 0.5,                       DNN: lowest confidence kept
//      "start": "earliest"}                     earliest | now: where a new consumer starts
//   ]
#pragma once

#include <string_view>
#include <vector>

#include "base/result.h"
#include "consumers/face_detect/face_detect_consumer.h"

namespace sluice::consumers::face_detect {

// Parses the JSON value of the "face_detect" key (an array of objects). InvalidArgument, naming
// the entry and member, for anything else, unknown members included.
Result<std::vector<FaceDetectOptions>> ParseFaceDetectConfig(std::string_view json_text);

}  // namespace sluice::consumers::face_detect

// SPDX-License-Identifier: Apache-2.0
// The detection record: what the face-detection consumer writes to its output data stream, one
// JSON object per analysed frame that has faces, partition key = the video stream's name (so one
// video stream's records stay in order on one shard). Default output stream: "<stream>-detections".
//
//   {
//     "stream": "cam1",                      the video stream
//     "fragment_number": "9134...",          the frame's fragment (decimal, as GetMedia names it)
//     "producer_timestamp": 1700000000000,   fragment start on the producer's clock, ms epoch
//     "server_timestamp": 1700000000050,     fragment arrival at the server, ms epoch
//     "frame_timestamp": 1700000000500,      producer_timestamp + the frame's offset in the
//                                            fragment (pts - fragment start), ms epoch
//     "frame_pts_ns": 500000000,             the frame's pts on the stream's MKV timeline, ns
//     "width": 1280, "height": 720,          the frame's size in pixels
//     "faces": [{"x": 472, "y": 168, "w": 362, "h": 362, "score": 4.2}],  boxes in frame pixels
//     "model": "haar:haarcascade_frontalface_default",
//     "record_id": "9134...:500000000"       "<fragment_number>:<frame_pts_ns>"
//   }
//
// record_id is unique per video stream and ordered (fragment number as a number, then pts): a
// restarted consumer skips every frame whose id it finds already written, which is what makes
// its output exactly-once (face_detect_consumer.h). Unknown members are ignored on decode.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"
#include "base/result.h"
#include "consumers/face_detect/face_detector.h"

namespace sluice::consumers::face_detect {

struct DetectionRecord {
  std::string stream;
  std::string fragment_number;
  TimestampMs producer_timestamp;
  TimestampMs server_timestamp;
  TimestampMs frame_timestamp;
  int64_t frame_pts_ns = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<FaceBox> faces;
  std::string model;
  std::string record_id;

  friend bool operator==(const DetectionRecord&, const DetectionRecord&) = default;
};

std::string EncodeDetectionRecord(const DetectionRecord& record);
// InvalidArgument when the text is not JSON or a member is missing or of the wrong type.
Result<DetectionRecord> DecodeDetectionRecord(std::string_view json);

// A record id split into its parts; ordered by fragment number (as a number), then pts.
struct RecordId {
  std::string fragment_number;
  int64_t pts_ns = 0;

  std::string ToString() const;  // "<fragment_number>:<pts_ns>"
  // InvalidArgument unless the text is "<digits>:<signed integer>".
  static Result<RecordId> Parse(std::string_view text);
  friend std::strong_ordering operator<=>(const RecordId& a, const RecordId& b);
  friend bool operator==(const RecordId& a, const RecordId& b) { return (a <=> b) == 0; }
};

// Orders decimal fragment numbers as numbers (leading zeros ignored); < 0, 0 or > 0.
int CompareFragmentNumbers(std::string_view a, std::string_view b);

// "<stream>-detections".
std::string DefaultOutputStream(std::string_view video_stream);

}  // namespace sluice::consumers::face_detect

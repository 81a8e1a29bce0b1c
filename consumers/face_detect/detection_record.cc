// SPDX-License-Identifier: Apache-2.0
// Detection record JSON (layout in detection_record.h) and record id ordering.
#include "consumers/face_detect/detection_record.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace sluice::consumers::face_detect {
namespace {

using nlohmann::json;

template <typename T>
Status Take(const json& j, const char* key, T* out) {
  const auto it = j.find(key);
  if (it == j.end()) return InvalidArgumentError(std::string("detection record lacks ") + key);
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return InvalidArgumentError(std::string(key) + " must be a string");
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!it->is_number()) return InvalidArgumentError(std::string(key) + " must be a number");
  } else {
    if (!it->is_number_integer()) {
      return InvalidArgumentError(std::string(key) + " must be an integer");
    }
  }
  *out = it->get<T>();
  return OkStatus();
}

Status TakeTime(const json& j, const char* key, TimestampMs* out) {
  int64_t v = 0;
  RETURN_IF_ERROR(Take(j, key, &v));
  *out = TimestampMs(v);
  return OkStatus();
}

std::string_view TrimZeros(std::string_view s) {
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  return s;
}

}  // namespace

std::string EncodeDetectionRecord(const DetectionRecord& r) {
  json faces = json::array();
  for (const FaceBox& f : r.faces) {
    faces.push_back({{"x", f.x}, {"y", f.y}, {"w", f.w}, {"h", f.h}, {"score", f.score}});
  }
  // Members in the documented order (ordered_json keeps insertion order) for readable output.
  nlohmann::ordered_json j;
  j["stream"] = r.stream;
  j["fragment_number"] = r.fragment_number;
  j["producer_timestamp"] = r.producer_timestamp.value();
  j["server_timestamp"] = r.server_timestamp.value();
  j["frame_timestamp"] = r.frame_timestamp.value();
  j["frame_pts_ns"] = r.frame_pts_ns;
  j["width"] = r.width;
  j["height"] = r.height;
  j["faces"] = faces;
  j["model"] = r.model;
  j["record_id"] = r.record_id;
  return j.dump();
}

Result<DetectionRecord> DecodeDetectionRecord(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return InvalidArgumentError("detection record is not a JSON object");
  DetectionRecord r;
  RETURN_IF_ERROR(Take(j, "stream", &r.stream));
  RETURN_IF_ERROR(Take(j, "fragment_number", &r.fragment_number));
  RETURN_IF_ERROR(TakeTime(j, "producer_timestamp", &r.producer_timestamp));
  RETURN_IF_ERROR(TakeTime(j, "server_timestamp", &r.server_timestamp));
  RETURN_IF_ERROR(TakeTime(j, "frame_timestamp", &r.frame_timestamp));
  RETURN_IF_ERROR(Take(j, "frame_pts_ns", &r.frame_pts_ns));
  RETURN_IF_ERROR(Take(j, "width", &r.width));
  RETURN_IF_ERROR(Take(j, "height", &r.height));
  RETURN_IF_ERROR(Take(j, "model", &r.model));
  RETURN_IF_ERROR(Take(j, "record_id", &r.record_id));
  const auto faces = j.find("faces");
  if (faces == j.end() || !faces->is_array()) {
    return InvalidArgumentError("detection record lacks the faces array");
  }
  for (const json& f : *faces) {
    if (!f.is_object()) return InvalidArgumentError("a face must be an object");
    FaceBox box;
    RETURN_IF_ERROR(Take(f, "x", &box.x));
    RETURN_IF_ERROR(Take(f, "y", &box.y));
    RETURN_IF_ERROR(Take(f, "w", &box.w));
    RETURN_IF_ERROR(Take(f, "h", &box.h));
    RETURN_IF_ERROR(Take(f, "score", &box.score));
    r.faces.push_back(box);
  }
  return r;
}

std::string RecordId::ToString() const { return fragment_number + ":" + std::to_string(pts_ns); }

Result<RecordId> RecordId::Parse(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgumentError("record id must be <fragment_number>:<pts_ns>");
  }
  RecordId id;
  id.fragment_number = std::string(text.substr(0, colon));
  if (id.fragment_number.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgumentError("record id fragment number must be decimal");
  }
  const std::string_view pts = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(pts.data(), pts.data() + pts.size(), id.pts_ns);
  if (ec != std::errc() || end != pts.data() + pts.size() || pts.empty()) {
    return InvalidArgumentError("record id pts must be an integer");
  }
  return id;
}

std::strong_ordering operator<=>(const RecordId& a, const RecordId& b) {
  const int c = CompareFragmentNumbers(a.fragment_number, b.fragment_number);
  if (c != 0) return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
  return a.pts_ns <=> b.pts_ns;
}

int CompareFragmentNumbers(std::string_view a, std::string_view b) {
  a = TrimZeros(a);
  b = TrimZeros(b);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string DefaultOutputStream(std::string_view video_stream) {
  return std::string(video_stream) + "-detections";
}

}  // namespace sluice::consumers::face_detect

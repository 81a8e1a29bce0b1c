// SPDX-License-Identifier: Apache-2.0
// ParseFaceDetectConfig (face_detect_config.h).
#include "consumers/face_detect/face_detect_config.h"

#include <nlohmann/json.hpp>

namespace sluice::consumers::face_detect {
namespace {

using nlohmann::json;

Status Entry(const json& e, const std::string& where, FaceDetectOptions* o) {
  if (!e.is_object()) return InvalidArgumentError(where + ": expected an object");
  for (const auto& [key, value] : e.items()) {
    const std::string at = where + "." + key;
    const auto text = [&](std::string* out) -> Status {
      if (!value.is_string()) return InvalidArgumentError(at + ": expected a string");
      *out = value.get<std::string>();
      return OkStatus();
    };
    if (key == "stream") {
      RETURN_IF_ERROR(text(&o->stream));
    } else if (key == "output_stream") {
      RETURN_IF_ERROR(text(&o->output_stream));
    } else if (key == "model") {
      RETURN_IF_ERROR(text(&o->detector.model_path));
    } else if (key == "model_config") {
      RETURN_IF_ERROR(text(&o->detector.config_path));
    } else if (key == "fps" || key == "confidence") {
      if (!value.is_number() || value.get<double>() < 0) {
        return InvalidArgumentError(at + ": expected a number >= 0");
      }
      if (key == "fps") o->sampling.fps = value.get<double>();
      if (key == "confidence") o->detector.confidence = value.get<float>();
    } else if (key == "key_frames_only") {
      if (!value.is_boolean()) return InvalidArgumentError(at + ": expected true or false");
      o->sampling.key_frames_only = value.get<bool>();
    } else if (key == "start") {
      std::string start;
      RETURN_IF_ERROR(text(&start));
      if (start == "earliest") {
        o->initial.type = StartPosition::Type::kEarliest;
      } else if (start == "now") {
        o->initial.type = StartPosition::Type::kNow;
      } else {
        return InvalidArgumentError(at + ": expected earliest or now");
      }
    } else {
      return InvalidArgumentError(at + ": unknown setting");
    }
  }
  if (o->stream.empty()) return InvalidArgumentError(where + ": stream is required");
  return OkStatus();
}

}  // namespace

Result<std::vector<FaceDetectOptions>> ParseFaceDetectConfig(std::string_view json_text) {
  const json doc = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (!doc.is_array()) return InvalidArgumentError("face_detect: expected an array of streams");
  std::vector<FaceDetectOptions> out;
  for (size_t i = 0; i < doc.size(); ++i) {
    FaceDetectOptions o;
    RETURN_IF_ERROR(Entry(doc[i], "face_detect[" + std::to_string(i) + "]", &o));
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace sluice::consumers::face_detect

// SPDX-License-Identifier: Apache-2.0
// CamerasApi: JSON shapes and Status -> error mapping of the camera API.

#include "web/api/cameras_api.h"

namespace sluice::web::api {
namespace {

CamerasReply Error(int status, std::string type, std::string_view message) {
  CamerasReply r{.status = status, .error_type = type};
  r.body = {{"__type", type}, {"message", message}};
  return r;
}

CamerasReply ErrorOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return Error(400, "InvalidArgumentException", s.message());
    case StatusCode::kNotFound:
      return Error(404, "ResourceNotFoundException", s.message());
    case StatusCode::kAlreadyExists:
      return Error(409, "ResourceInUseException", s.message());
    default:
      return Error(500, "InternalFailure", s.message());
  }
}

// A JSON object body, or the 400 to answer.
bool ParseObject(std::string_view body, nlohmann::json* out, CamerasReply* error) {
  *out = nlohmann::json::parse(body, nullptr, false);
  if (out->is_discarded() || !out->is_object()) {
    *error = Error(400, "InvalidArgumentException", "the body must be a JSON object");
    return false;
  }
  return true;
}

// The string field `key`, "" when absent; false (with the 400) when present but not a string.
bool StringField(const nlohmann::json& o, const char* key, std::string* out, CamerasReply* error) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return true;
  if (!it->is_string()) {
    *error = Error(400, "InvalidArgumentException", std::string(key) + " must be a string");
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

}  // namespace

nlohmann::json CameraStatusJson(const ingest::CameraStatus& s) {
  nlohmann::json j = {{"Name", s.config.name},
                      {"Url", s.config.url},
                      {"StreamName", s.config.stream_name},
                      {"Transport", s.config.transport},
                      {"Connected", s.connected},
                      {"LastFragmentTime", nullptr},
                      {"LastError", nullptr},
                      {"ReconnectCount", s.reconnects},
                      {"FragmentCount", s.fragments}};
  if (s.last_fragment) j["LastFragmentTime"] = static_cast<double>(s.last_fragment->value()) / 1000;
  if (!s.last_error.empty()) j["LastError"] = s.last_error;
  return j;
}

CamerasReply CamerasApi::List() {
  nlohmann::json cameras = nlohmann::json::array();
  for (const ingest::CameraStatus& s : cameras_->List()) cameras.push_back(CameraStatusJson(s));
  return {.body = {{"Cameras", std::move(cameras)}}};
}

CamerasReply CamerasApi::Get(std::string_view name) {
  auto s = cameras_->Get(name);
  if (!s.ok()) return ErrorOf(s.status());
  return {.body = CameraStatusJson(*s)};
}

CamerasReply CamerasApi::Add(std::string_view body) {
  nlohmann::json o;
  CamerasReply error;
  ingest::CameraConfig config;
  if (!ParseObject(body, &o, &error) || !StringField(o, "Name", &config.name, &error) ||
      !StringField(o, "Url", &config.url, &error) ||
      !StringField(o, "StreamName", &config.stream_name, &error) ||
      !StringField(o, "Transport", &config.transport, &error)) {
    return error;
  }
  if (config.name.empty() || config.url.empty()) {
    return Error(400, "InvalidArgumentException", "Name and Url are required");
  }
  auto added = cameras_->Add(std::move(config));
  if (!added.ok()) return ErrorOf(added.status());
  return {.body = CameraStatusJson(*added)};
}

CamerasReply CamerasApi::Remove(std::string_view name) {
  if (name.empty()) return Error(400, "InvalidArgumentException", "Name is required");
  const Status s = cameras_->Remove(name);
  if (!s.ok()) return ErrorOf(s);
  return {.body = nlohmann::json::object()};
}

CamerasReply CamerasApi::RemoveBody(std::string_view body) {
  nlohmann::json o;
  CamerasReply error;
  std::string name;
  if (!ParseObject(body, &o, &error) || !StringField(o, "Name", &name, &error)) return error;
  return Remove(name);
}

}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// CamerasApi: the camera JSON API (not an AWS protocol), transport-free over ingest::CameraManager.
// Requests and responses are JSON objects with AWS-style field names:
//   camera   := {"Name","Url","StreamName","Transport":"tcp"|"udp"}
//   status   := camera + {"Connected":bool, "LastFragmentTime":epoch seconds|null,
//                         "LastError":string|null, "ReconnectCount":n, "FragmentCount":n}
//   List -> {"Cameras":[status...]}; Get/Add -> status; Remove -> {}
// Errors: {"__type", "message"}: 400 InvalidArgumentException, 404 ResourceNotFoundException,
// 409 ResourceInUseException (name taken), 500 InternalFailure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ingest/camera_manager.h"

namespace sluice::web::api {

struct CamerasReply {
  int status = 200;
  nlohmann::json body;     // the whole response body
  std::string error_type;  // set for errors (also in body["__type"])
};

class CamerasApi {
 public:
  // `cameras` must outlive this object.
  explicit CamerasApi(ingest::CameraManager* cameras) : cameras_(cameras) {}

  CamerasReply List();
  CamerasReply Get(std::string_view name);
  CamerasReply Add(std::string_view body);     // a camera object
  CamerasReply Remove(std::string_view name);  // also accepts a body {"Name"} via RemoveBody
  CamerasReply RemoveBody(std::string_view body);

 private:
  ingest::CameraManager* const cameras_;
};

nlohmann::json CameraStatusJson(const ingest::CameraStatus& status);

}  // namespace sluice::web::api

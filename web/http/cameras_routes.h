// SPDX-License-Identifier: Apache-2.0
// The camera API's routes (JSON, not an AWS protocol):
//   GET  /cameras                 -> 200 {"Cameras":[status...]}
//   GET  /cameras/status?name=N   -> 200 status | 404
//   POST /cameras                 {"Name","Url","StreamName"?,"Transport"?} -> 200 status | 400 |
//   409 POST /cameras/remove          {"Name"} -> 200 {} | 404 DELETE /cameras?name=N        ->
//   same as /cameras/remove
// Shapes and errors: web/api/cameras_api.h.
#pragma once

#include "ingest/camera_manager.h"
#include "web/http/router.h"

namespace sluice::web {

// `cameras` must outlive the router.
void AddCameraRoutes(Router* router, ingest::CameraManager* cameras);

}  // namespace sluice::web

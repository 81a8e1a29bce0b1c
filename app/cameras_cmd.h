// SPDX-License-Identifier: Apache-2.0
// `sluice cameras`: adds, lists and removes the RTSP cameras a server pulls, through its camera
// JSON API (web/api/cameras_api.h).
#pragma once

#include <string_view>
#include <vector>

namespace sluice::app {

extern const std::string_view kCamerasUsage;

// Process exit code: 0 success, 1 server error or failure, 2 bad usage.
int RunCameras(const std::vector<std::string_view>& args);

}  // namespace sluice::app

// SPDX-License-Identifier: Apache-2.0
// `sluice put-media`: streams an MKV file, stdin or the GStreamer test source to a server's
// PutMedia and prints the acks. See put_media_cmd.cc for the options.
#pragma once

#include <string_view>
#include <vector>

namespace sluice::app {

extern const std::string_view kPutMediaUsage;

// Process exit code: 0 when every fragment was acknowledged without an ERROR ack, 1 on an ERROR
// ack, an HTTP error or a failure, 2 for bad usage.
int RunPutMedia(const std::vector<std::string_view>& args);

}  // namespace sluice::app

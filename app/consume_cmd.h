// SPDX-License-Identifier: Apache-2.0
// `sluice consume face-detect`: the face-detection consumer run as its own process against a
// remote server, over GetMedia and the Kinesis data-stream API. See consume_cmd.cc.
#pragma once

#include <string_view>
#include <vector>

namespace sluice::app {

extern const std::string_view kConsumeUsage;

// Process exit code: 0 after SIGINT/SIGTERM, 1 on a failure that retrying cannot mend (a model
// that does not load), 2 for bad usage.
int RunConsume(const std::vector<std::string_view>& args);

}  // namespace sluice::app

// SPDX-License-Identifier: Apache-2.0
// RunServe: the composition root of `sluice serve`. Opens the engine, builds the APIs and the
// HTTP server, prints the listening line, waits for SIGINT/SIGTERM, then shuts down in order
// (HTTP drain, then engine Close).
#pragma once

#include "app/serve_config.h"

namespace sluice::app {

// Process exit code: 0 after a clean shutdown, 1 if startup failed (message on stderr).
int RunServe(const ServeConfig& config);

}  // namespace sluice::app

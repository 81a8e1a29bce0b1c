// SPDX-License-Identifier: Apache-2.0
// The server's iterator-signing secret: 32 random bytes in <data>/server.secret (mode 0600),
// created on first start and reused after, so that shard iterators survive a restart.
#pragma once

#include <string>

#include "base/result.h"

namespace sluice::app {

inline constexpr size_t kServerSecretBytes = 32;

// Reads <data_dir>/server.secret, creating it (atomically, 0600) if absent. FailedPrecondition
// if the file exists but is not a secret this server wrote.
Result<std::string> LoadOrCreateServerSecret(const std::string& data_dir);

}  // namespace sluice::app

// SPDX-License-Identifier: Apache-2.0
// Identifiers AWS puts on every response: x-amzn-RequestId (a UUID v4) and x-amz-id-2 (random
// base64). Both come from OpenSSL's CSPRNG.
#pragma once

#include <string>

namespace sluice::web {

// "f0c2b6de-3a55-4f4e-9c1d-6a1b2c3d4e5f"
std::string NewRequestId();
// 64 characters of base64 over 48 random bytes.
std::string NewAmzId2();

}  // namespace sluice::web

// SPDX-License-Identifier: Apache-2.0
// The two CRC32C implementations behind crc32c::Extend, exposed so that tests can check they agree.
// Everything else calls crc32c::Extend, which picks the fast one once per process.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::crc32c::internal {

// Table-driven (slicing-by-4); runs everywhere.
uint32_t ExtendPortable(uint32_t init_crc, const char* data, size_t n);
// SSE4.2 crc32 instruction. Only call it when HardwareAvailable() is true.
uint32_t ExtendHardware(uint32_t init_crc, const char* data, size_t n);
// True when this CPU has SSE4.2 (always false on non-x86 builds).
bool HardwareAvailable();

}  // namespace sluice::crc32c::internal

// SPDX-License-Identifier: Apache-2.0
// Fuzzes AWS CBOR 1.1 request bodies: the structural pre-check, nlohmann's reader, every
// accessor, re-encoding.

#include "tests/fuzz/codec_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sluice::web::api::fuzz::FuzzBody(data, size, sluice::web::api::WireFormat::kCbor);
}

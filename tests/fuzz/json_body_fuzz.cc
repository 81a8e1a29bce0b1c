// SPDX-License-Identifier: Apache-2.0
// Fuzzes AWS JSON 1.1 request bodies: DecodeBody, every accessor, re-encoding.

#include "tests/fuzz/codec_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sluice::web::api::fuzz::FuzzBody(data, size, sluice::web::api::WireFormat::kJson);
}

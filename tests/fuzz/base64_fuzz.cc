// SPDX-License-Identifier: Apache-2.0
// Fuzzes base64: decoding arbitrary text never crashes, and encode/decode round-trip exactly.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "web/api/wire_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sluice::web::api::Base64Decode;
  using sluice::web::api::Base64Encode;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string encoded = Base64Encode(input);
  auto decoded = Base64Decode(encoded);
  if (!decoded.ok() || *decoded != input) std::abort();
  auto as_text = Base64Decode(input);
  if (as_text.ok()) {
    // Valid text decodes to bytes whose encoding decodes to the same bytes.
    auto again = Base64Decode(Base64Encode(*as_text));
    if (!again.ok() || *again != *as_text) std::abort();
    size_t padding = 0;
    while (padding < input.size() && input[input.size() - 1 - padding] == '=') ++padding;
    if (as_text->size() != input.size() / 4 * 3 - padding) std::abort();
  }
  return 0;
}

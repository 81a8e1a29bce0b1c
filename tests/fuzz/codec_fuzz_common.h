// SPDX-License-Identifier: Apache-2.0
// Shared body of the JSON and CBOR body fuzzers: decode, call every typed accessor on every
// member (and on the members of nested objects), re-encode in both formats and check that our
// own output always decodes again.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "web/api/wire_codec.h"

namespace sluice::web::api::fuzz {

inline void ExerciseAccessors(const nlohmann::json& obj, WireFormat format, int depth) {
  if (!obj.is_object() || depth > 4) return;
  for (const auto& [key, value] : obj.items()) {
    GetString(obj, key).status().IgnoreError();
    GetInt(obj, key).status().IgnoreError();
    GetBool(obj, key).status().IgnoreError();
    GetBlob(obj, key, format).status().IgnoreError();
    GetTimestampMs(obj, key).status().IgnoreError();
    if (value.is_object()) ExerciseAccessors(value, format, depth + 1);
    if (value.is_array()) {
      for (const auto& element : value) ExerciseAccessors(element, format, depth + 1);
    }
  }
  GetString(obj, "absent").status().IgnoreError();
}

inline int FuzzBody(const uint8_t* data, size_t size, WireFormat format) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto decoded = DecodeBody(body, format);
  if (!decoded.ok()) return 0;
  if (!decoded->is_object()) std::abort();  // DecodeBody promises an object
  ExerciseAccessors(*decoded, format, 0);
  for (WireFormat out : {WireFormat::kJson, WireFormat::kCbor}) {
    auto again = DecodeBody(EncodeBody(*decoded, out), out);
    if (!again.ok()) std::abort();  // our encoder's output must always decode
  }
  return 0;
}

}  // namespace sluice::web::api::fuzz

// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the wire codec's translation units (decode, encode, CBOR checks). Not a public
// interface: only web/api/wire_codec*.cc include this.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::web::api::internal {

// Deepest container nesting a request body may have. AWS request shapes nest a few levels; the
// limit keeps every recursive walk (the CBOR reader, our encoder, fuzzers) far from the stack end.
inline constexpr int kMaxBodyDepth = 64;

// Length of the well-formed UTF-8 sequence starting at s[i] (1-4), or 0 if the bytes there are not
// one (overlong forms, surrogates and code points above U+10FFFF are rejected).
size_t Utf8SequenceLength(std::string_view s, size_t i);
bool IsValidUtf8(std::string_view s);

// Checks that `bytes` hold exactly one well-formed CBOR data item nested at most `max_depth` deep,
// with valid UTF-8 text strings and no declared length past the end of the input. Run before
// nlohmann's recursive reader so that hostile input cannot exhaust the stack.
// Tags carry no meaning for AWS shapes (tag 1 only marks a timestamp), and nlohmann's reader
// rejects tags 0-5, so when the item has any, `*untagged` receives a copy without the tag heads
// and `*had_tags` is set.
Status CheckCborWellFormed(std::string_view bytes, int max_depth, std::string* untagged,
                           bool* had_tags);

// Checks that JSON text never nests containers more than `max_depth` deep (strings are skipped;
// well-formedness is left to the parser).
Status CheckJsonDepth(std::string_view text, int max_depth);

}  // namespace sluice::web::api::internal

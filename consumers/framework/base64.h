// SPDX-License-Identifier: Apache-2.0
// Standard base64 (RFC 4648, with padding) for record data in the JSON that consumer plugins
// write (delivery files and posts, batch-command events), as the Kinesis APIs encode it.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace sluice::consumers {

std::string Base64Encode(std::string_view bytes);
// InvalidArgument for characters outside the alphabet or a bad length.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace sluice::consumers

// SPDX-License-Identifier: Apache-2.0
// Gzip (RFC 1952) of a whole buffer in memory, for compressed delivery: a raw deflate stream from
// Beast's zlib port (header-only, so no extra library to link) between the gzip header and its
// CRC-32 / length trailer. Readable by gzip(1), zcat and every HTTP client.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace sluice::consumers::deliver {

Result<std::string> GzipCompress(std::string_view data);

}  // namespace sluice::consumers::deliver

// SPDX-License-Identifier: Apache-2.0
// Text forms of times in playlists and manifests: ISO 8601 UTC with milliseconds
// (#EXT-X-PROGRAM-DATE-TIME, MPD availabilityStartTime/publishTime), seconds with three decimals
// (#EXTINF) and xs:duration (MPD "PT12.345S"). Pure functions; any epoch value, negative included.
#pragma once

#include <cstdint>
#include <string>

#include "base/ids.h"

namespace sluice::consumers::playback {

// "2023-11-14T22:13:20.123Z"
std::string IsoTime(TimestampMs t);
// 2002 -> "2.002"; -5 -> "-0.005"
std::string Seconds3(int64_t ms);
// 12345 -> "PT12.345S" (negative values are clamped to 0)
std::string DashDuration(int64_t ms);

}  // namespace sluice::consumers::playback

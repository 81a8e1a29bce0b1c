// SPDX-License-Identifier: Apache-2.0
// The per-stream fsync policy as a stream tag. Kinesis has no field for it, so a stream carries it
// as the tag `sluice:fsync-policy` = always | never | interval:<ms>, set at CreateStream or with
// AddTagsToStream (any aws CLI or SDK can), and removed with RemoveTagsFromStream (back to the
// server's default).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/types.h"
#include "web/api/api_call.h"

namespace sluice::web::api::kinesis {

inline constexpr std::string_view kFsyncPolicyTag = "sluice:fsync-policy";

// The policy the tags ask for, `fallback` when they do not name one, or an
// InvalidArgumentException naming the bad value.
struct FsyncFromTags {
  engine::FsyncPolicy policy;
  std::optional<ApiResult> error;
};
FsyncFromTags FsyncPolicyFromTags(const std::map<std::string, std::string>& tags,
                                  const engine::FsyncPolicy& fallback);

}  // namespace sluice::web::api::kinesis

// SPDX-License-Identifier: Apache-2.0
// Reads the `sluice:fsync-policy` stream tag (see kinesis_fsync_tag.h).
#include "web/api/kinesis_fsync_tag.h"

#include "web/api/kinesis_validation.h"

namespace sluice::web::api::kinesis {

FsyncFromTags FsyncPolicyFromTags(const std::map<std::string, std::string>& tags,
                                  const engine::FsyncPolicy& fallback) {
  auto it = tags.find(std::string(kFsyncPolicyTag));
  if (it == tags.end()) return {fallback, std::nullopt};
  Result<engine::FsyncPolicy> parsed = engine::FsyncPolicy::Parse(it->second);
  if (!parsed.ok()) {
    return {fallback, InvalidArgument("Tag " + std::string(kFsyncPolicyTag) + " has value '" +
                                      it->second +
                                      "'; it must be always, never or interval:<milliseconds>.")};
  }
  return {*parsed, std::nullopt};
}

}  // namespace sluice::web::api::kinesis

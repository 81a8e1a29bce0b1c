// SPDX-License-Identifier: Apache-2.0
// StoreTest: an EmbeddedStore over MemEnv + ManualClock (catalog in a real temp folder), with
// helpers to reopen it, simulate power loss and find a shard's segment files.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/mem_env.h"
#include "engine/embedded_store.h"
#include "tests/support/store_helpers.h"
#include "tests/support/temp_dir.h"

namespace sluice::engine {

using sluice::testing::PutAndWait;
using sluice::testing::PutToShardAndWait;
using sluice::testing::ReadAll;
using sluice::testing::Rec;
using sluice::testing::WaitFor;

inline constexpr int64_t kStartMs = 1'700'000'000'000;
inline constexpr int64_t kHourMs = 3600 * 1000;

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() : clock_(TimestampMs(kStartMs)) {
    options_.data_dir = dir_.path();
    options_.env = &env_;
    options_.clock = &clock_;
    options_.retention_check_interval_ms = 0;  // tests call RunRetentionOnce themselves
  }

  void Open() {
    auto r = EmbeddedStore::Open(options_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    store_ = std::move(*r);
  }
  void Reopen() {
    store_.reset();
    Open();
  }
  // Power loss: unsynced bytes vanish, then the process "restarts".
  void CrashAndReopen() {
    env_.DropUnsyncedData();
    store_.reset();
    env_.DropUnsyncedData();
    Open();
  }

  StreamInfo Create(const std::string& name, uint32_t shards = 1,
                    FsyncPolicy policy = FsyncPolicy()) {
    StreamConfig c;
    c.name = name;
    c.shard_count = shards;
    c.fsync = policy;
    auto r = store_->CreateStream(c);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : StreamInfo();
  }

  std::string ShardDir(const StreamInfo& s, uint32_t shard = 0) const {
    return dir_.path() + "/streams/" + std::to_string(s.id.value()) + "/shard-" +
           std::to_string(shard);
  }
  // Sorted paths of the shard's files with this extension (".log" or ".tix").
  std::vector<std::string> Files(const StreamInfo& s, const std::string& ext, uint32_t shard = 0) {
    std::vector<std::string> out;
    auto names = env_.ListDir(ShardDir(s, shard));
    if (!names.ok()) return out;
    for (auto& n : *names) {
      if (n.size() > ext.size() && n.ends_with(ext)) out.push_back(ShardDir(s, shard) + "/" + n);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Puts n records of `size` bytes each, one Put per record, all to shard 0 of a 1-shard stream.
  std::vector<Appended> PutMany(const std::string& stream, int n, size_t size = 100,
                                const std::string& tag = "r") {
    std::vector<Appended> out;
    for (int i = 0; i < n; i++) {
      std::string data = tag + std::to_string(i);
      data.resize(std::max(size, data.size()), 'x');
      auto r = PutAndWait(store_.get(), stream, {Rec("key" + std::to_string(i), data)});
      EXPECT_TRUE(r[0].ok()) << r[0].status().ToString();
      if (r[0].ok()) out.push_back(*r[0]);
    }
    return out;
  }

  sluice::testing::TempDir dir_;
  MemEnv env_;
  ManualClock clock_;
  EmbeddedStoreOptions options_;
  std::unique_ptr<EmbeddedStore> store_;
};

}  // namespace sluice::engine

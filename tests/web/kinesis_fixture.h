// SPDX-License-Identifier: Apache-2.0
// KinesisTest: a KinesisApi over a real embedded store (segments in MemEnv, catalog in a temp
// folder, ManualClock), with helpers that send one call and wait for its reply.
// Example: CreateStream("s", 4); json out = Ok("PutRecord", {{"StreamName", "s"}, ...});
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/mem_env.h"
#include "engine/stream_store.h"
#include "tests/support/temp_dir.h"
#include "web/api/kinesis_api.h"
#include "web/api/wire_codec.h"

namespace sluice::web::api {

using nlohmann::json;

inline constexpr int64_t kStartMs = 1'700'000'000'000;
inline constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";

class KinesisTest : public ::testing::Test {
 protected:
  KinesisTest() : clock_(TimestampMs(kStartMs)) {
    options_.data_dir = dir_.path();
    options_.env = &env_;
    options_.clock = &clock_;
    options_.retention_check_interval_ms = 0;
    OpenStore();
  }

  void OpenStore() {
    auto r = engine::OpenEmbeddedStore(options_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    store_ = std::move(*r);
    api_ = std::make_unique<KinesisApi>(store_.get(), ApiOptions());
  }

  KinesisApi::Options ApiOptions() {
    KinesisApi::Options o;
    o.iterator_secret = kSecret;
    o.clock = &clock_;
    return o;
  }

  ApiResult Call(const std::string& op, json input, WireFormat format = WireFormat::kJson) {
    auto promise = std::make_shared<std::promise<ApiResult>>();
    auto future = promise->get_future();
    auto calls = std::make_shared<int>(0);
    api_->Handle({op, std::move(input), format, "req-1"}, [promise, calls](ApiResult r) {
      if (++*calls == 1) promise->set_value(std::move(r));
    });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      ADD_FAILURE() << op << " never replied";
      return ApiResult::Fail("Timeout", "no reply");
    }
    return future.get();
  }

  // The output of a call that must succeed.
  json Ok(const std::string& op, json input, WireFormat format = WireFormat::kJson) {
    ApiResult r = Call(op, std::move(input), format);
    EXPECT_FALSE(r.error.has_value())
        << op << ": " << (r.error ? r.error->type + ": " + r.error->message : "");
    return r.output;
  }

  // The error type of a call that must fail ("" if it succeeded).
  std::string Err(const std::string& op, json input, std::string* message = nullptr) {
    ApiResult r = Call(op, std::move(input));
    if (!r.error) return "";
    if (message != nullptr) *message = r.error->message;
    return r.error->type;
  }

  void CreateStream(const std::string& name, int shards = 1) {
    Ok("CreateStream", {{"StreamName", name}, {"ShardCount", shards}});
  }

  static std::string B64(const std::string& bytes) { return Base64Encode(bytes); }

  json Put(const std::string& stream, const std::string& data, const std::string& key) {
    return Ok("PutRecord", {{"StreamName", stream}, {"Data", B64(data)}, {"PartitionKey", key}});
  }

  std::string Iterator(const std::string& stream, const std::string& shard, const std::string& type,
                       json extra = json::object()) {
    extra["StreamName"] = stream;
    extra["ShardId"] = shard;
    extra["ShardIteratorType"] = type;
    return Ok("GetShardIterator", extra).value("ShardIterator", "");
  }

  // Data of every record of a shard, read from TRIM_HORIZON until caught up.
  std::vector<std::string> ReadShard(const std::string& stream,
                                     const std::string& shard = "shardId-000000000000") {
    std::vector<std::string> out;
    std::string it = Iterator(stream, shard, "TRIM_HORIZON");
    for (int page = 0; page < 1000 && !it.empty(); ++page) {
      json r = Ok("GetRecords", {{"ShardIterator", it}});
      if (!r.contains("Records") || r["Records"].empty()) break;
      for (const auto& rec : r["Records"]) {
        const auto& bin = rec["Data"].get_binary();
        out.emplace_back(bin.begin(), bin.end());
      }
      it = r.value("NextShardIterator", "");
    }
    return out;
  }

  sluice::testing::TempDir dir_;
  MemEnv env_;
  ManualClock clock_;
  engine::EmbeddedStoreOptions options_;
  std::unique_ptr<engine::StreamStore> store_;
  std::unique_ptr<KinesisApi> api_;
};

}  // namespace sluice::web::api

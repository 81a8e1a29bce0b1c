// SPDX-License-Identifier: Apache-2.0
// Stream administration: validation, shard limit, delete and re-create (new folder, numbers never
// repeat), settings persisted in the catalog, and interrupted create/delete finished on open.
#include <gtest/gtest.h>

#include "index/catalog.h"
#include "tests/engine/store_fixture.h"

namespace sluice::engine {
namespace {

class StreamAdminTest : public StoreTest {};

TEST_F(StreamAdminTest, CreateValidatesNameShardsAndRetention) {
  Open();
  auto code = [&](StreamConfig c) { return store_->CreateStream(c).status().code(); };
  EXPECT_EQ(code({.name = ""}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({.name = "bad name"}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({.name = std::string(129, 'a')}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({.name = "ok", .shard_count = 0}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({.name = "ok", .retention_hours = 23}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({.name = "ok", .retention_hours = 8761}), StatusCode::kInvalidArgument);
  auto info = store_->CreateStream({.name = "Ok_name.1-x", .shard_count = 3});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->status, StreamStatus::kActive);
  EXPECT_EQ(info->arn, "arn:aws:kinesis:us-east-1:000000000000:stream/Ok_name.1-x");
  EXPECT_EQ(info->shards[2].ShardId(), "shardId-000000000002");
  EXPECT_EQ(code({.name = "Ok_name.1-x"}), StatusCode::kAlreadyExists);
  EXPECT_EQ(*store_->StreamNameForArn(info->arn), "Ok_name.1-x");
}

TEST_F(StreamAdminTest, ShardLimitIsResourceExhausted) {
  options_.shard_limit = 5;
  Open();
  ASSERT_TRUE(store_->CreateStream({.name = "a", .shard_count = 4}).ok());
  auto r = store_->CreateStream({.name = "b", .shard_count = 2});
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("limit of 5"), std::string::npos);
  EXPECT_EQ(store_->OpenShardCount(), 4u);
  EXPECT_TRUE(store_->CreateStream({.name = "b", .shard_count = 1}).ok());
}

TEST_F(StreamAdminTest, PutValidatesKeyAndSize) {
  Open();
  ASSERT_TRUE(store_->CreateStream({.name = "v", .max_record_bytes = 100}).ok());
  auto r =
      PutAndWait(store_.get(), "v",
                 {Rec("", "x"), Rec("k", std::string(100, 'x')), Rec("k", std::string(99, 'x'))});
  EXPECT_EQ(r[0].status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r[1].status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(r[2].ok());
  EXPECT_EQ(r[2]->counter.value(), 0u);
  EXPECT_EQ(PutAndWait(store_.get(), "nope", {Rec("k", "v")})[0].status().code(),
            StatusCode::kNotFound);
}

TEST_F(StreamAdminTest, DeleteThenRecreateGetsNewFolderAndNeverRepeatsNumbers) {
  Open();
  StreamInfo first = Create("again");
  auto old = PutMany("again", 3);
  ASSERT_TRUE(store_->DeleteStream("again").ok());
  EXPECT_FALSE(env_.FileExists(ShardDir(first)));
  EXPECT_EQ(store_->DescribeStream("again").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteStream("again").code(), StatusCode::kNotFound);
  StreamInfo second = Create("again");  // same millisecond on the manual clock
  EXPECT_NE(second.id, first.id);
  EXPECT_GT(second.created, first.created);
  auto fresh = PutMany("again", 1);
  EXPECT_EQ(fresh[0].counter.value(), 0u);
  EXPECT_NE(fresh[0].sequence_number, old[0].sequence_number);
  EXPECT_GT(*ParseUint128(fresh[0].sequence_number), *ParseUint128(old[2].sequence_number));
  auto c = store_->CounterForSequenceNumber("again", ShardIndex(0), old[0].sequence_number);
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  ReadRequest req{.stream = "again", .expected_id = first.id, .shard = ShardIndex(0)};
  EXPECT_EQ(store_->Read(req).status().code(), StatusCode::kNotFound);
}

TEST_F(StreamAdminTest, SettingsPersistAcrossReopen) {
  Open();
  Create("set");
  ASSERT_TRUE(store_->AddTags("set", {{"team", "video"}, {"env", "dev"}}).ok());
  ASSERT_TRUE(store_->RemoveTags("set", {"env"}).ok());
  ASSERT_TRUE(store_->SetRetentionHours("set", 72).ok());
  EXPECT_EQ(store_->SetRetentionHours("set", 10).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->SetShardLevelMetrics("set", {"IncomingBytes"}).ok());
  ASSERT_TRUE(store_->SetSettingsJson("set", R"({"media":"video/h264"})").ok());
  ASSERT_TRUE(store_->SetFsyncPolicy("set", *FsyncPolicy::Parse("interval:50")).ok());
  Reopen();
  auto info = store_->DescribeStream("set");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->tags, (std::map<std::string, std::string>{{"team", "video"}}));
  EXPECT_EQ(info->retention_hours, 72);
  EXPECT_EQ(info->shard_level_metrics, std::vector<std::string>{"IncomingBytes"});
  EXPECT_EQ(info->settings_json, R"({"media":"video/h264"})");
  EXPECT_EQ(info->fsync.ToString(), "interval:50");
  ASSERT_EQ(store_->ListStreams().size(), 1u);
}

TEST_F(StreamAdminTest, InterruptedCreateAndDeleteAreFinishedOnOpen) {
  Open();
  StreamInfo doomed = Create("doomed");
  PutMany("doomed", 2);
  store_.reset();
  {
    auto catalog = index::Catalog::Open(dir_.path() + "/catalog.db");
    ASSERT_TRUE(catalog.ok());
    auto rows = (*catalog)->LoadStreams();
    ASSERT_TRUE(rows.ok());
    index::StreamRow row = rows->front();
    row.status = static_cast<int>(StreamStatus::kDeleting);
    ASSERT_TRUE((*catalog)->UpdateStream(row).ok());
    index::StreamRow half;
    half.name = "half";
    half.arn = "arn:aws:kinesis:us-east-1:000000000000:stream/half";
    half.status = static_cast<int>(StreamStatus::kCreating);
    half.created_ms = kStartMs;
    index::ShardRow shard;
    shard.index = ShardIndex(0);
    shard.hash_start = "0";
    shard.hash_end = FormatUint128(kUint128Max);
    shard.created_ms = kStartMs;
    ASSERT_TRUE((*catalog)->InsertStream(half, {shard}).ok());
  }
  Open();
  EXPECT_EQ(store_->DescribeStream("doomed").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(env_.FileExists(ShardDir(doomed)));
  auto half = store_->DescribeStream("half");
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->status, StreamStatus::kActive);
  EXPECT_TRUE(PutAndWait(store_.get(), "half", {Rec("k", "v")})[0].ok());
}

}  // namespace
}  // namespace sluice::engine

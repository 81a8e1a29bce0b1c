// SPDX-License-Identifier: Apache-2.0
// VideoStreams: the KVS control plane over the engine — create/describe/list/update/retention/
// delete/tags, versions, ARNs, validation, and the Status -> KVS exception mapping.
#include <gtest/gtest.h>

#include "tests/ingest/ingest_fixture.h"

namespace sluice::ingest {
namespace {

KvsError ErrorOf(const Status& s) { return KvsErrorOf(s); }

TEST_F(IngestTest, CreateDescribeAndArn) {
  auto created = streams_->Create({.name = "cam1",
                                   .device_name = "dev-1",
                                   .media_type = "video/h264,audio/aac",
                                   .data_retention_hours = 2,
                                   .tags = {{"site", "north"}}});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->arn, "arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam1/" +
                              std::to_string(created->created.value()));
  EXPECT_EQ(created->version.size(), kVersionLength);
  EXPECT_EQ(created->kms_key_id, "arn:aws:kms:us-east-1:000000000000:alias/aws/kinesisvideo");
  EXPECT_EQ(created->status, engine::StreamStatus::kActive);

  auto by_name = streams_->Describe({.name = "cam1"});
  auto by_arn = streams_->Describe({.arn = created->arn});
  ASSERT_TRUE(by_name.ok() && by_arn.ok());
  EXPECT_EQ(by_name->device_name, "dev-1");
  EXPECT_EQ(by_name->media_type, "video/h264,audio/aac");
  EXPECT_EQ(by_name->data_retention_hours, 2);
  EXPECT_EQ(by_name->version, created->version);
  EXPECT_EQ(by_arn->name, "cam1");
  EXPECT_EQ(by_name->tags.at("site"), "north");
  EXPECT_EQ(*streams_->ResolveName({.arn = created->arn}), "cam1");

  // The engine shape: one shard, kVideo, room for 50 MB fragments.
  auto info = store_->DescribeStream("cam1");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->kind, engine::StreamKind::kVideo);
  EXPECT_EQ(info->shards.size(), 1u);
  EXPECT_GE(info->max_record_bytes, 50ull << 20);

  EXPECT_EQ(ErrorOf(streams_->Create({.name = "cam1"}).status()), KvsError::kResourceInUse);
  EXPECT_EQ(ErrorOf(streams_->Describe({.name = "nope"}).status()), KvsError::kResourceNotFound);
  EXPECT_EQ(ErrorOf(streams_->Describe({.arn = "arn:aws:kinesisvideo:x:y:stream/nope/1"}).status()),
            KvsError::kResourceNotFound);
  EXPECT_EQ(ErrorOf(streams_->Describe({.name = "cam1", .arn = "arn:other"}).status()),
            KvsError::kResourceNotFound);
  EXPECT_EQ(ErrorOf(streams_->Describe({}).status()), KvsError::kInvalidArgument);
  // A data stream of the same engine is not a video stream.
  ASSERT_TRUE(store_->CreateStream({.name = "orders"}).ok());
  EXPECT_EQ(ErrorOf(streams_->Describe({.name = "orders"}).status()), KvsError::kResourceNotFound);
}

TEST_F(IngestTest, CreateValidation) {
  const std::string long_name(256, 'n');
  EXPECT_TRUE(streams_->Create({.name = long_name}).ok());  // KVS allows 256, Kinesis 128
  EXPECT_EQ(ErrorOf(streams_->Create({.name = long_name + "n"}).status()),
            KvsError::kInvalidArgument);
  EXPECT_EQ(ErrorOf(streams_->Create({.name = "bad name"}).status()), KvsError::kInvalidArgument);
  EXPECT_EQ(ErrorOf(streams_->Create({.name = "r", .data_retention_hours = -1}).status()),
            KvsError::kInvalidArgument);
  EXPECT_EQ(ErrorOf(streams_->Create({.name = "r", .data_retention_hours = 87601}).status()),
            KvsError::kInvalidArgument);
  EXPECT_TRUE(streams_->Create({.name = "r0", .data_retention_hours = 0}).ok());
  EXPECT_TRUE(streams_->Create({.name = "rmax", .data_retention_hours = 87600}).ok());
  EXPECT_EQ(ErrorOf(streams_->Create({.name = "m", .media_type = "h264"}).status()),
            KvsError::kInvalidArgument);
  EXPECT_EQ(ErrorOf(streams_->Create({.name = "d", .device_name = "a b"}).status()),
            KvsError::kInvalidArgument);
  std::map<std::string, std::string> tags;
  for (int i = 0; i < 51; i++) tags["k" + std::to_string(i)] = "v";
  EXPECT_EQ(ErrorOf(streams_->Create({.name = "t", .tags = tags}).status()),
            KvsError::kTagsPerResourceExceededLimit);

  VideoStreams limited(store_.get(), index_.get(), {.max_streams = 3});
  EXPECT_EQ(ErrorOf(limited.Create({.name = "over"}).status()),
            KvsError::kAccountStreamLimitExceeded);
}

TEST_F(IngestTest, UpdatesBumpTheVersionAndCheckIt) {
  const VideoStreamInfo v0 = CreateVideo("cam", 24);
  UpdateVideoStreamRequest u{{.name = "cam"}, v0.version, "dev-2", std::nullopt};
  ASSERT_TRUE(streams_->Update(u).ok());
  auto v1 = streams_->Describe({.name = "cam"});
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->device_name, "dev-2");
  EXPECT_EQ(v1->media_type, "video/h264");
  EXPECT_NE(v1->version, v0.version);
  // The old version is stale now.
  Status stale = streams_->Update(u);
  EXPECT_EQ(ErrorOf(stale), KvsError::kVersionMismatch) << stale.ToString();

  UpdateDataRetentionRequest inc{{.name = "cam"}, v1->version, RetentionChange::kIncrease, 48};
  ASSERT_TRUE(streams_->UpdateDataRetention(inc).ok());
  auto v2 = streams_->Describe({.name = "cam"});
  EXPECT_EQ(v2->data_retention_hours, 72);
  EXPECT_EQ(store_->DescribeStream("cam")->retention_hours, 72);
  UpdateDataRetentionRequest dec{{.name = "cam"}, v2->version, RetentionChange::kDecrease, 73};
  EXPECT_EQ(ErrorOf(streams_->UpdateDataRetention(dec)), KvsError::kInvalidArgument);
  dec.change_in_hours = 72;
  ASSERT_TRUE(streams_->UpdateDataRetention(dec).ok());
  EXPECT_EQ(streams_->Describe({.name = "cam"})->data_retention_hours, 0);
  dec.change_in_hours = 0;
  EXPECT_EQ(ErrorOf(streams_->UpdateDataRetention(dec)), KvsError::kInvalidArgument);

  // Delete checks the version when given.
  const std::string current = streams_->Describe({.name = "cam"})->version;
  EXPECT_EQ(ErrorOf(streams_->Delete({.name = "cam"}, v0.version)), KvsError::kVersionMismatch);
  ASSERT_TRUE(streams_->Delete({.name = "cam"}, current).ok());
  EXPECT_EQ(ErrorOf(streams_->Describe({.name = "cam"}).status()), KvsError::kResourceNotFound);
  EXPECT_EQ(ErrorOf(streams_->Delete({.name = "cam"}, std::nullopt)), KvsError::kResourceNotFound);
}

TEST_F(IngestTest, ListPagesByNameWithPrefix) {
  for (const char* n : {"cam-a", "cam-b", "cam-c", "door"}) CreateVideo(n);
  ASSERT_TRUE(store_->CreateStream({.name = "cam-data"}).ok());  // a data stream: not listed
  auto all = streams_->List({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->streams.size(), 4u);
  EXPECT_TRUE(all->next_token.empty());
  std::vector<std::string> names;
  ListVideoStreamsRequest req{.max_results = 2, .name_prefix = "cam"};
  while (true) {
    auto page = streams_->List(req);
    ASSERT_TRUE(page.ok());
    for (auto& s : page->streams) names.push_back(s.name);
    if (page->next_token.empty()) break;
    req.next_token = page->next_token;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"cam-a", "cam-b", "cam-c"}));
  EXPECT_EQ(ErrorOf(streams_->List({.max_results = 0}).status()), KvsError::kInvalidArgument);
}

TEST_F(IngestTest, Tags) {
  CreateVideo("cam");
  ASSERT_TRUE(streams_->Tag({.name = "cam"}, {{"a", "1"}, {"b", "2"}}).ok());
  ASSERT_TRUE(streams_->Untag({.name = "cam"}, {"a"}).ok());
  EXPECT_EQ(*streams_->ListTags({.name = "cam"}), (std::map<std::string, std::string>{{"b", "2"}}));
  std::map<std::string, std::string> many;
  for (int i = 0; i < 50; i++) many["k" + std::to_string(i)] = "v";
  EXPECT_EQ(ErrorOf(streams_->Tag({.name = "cam"}, many)), KvsError::kTagsPerResourceExceededLimit);
  EXPECT_EQ(ErrorOf(streams_->Tag({.name = "cam"}, {{"", "x"}})), KvsError::kInvalidArgument);
  EXPECT_EQ(ErrorOf(streams_->Untag({.name = "cam"}, {})), KvsError::kInvalidArgument);
  EXPECT_EQ(ErrorOf(streams_->Tag({.name = "zz"}, {{"a", "1"}})), KvsError::kResourceNotFound);
}

TEST(KvsErrorTest, NamesAndStatuses) {
  EXPECT_EQ(KvsErrorName(KvsErrorOf(NotFoundError("x"))), "ResourceNotFoundException");
  EXPECT_EQ(KvsHttpStatus(KvsErrorOf(NotFoundError("x"))), 404);
  EXPECT_EQ(KvsErrorName(KvsErrorOf(FailedPreconditionError("stream is DELETING"))),
            "ResourceInUseException");
  EXPECT_EQ(
      KvsErrorName(KvsErrorOf(FailedPreconditionError(std::string(kVersionMismatchPrefix) + "x"))),
      "VersionMismatchException");
  EXPECT_EQ(KvsHttpStatus(KvsError::kVersionMismatch), 400);
  EXPECT_EQ(KvsErrorName(KvsError::kNotAuthorized), "NotAuthorizedException");
  EXPECT_EQ(KvsHttpStatus(KvsError::kNotAuthorized), 401);
  EXPECT_EQ(KvsErrorOf(InternalError("fsync")), KvsError::kInternal);
  EXPECT_EQ(KvsHttpStatus(KvsError::kInternal), 500);
  EXPECT_EQ(KvsErrorOf(OkStatus()), KvsError::kNone);
}

}  // namespace
}  // namespace sluice::ingest

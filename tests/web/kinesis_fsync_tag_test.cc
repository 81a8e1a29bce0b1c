// SPDX-License-Identifier: Apache-2.0
// The per-stream fsync policy through the `sluice:fsync-policy` tag: set at creation, changed and
// removed with the tag operations, bad values refused without changing the stream.
#include "tests/web/kinesis_fixture.h"

namespace sluice::web::api {
namespace {

using FsyncTagTest = KinesisTest;

engine::FsyncPolicy PolicyOf(engine::StreamStore& store, const std::string& name) {
  auto info = store.DescribeStream(name);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return info.ok() ? info->fsync : engine::FsyncPolicy{};
}

TEST_F(FsyncTagTest, CreateStreamTakesThePolicyFromItsTag) {
  Ok("CreateStream", {{"StreamName", "fast"},
                      {"ShardCount", 1},
                      {"Tags", {{"sluice:fsync-policy", "interval:50"}}}});
  engine::FsyncPolicy p = PolicyOf(*store_, "fast");
  EXPECT_EQ(p.kind, engine::FsyncPolicy::Kind::kInterval);
  EXPECT_EQ(p.interval_ms, 50);
  CreateStream("plain");
  EXPECT_EQ(PolicyOf(*store_, "plain").kind, engine::FsyncPolicy::Kind::kAlways);
}

TEST_F(FsyncTagTest, BadPolicyValueIsRejectedAndNothingIsCreated) {
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "bad"},
                                 {"ShardCount", 1},
                                 {"Tags", {{"sluice:fsync-policy", "sometimes"}}}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("DescribeStreamSummary", {{"StreamName", "bad"}}), "ResourceNotFoundException");
}

TEST_F(FsyncTagTest, AddAndRemoveTagChangeThePolicy) {
  CreateStream("s");
  Ok("AddTagsToStream", {{"StreamName", "s"}, {"Tags", {{"sluice:fsync-policy", "never"}}}});
  EXPECT_EQ(PolicyOf(*store_, "s").kind, engine::FsyncPolicy::Kind::kNever);
  EXPECT_EQ(Err("AddTagsToStream",
                {{"StreamName", "s"}, {"Tags", {{"sluice:fsync-policy", "interval:x"}}}}),
            "InvalidArgumentException");
  EXPECT_EQ(PolicyOf(*store_, "s").kind, engine::FsyncPolicy::Kind::kNever);
  Ok("RemoveTagsFromStream", {{"StreamName", "s"}, {"TagKeys", {"sluice:fsync-policy"}}});
  EXPECT_EQ(PolicyOf(*store_, "s").kind, engine::FsyncPolicy::Kind::kAlways);
}

}  // namespace
}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// MemEnv fault injection: failing fsyncs, short writes on a full disk, power loss, flipped bytes.
#include "base/mem_env.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace sluice {
namespace {

std::unique_ptr<WritableFile> Open(MemEnv& env, const std::string& path) {
  auto f = env.NewAppendableFile(path);
  EXPECT_TRUE(f.ok());
  return std::move(f).value();
}

TEST(MemEnvTest, FailSyncsFailsExactlyN) {
  MemEnv env;
  auto f = Open(env, "/d/f");
  ASSERT_TRUE(f->Append("abc").ok());
  env.FailSyncs(2);
  Status s = f->Sync();
  EXPECT_EQ(StatusCode::kInternal, s.code());
  EXPECT_EQ("injected fsync failure", s.message());
  EXPECT_FALSE(f->Sync().ok());
  EXPECT_EQ(0u, env.sync_count());
  EXPECT_TRUE(f->Sync().ok());
  EXPECT_EQ(1u, env.sync_count());
  env.FailSyncs(1, UnavailableError("custom"));
  EXPECT_EQ(UnavailableError("custom"), f->Sync());
}

TEST(MemEnvTest, FailedSyncMakesNothingDurable) {
  MemEnv env;
  auto f = Open(env, "/d/f");
  ASSERT_TRUE(f->Append("durable").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("+lost").ok());
  env.FailSyncs(1);
  EXPECT_FALSE(f->Sync().ok());
  env.DropUnsyncedData();
  EXPECT_EQ("durable", *env.ReadFileToString("/d/f"));
}

TEST(MemEnvTest, WriteBudgetGivesShortWrite) {
  MemEnv env;
  auto f = Open(env, "/d/f");
  env.SetWriteBudget(10);
  ASSERT_TRUE(f->Append("123456").ok());
  Status s = f->Append("abcdefgh");  // only 4 bytes fit
  EXPECT_EQ(StatusCode::kResourceExhausted, s.code());
  EXPECT_NE(std::string::npos, s.message().find("No space left on device"));
  EXPECT_EQ(10u, f->Size());
  EXPECT_EQ("123456abcd", *env.ReadFileToString("/d/f"));
  EXPECT_EQ(StatusCode::kResourceExhausted, f->Append("x").code());
  EXPECT_TRUE(f->Append("").ok());  // writing nothing never fails
  env.SetWriteBudget(std::nullopt);
  EXPECT_TRUE(f->Append("x").ok());
  EXPECT_EQ(11u, f->Size());
}

TEST(MemEnvTest, WriteBudgetIsSharedAcrossFiles) {
  MemEnv env;
  auto a = Open(env, "/a");
  auto b = Open(env, "/b");
  env.SetWriteBudget(5);
  ASSERT_TRUE(a->Append("123").ok());
  EXPECT_FALSE(b->Append("456").ok());
  EXPECT_EQ(2u, b->Size());
}

TEST(MemEnvTest, DropUnsyncedDataKeepsOnlySyncedBytes) {
  MemEnv env;
  auto f = Open(env, "/d/seg.log");
  auto g = Open(env, "/d/never_synced");
  ASSERT_TRUE(f->Append("one").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("two").ok());
  ASSERT_TRUE(g->Append("zzz").ok());
  env.DropUnsyncedData();
  EXPECT_EQ("one", *env.ReadFileToString("/d/seg.log"));
  EXPECT_EQ(3u, f->Size());  // the open handle sees the loss too
  EXPECT_EQ(0u, *env.FileSize("/d/never_synced"));
  // Writing continues from the surviving end.
  ASSERT_TRUE(f->Append("three").ok());
  EXPECT_EQ("onethree", *env.ReadFileToString("/d/seg.log"));
}

TEST(MemEnvTest, TruncateLowersSyncedMark) {
  MemEnv env;
  auto f = Open(env, "/f");
  ASSERT_TRUE(f->Append("abcdef").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(env.TruncateFile("/f", 2).ok());
  ASSERT_TRUE(f->Append("XY").ok());  // not synced
  env.DropUnsyncedData();
  EXPECT_EQ("ab", *env.ReadFileToString("/f"));
}

TEST(MemEnvTest, CorruptByteFlipsOneByte) {
  MemEnv env;
  auto f = Open(env, "/f");
  ASSERT_TRUE(f->Append("abc").ok());
  env.CorruptByte("/f", 1);
  std::string got = *env.ReadFileToString("/f");
  ASSERT_EQ(3u, got.size());
  EXPECT_EQ('a', got[0]);
  EXPECT_NE('b', got[1]);
  EXPECT_EQ('c', got[2]);
  env.CorruptByte("/f", 1);  // flipping twice restores it
  EXPECT_EQ("abc", *env.ReadFileToString("/f"));
  env.CorruptByte("/f", 99);       // out of range: ignored
  env.CorruptByte("/missing", 0);  // absent: ignored
  EXPECT_EQ("abc", *env.ReadFileToString("/f"));
}

TEST(MemEnvTest, OpenReaderSurvivesRemoval) {
  MemEnv env;
  auto f = Open(env, "/f");
  ASSERT_TRUE(f->Append("data").ok());
  auto r = env.NewRandomAccessFile("/f");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(env.RemoveFile("/f").ok());
  char scratch[8];
  EXPECT_EQ("data", *(*r)->Read(0, 8, scratch));
  EXPECT_FALSE(env.FileExists("/f"));
}

TEST(MemEnvTest, PathsAreNormalised) {
  MemEnv env;
  auto f = Open(env, "/a//b/c");
  ASSERT_TRUE(f->Append("x").ok());
  EXPECT_TRUE(env.FileExists("/a/b/c"));
  EXPECT_TRUE(env.FileExists("/a/b/"));
  EXPECT_EQ((std::vector<std::string>{"c"}), *env.ListDir("/a/b/"));
  EXPECT_EQ((std::vector<std::string>{"a"}), *env.ListDir("/"));
}

TEST(MemEnvTest, RelativePaths) {
  MemEnv env;
  ASSERT_TRUE(env.WriteFileAtomically("top", "v").ok());  // parent is "."
  ASSERT_TRUE(env.CreateDirs("d/e").ok());
  auto names = *env.ListDir(".");
  std::sort(names.begin(), names.end());
  EXPECT_EQ((std::vector<std::string>{"d", "top"}), names);
}

}  // namespace
}  // namespace sluice

// SPDX-License-Identifier: Apache-2.0
// File-system behaviour every Env must share, run against both PosixEnv (on a temp dir) and MemEnv:
// append/read/size, truncate, rename, list, remove, atomic writes, error codes.
#include "base/env.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/mem_env.h"

namespace sluice {
namespace {

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class EnvTest : public ::testing::TestWithParam<bool> {  // param: true = PosixEnv
 protected:
  void SetUp() override {
    if (GetParam()) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-env-XXXXXX").string();
      ASSERT_NE(nullptr, ::mkdtemp(tmpl.data()));
      root_ = tmpl;
      env_ = PosixEnv();
    } else {
      mem_ = std::make_unique<MemEnv>();
      root_ = "/tmp/mem-root";
      env_ = mem_.get();
      ASSERT_TRUE(env_->CreateDirs(root_).ok());
    }
  }
  void TearDown() override {
    if (GetParam()) std::filesystem::remove_all(root_);
  }
  std::string Path(const std::string& name) const { return root_ + "/" + name; }

  void Write(const std::string& path, std::string_view data) {
    auto f = env_->NewAppendableFile(path);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE((*f)->Append(data).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  std::string Read(const std::string& path) {
    auto s = env_->ReadFileToString(path);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : "";
  }

  std::unique_ptr<MemEnv> mem_;
  Env* env_ = nullptr;
  std::string root_;
};

TEST_P(EnvTest, AppendReadSize) {
  const std::string p = Path("a.log");
  auto file = env_->NewAppendableFile(p);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(0u, (*file)->Size());
  ASSERT_TRUE((*file)->Append("hello ").ok());
  ASSERT_TRUE((*file)->Append("world").ok());
  EXPECT_EQ(11u, (*file)->Size());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_FALSE((*file)->Append("x").ok());

  // Reopening appends at the end and reports the existing size.
  auto again = env_->NewAppendableFile(p);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(11u, (*again)->Size());
  ASSERT_TRUE((*again)->Append("!").ok());
  ASSERT_TRUE((*again)->Close().ok());

  auto reader = env_->NewRandomAccessFile(p);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(12u, *(*reader)->Size());
  char scratch[64];
  auto got = (*reader)->Read(6, 5, scratch);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ("world", *got);
  got = (*reader)->Read(10, 50, scratch);  // short read at end of file
  ASSERT_TRUE(got.ok());
  EXPECT_EQ("d!", *got);
  got = (*reader)->Read(100, 5, scratch);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_EQ(12u, *env_->FileSize(p));
  EXPECT_EQ("hello world!", Read(p));
}

TEST_P(EnvTest, MissingFilesAreNotFound) {
  EXPECT_FALSE(env_->FileExists(Path("nope")));
  EXPECT_EQ(StatusCode::kNotFound, env_->NewRandomAccessFile(Path("nope")).status().code());
  EXPECT_EQ(StatusCode::kNotFound, env_->FileSize(Path("nope")).status().code());
  EXPECT_EQ(StatusCode::kNotFound, env_->ReadFileToString(Path("nope")).status().code());
  EXPECT_EQ(StatusCode::kNotFound, env_->RemoveFile(Path("nope")).code());
  EXPECT_EQ(StatusCode::kNotFound, env_->ListDir(Path("nope")).status().code());
  EXPECT_EQ(StatusCode::kNotFound, env_->RenameFile(Path("nope"), Path("x")).code());
  EXPECT_EQ(StatusCode::kNotFound, env_->TruncateFile(Path("nope"), 0).code());
}

TEST_P(EnvTest, Truncate) {
  const std::string p = Path("t.log");
  Write(p, "0123456789");
  ASSERT_TRUE(env_->TruncateFile(p, 4).ok());
  EXPECT_EQ(4u, *env_->FileSize(p));
  EXPECT_EQ("0123", Read(p));
  auto f = env_->NewAppendableFile(p);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(4u, (*f)->Size());
  ASSERT_TRUE((*f)->Append("xy").ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ("0123xy", Read(p));
}

TEST_P(EnvTest, RenameReplacesTarget) {
  Write(Path("from"), "new");
  Write(Path("to"), "old contents");
  ASSERT_TRUE(env_->RenameFile(Path("from"), Path("to")).ok());
  EXPECT_FALSE(env_->FileExists(Path("from")));
  EXPECT_EQ("new", Read(Path("to")));
}

TEST_P(EnvTest, RenameDirectory) {
  ASSERT_TRUE(env_->CreateDirs(Path("d1/sub")).ok());
  Write(Path("d1/sub/f"), "x");
  Write(Path("d1/g"), "y");
  ASSERT_TRUE(env_->RenameFile(Path("d1"), Path("d2")).ok());
  EXPECT_FALSE(env_->FileExists(Path("d1")));
  EXPECT_EQ("x", Read(Path("d2/sub/f")));
  EXPECT_EQ("y", Read(Path("d2/g")));
  EXPECT_EQ((std::vector<std::string>{"g", "sub"}), Sorted(*env_->ListDir(Path("d2"))));
}

TEST_P(EnvTest, CreateDirsAndListDir) {
  ASSERT_TRUE(env_->CreateDirs(Path("s/0")).ok());
  ASSERT_TRUE(env_->CreateDirs(Path("s/0")).ok());  // idempotent, like mkdir -p
  ASSERT_TRUE(env_->CreateDirs(Path("s/1/deep")).ok());
  ASSERT_TRUE(env_->CreateDirs(Path("s/empty")).ok());
  Write(Path("s/0/a.log"), "a");
  Write(Path("s/0/b.log"), "b");
  Write(Path("s/top"), "t");
  EXPECT_EQ((std::vector<std::string>{"0", "1", "empty", "top"}),
            Sorted(*env_->ListDir(Path("s"))));
  EXPECT_EQ((std::vector<std::string>{"a.log", "b.log"}), Sorted(*env_->ListDir(Path("s/0"))));
  EXPECT_TRUE(env_->ListDir(Path("s/empty"))->empty());
  EXPECT_TRUE(env_->FileExists(Path("s/1/deep")));
  ASSERT_TRUE(env_->SyncDir(Path("s/0")).ok());
  // A name that is a file cannot be listed or used as a parent directory.
  EXPECT_FALSE(env_->ListDir(Path("s/top")).ok());
  EXPECT_FALSE(env_->CreateDirs(Path("s/top/x")).ok());
}

TEST_P(EnvTest, RemoveFileAndDirRecursively) {
  ASSERT_TRUE(env_->CreateDirs(Path("r/x/y")).ok());
  Write(Path("r/x/y/f"), "1");
  Write(Path("r/x/g"), "2");
  Write(Path("r2"), "3");  // shares a name prefix with r but is not under it
  ASSERT_TRUE(env_->RemoveFile(Path("r/x/g")).ok());
  EXPECT_FALSE(env_->FileExists(Path("r/x/g")));
  ASSERT_TRUE(env_->RemoveDirRecursively(Path("r")).ok());
  EXPECT_FALSE(env_->FileExists(Path("r")));
  EXPECT_FALSE(env_->FileExists(Path("r/x/y/f")));
  EXPECT_TRUE(env_->FileExists(Path("r2")));
  EXPECT_TRUE(env_->RemoveDirRecursively(Path("r")).ok());  // absent: fine, like rm -rf
  EXPECT_EQ((std::vector<std::string>{"r2"}), Sorted(*env_->ListDir(root_)));
}

TEST_P(EnvTest, WriteFileAtomically) {
  const std::string p = Path("meta");
  ASSERT_TRUE(env_->WriteFileAtomically(p, "v1").ok());
  EXPECT_EQ("v1", Read(p));
  ASSERT_TRUE(env_->WriteFileAtomically(p, "version two").ok());
  EXPECT_EQ("version two", Read(p));
  EXPECT_FALSE(env_->FileExists(p + ".tmp"));
  ASSERT_TRUE(env_->WriteFileAtomically(p, "").ok());
  EXPECT_EQ("", Read(p));
  EXPECT_EQ((std::vector<std::string>{"meta"}), Sorted(*env_->ListDir(root_)));
}

TEST_P(EnvTest, ReadLargeFile) {
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); i++) big[i] = static_cast<char>(i * 7);
  Write(Path("big"), big);
  EXPECT_EQ(big, Read(Path("big")));
}

INSTANTIATE_TEST_SUITE_P(Envs, EnvTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Posix" : "Mem"; });

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// /dev/full fails every write with ENOSPC: the real disk-full path of PosixEnv.
TEST(PosixEnvTest, DiskFullIsResourceExhausted) {
  if (!PosixEnv()->FileExists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  auto f = PosixEnv()->NewAppendableFile("/dev/full");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Status s = (*f)->Append("x");
  EXPECT_EQ(StatusCode::kResourceExhausted, s.code());
  EXPECT_EQ("No space left on device: /dev/full", s.message());
}

TEST(PosixEnvTest, OtherErrorsAreInternalWithPathAndReason) {
  Status s = PosixEnv()->ListDir("/etc/passwd").status();  // ENOTDIR
  EXPECT_EQ(StatusCode::kInternal, s.code());
  EXPECT_EQ("opendir /etc/passwd: Not a directory", s.message());
}

}  // namespace
}  // namespace sluice

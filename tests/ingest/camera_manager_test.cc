// SPDX-License-Identifier: Apache-2.0
// CameraManager against a real RTSP server (tests/e2e/rtsp_test_server as a child process) and a
// real store: fragments land, a dropped server is reported and retried with backoff, ingest
// resumes by itself, the registry survives a reopen; the demo camera ingests its test source.

#include "ingest/camera_manager.h"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/ingest/ingest_fixture.h"
#include "tests/media/gst_test_server.h"

namespace sluice::ingest {
namespace {

using media::testing::RtspTestServer;
using sluice::testing::WaitFor;
constexpr auto kLong = std::chrono::seconds(30);

class CameraManagerTest : public IngestTest {
 protected:
  void OpenManager() {
    auto m = CameraManager::Open(store_.get(), index_.get(),
                                 {.db_path = dir_.path() + "/cameras.db",
                                  .initial_backoff_ms = 100,
                                  .max_backoff_ms = 400,
                                  .stall_timeout_ms = 3000});
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    manager_ = std::move(*m);
  }
  void TearDown() override {
    if (manager_) manager_->Stop();
  }
  CameraStatus Status(const std::string& name) {
    auto s = manager_->Get(name);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : CameraStatus{};
  }
  std::unique_ptr<CameraManager> manager_;
};

TEST_F(CameraManagerTest, PullsFragmentsIntoTheCreatedStream) {
  RtspTestServer server;
  if (!server.Start("h264")) GTEST_SKIP() << server.error();
  OpenManager();
  ASSERT_TRUE(manager_->Start().ok());
  auto added = manager_->Add({.name = "cam1", .url = server.url(), .stream_name = "lobby"});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->config.transport, "tcp");
  ASSERT_TRUE(streams_->Describe({.name = "lobby"}).ok());

  ASSERT_TRUE(WaitFor([&] { return Status("cam1").fragments >= 2; }, kLong));
  const CameraStatus s = Status("cam1");
  EXPECT_TRUE(s.connected);
  EXPECT_TRUE(s.last_fragment.has_value());
  EXPECT_EQ(s.reconnects, 0u);
  const auto fragments = ReadAllFragments("lobby");
  ASSERT_GE(fragments.size(), 2u);
  // Producer timestamps are wall-clock times (RELATIVE to the connection start).
  const int64_t now = SystemClock()->Now().value();
  EXPECT_NEAR(static_cast<double>(fragments.back().meta.producer_timestamp.value()),
              static_cast<double>(now), 60'000.0);
}

TEST_F(CameraManagerTest, ReconnectsAndResumesAfterTheServerDrops) {
  RtspTestServer server;
  if (!server.Start("h264")) GTEST_SKIP() << server.error();
  const int port = server.port();
  OpenManager();
  ASSERT_TRUE(manager_->Start().ok());
  ASSERT_TRUE(manager_->Add({.name = "cam1", .url = server.url()}).ok());
  ASSERT_TRUE(WaitFor([&] { return Status("cam1").fragments >= 1; }, kLong));

  server.Stop();
  ASSERT_TRUE(WaitFor(
      [&] {
        const CameraStatus s = Status("cam1");
        return !s.connected && !s.last_error.empty() && s.reconnects >= 2;
      },
      kLong));
  const uint64_t before = Status("cam1").fragments;

  ASSERT_TRUE(server.Start("h264", port)) << server.error();
  ASSERT_TRUE(WaitFor([&] { return Status("cam1").fragments >= before + 2; }, kLong))
      << Status("cam1").last_error;
  EXPECT_TRUE(Status("cam1").connected);
  EXPECT_GE(ReadAllFragments("cam1").size(), before + 2);
}

TEST_F(CameraManagerTest, RegistrySurvivesReopenAndResumesPulling) {
  RtspTestServer server;
  if (!server.Start("h264")) GTEST_SKIP() << server.error();
  OpenManager();
  ASSERT_TRUE(manager_->Add({.name = "a", .url = server.url()}).ok());
  ASSERT_TRUE(manager_->Add({.name = "b", .url = "rtsp://127.0.0.1:9/x", .transport = "udp"}).ok());
  EXPECT_EQ(Status("a").fragments, 0u) << "nothing pulls before Start()";
  manager_.reset();

  OpenManager();
  const auto list = manager_->List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].config.name, "a");
  EXPECT_EQ(list[1].config.transport, "udp");
  EXPECT_EQ(list[1].config.stream_name, "b");
  ASSERT_TRUE(manager_->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return Status("a").fragments >= 1; }, kLong));
  ASSERT_TRUE(WaitFor([&] { return !Status("b").last_error.empty(); }, kLong));
}

TEST_F(CameraManagerTest, ValidatesAndRemoves) {
  OpenManager();
  ASSERT_TRUE(manager_->Start().ok());
  EXPECT_EQ(manager_->Add({.name = "bad name", .url = "rtsp://h/x"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(manager_->Add({.name = "c", .url = "http://h/x"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(manager_->Add({.name = "c", .url = "rtsp://h/x", .transport = "sctp"}).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(manager_->Add({.name = "c", .url = "rtsp://127.0.0.1:9/x"}).ok());
  EXPECT_EQ(manager_->Add({.name = "c", .url = "rtsp://127.0.0.1:9/y"}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(manager_->Remove("nope").code(), StatusCode::kNotFound);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(manager_->Remove("c").ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_TRUE(manager_->List().empty());
  EXPECT_TRUE(streams_->Describe({.name = "c"}).ok()) << "the stream stays";
  manager_.reset();
  OpenManager();
  EXPECT_TRUE(manager_->List().empty());
}

TEST_F(CameraManagerTest, DemoCameraIngestsTheTestSource) {
  auto demo = DemoCamera::Start(store_.get(), index_.get(), {.width = 320, .height = 240});
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  ASSERT_TRUE(WaitFor([&] { return (*demo)->status().fragments >= 2; }, kLong));
  (*demo)->Stop();
  const auto fragments = ReadAllFragments("demo");
  ASSERT_GE(fragments.size(), 2u);
  EXPECT_NEAR(static_cast<double>(fragments[1].meta.duration_ms), 1000.0, 100.0);
}

}  // namespace
}  // namespace sluice::ingest

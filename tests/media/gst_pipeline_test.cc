// SPDX-License-Identifier: Apache-2.0
// GstMkvPipeline: the test source and the RTSP pull produce MKV that the fragmenter cuts into
// one-second key-frame fragments; errors and stops are reported and bounded.

#include "media/gst_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "media/mkv_fragmenter.h"
#include "tests/media/gst_test_server.h"
#include "tests/media/media_test_util.h"

namespace sluice::media {
namespace {

using Clock = std::chrono::steady_clock;

// Collects pipeline output, and its end, thread-safely.
struct Sink {
  std::mutex mu;
  std::string bytes;
  bool ended = false;
  Status end;

  MkvBytesCallback Bytes() {
    return [this](std::string_view b) {
      std::lock_guard<std::mutex> l(mu);
      bytes.append(b);
    };
  }
  PipelineEndCallback End() {
    return [this](const Status& s) {
      std::lock_guard<std::mutex> l(mu);
      ended = true;
      end = s;
    };
  }
  std::string Copy() {
    std::lock_guard<std::mutex> l(mu);
    return bytes;
  }
  bool WaitEnded(std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> l(mu);
        if (ended) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

testing::Recorder FragmentAll(const std::string& mkv) {
  testing::Recorder rec;
  MkvFragmenter f(&rec, {.timecode_type = TimecodeType::kAbsolute});
  f.Feed(mkv);
  f.Finish();
  return rec;
}

// Fragments cut so far from a live pipeline's output (the last, open one excluded).
size_t CompleteFragments(Sink* sink) {
  testing::Recorder rec;
  MkvFragmenter f(&rec, {});
  f.Feed(sink->Copy());
  return rec.fragments.size();
}

bool WaitFragments(Sink* sink, size_t n, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (CompleteFragments(sink) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(GstPipelineTest, TestSourceMakesOneSecondKeyFrameFragments) {
  Sink sink;
  auto p = GstMkvPipeline::StartTestSource({.fps = 25, .duration_s = 4, .live = false},
                                           sink.Bytes(), sink.End());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_TRUE(sink.WaitEnded(std::chrono::seconds(30)));
  EXPECT_TRUE(sink.end.ok()) << sink.end.ToString();
  (*p)->Stop();

  testing::Recorder rec = FragmentAll(sink.Copy());
  EXPECT_TRUE(rec.errors.empty());
  ASSERT_EQ(rec.headers.size(), 1u);
  ASSERT_EQ(rec.headers[0].tracks.size(), 1u);
  EXPECT_EQ(rec.headers[0].tracks[0].codec_id, "V_MPEG4/ISO/AVC");
  EXPECT_EQ(rec.headers[0].tracks[0].width, 320u);
  ASSERT_EQ(rec.fragments.size(), 4u);
  EXPECT_EQ(rec.total_frames(), 100u);
  for (const Fragment& f : rec.fragments) {
    EXPECT_TRUE(f.key_frame);
    EXPECT_NEAR(static_cast<double>(f.duration_ms), 1000.0, 50.0);
  }
}

TEST(GstPipelineTest, LiveTestSourceStopsPromptly) {
  Sink sink;
  auto p = GstMkvPipeline::StartTestSource({}, sink.Bytes(), sink.End());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_TRUE(WaitFragments(&sink, 1, std::chrono::seconds(15)));
  const auto t0 = Clock::now();
  (*p)->Stop();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));
  const size_t n = sink.Copy().size();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(sink.Copy().size(), n) << "no bytes after Stop()";
  EXPECT_FALSE(sink.ended) << "no end callback after Stop()";
}

TEST(GstPipelineTest, RejectsBadOptions) {
  EXPECT_FALSE(GstMkvPipeline::StartTestSource({.fps = 0}, nullptr, nullptr).ok());
  EXPECT_FALSE(GstMkvPipeline::StartRtspPull({.url = "http://x/"}, nullptr, nullptr).ok());
  EXPECT_FALSE(
      GstMkvPipeline::StartRtspPull({.url = "rtsp://x/", .transport = "sctp"}, nullptr, nullptr)
          .ok());
}

void PullAndCheck(const std::string& codec, const std::string& transport,
                  const std::string& codec_id) {
  testing::RtspTestServer server;
  if (!server.Start(codec)) GTEST_SKIP() << server.error();
  Sink sink;
  auto p = GstMkvPipeline::StartRtspPull({.url = server.url(), .transport = transport},
                                         sink.Bytes(), sink.End());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_TRUE(WaitFragments(&sink, 3, std::chrono::seconds(30))) << sink.end.ToString();
  const auto t0 = Clock::now();
  (*p)->Stop();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));

  testing::Recorder rec = FragmentAll(sink.Copy());
  ASSERT_FALSE(rec.headers.empty());
  EXPECT_EQ(rec.headers[0].tracks[0].codec_id, codec_id);
  EXPECT_FALSE(rec.headers[0].tracks[0].codec_private.empty());
  ASSERT_GE(rec.fragments.size(), 3u);
  for (size_t i = 1; i + 1 < rec.fragments.size(); ++i) {  // the first may start mid-GOP
    EXPECT_TRUE(rec.fragments[i].key_frame) << i;
  }
}

TEST(GstPipelineTest, RtspPullH264OverTcp) { PullAndCheck("h264", "tcp", "V_MPEG4/ISO/AVC"); }
TEST(GstPipelineTest, RtspPullH264OverUdp) { PullAndCheck("h264", "udp", "V_MPEG4/ISO/AVC"); }

TEST(GstPipelineTest, RtspPullH265) {
  if (!GstElementAvailable("x265enc")) GTEST_SKIP() << "x265enc not installed";
  PullAndCheck("h265", "tcp", "V_MPEGH/ISO/HEVC");
}

TEST(GstPipelineTest, RtspServerGoneIsReported) {
  testing::RtspTestServer server;
  if (!server.Start("h264")) GTEST_SKIP() << server.error();
  Sink sink;
  auto p = GstMkvPipeline::StartRtspPull({.url = server.url()}, sink.Bytes(), sink.End());
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(WaitFragments(&sink, 1, std::chrono::seconds(30)));
  server.Stop();
  ASSERT_TRUE(sink.WaitEnded(std::chrono::seconds(20)));
  EXPECT_FALSE(sink.end.ok());
  (*p)->Stop();
}

TEST(GstPipelineTest, RtspConnectionRefusedIsReported) {
  testing::RtspTestServer server;
  if (!server.Start("h264")) GTEST_SKIP() << server.error();
  const std::string url = server.url();
  server.Stop();  // nothing listens on that port now
  Sink sink;
  auto p = GstMkvPipeline::StartRtspPull({.url = url}, sink.Bytes(), sink.End());
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(sink.WaitEnded(std::chrono::seconds(15)));
  EXPECT_EQ(sink.end.code(), StatusCode::kUnavailable) << sink.end.ToString();
  const auto t0 = Clock::now();
  (*p)->Stop();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));
}

}  // namespace
}  // namespace sluice::media

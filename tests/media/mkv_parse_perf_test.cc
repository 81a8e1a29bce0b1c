// SPDX-License-Identifier: Apache-2.0
// Parse throughput of MkvFragmenter, printed (never asserted): a 100 MB synthetic live stream fed
// in 8 KB chunks as the KVS producer sends it, and a real GStreamer file fed repeatedly.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "media/mkv_fragmenter.h"
#include "tests/media/media_test_util.h"

namespace sluice::media {
namespace {

// Counts without keeping fragments, as ingest would after handing them on.
struct Sink : FragmenterListener {
  size_t fragments = 0, frames = 0, errors = 0;
  void OnHeaderChanged(const TrackHeader&) override {}
  void OnFragmentStarted(const FragmentStart&) override {}
  void OnFragmentComplete(Fragment f) override {
    ++fragments;
    frames += f.frame_count();
  }
  void OnError(const MkvError&) override { ++errors; }
};

double FeedTimed(const std::string& data, size_t chunk, int repeat, Sink* sink) {
  const std::string_view view = data;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < repeat; ++i) {
    MkvFragmenter f(sink);
    for (size_t pos = 0; pos < data.size(); pos += chunk) f.Feed(view.substr(pos, chunk));
    f.Finish();
  }
  std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
  return static_cast<double>(data.size()) * repeat / dt.count() / 1e6;
}

TEST(MkvParsePerfTest, SyntheticLiveStream) {
  std::string body = testing::StreamStart(testing::VideoHeader());
  for (int c = 0; c < 1000; ++c) {
    std::vector<testing::TestBlock> gop = testing::Gop(25);
    for (auto& b : gop) b.payload.assign(4000, 'v');
    body += testing::LiveCluster(1000 + 1000 * static_cast<uint64_t>(c), gop);
  }
  Sink sink;
  double mbps = FeedTimed(body, 8192, 1, &sink);
  EXPECT_EQ(sink.fragments, 1000u);
  EXPECT_EQ(sink.errors, 0u);
  std::printf("mkv_parse synthetic: %.1f MB in 8 KB chunks: %.0f MB/s\n", body.size() / 1e6, mbps);
}

TEST(MkvParsePerfTest, GStreamerFile) {
  if (!testing::HaveTool("gst-launch-1.0")) GTEST_SKIP() << "gst-launch-1.0 not installed";
  const std::string path = testing::MediaFiles::Path("gst");
  ASSERT_FALSE(path.empty());
  const std::string mkv = testing::ReadFile(path);
  Sink sink;
  double mbps = FeedTimed(mkv, 8192, 50, &sink);
  EXPECT_EQ(sink.fragments, 300u);
  std::printf("mkv_parse gst file: %.1f MB x 50 in 8 KB chunks: %.0f MB/s\n", mkv.size() / 1e6,
              mbps);
}

}  // namespace
}  // namespace sluice::media

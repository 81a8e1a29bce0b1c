// SPDX-License-Identifier: Apache-2.0
// The playback routes' pieces that need no stored video: query decoding and the WorkPool (order,
// a full queue refused, queued jobs dropped on stop, a throwing job still answered).
#include "web/http/playback_routes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "web/http/work_pool.h"

namespace sluice::web {
namespace {

TEST(DecodeQueryTest, SplitsAndPercentDecodes) {
  auto q = DecodeQuery("SessionToken=ab-c_d%2Bx%3D&TrackNumber=1&_HLS_msn=12&_HLS_part&&x=1%2");
  EXPECT_EQ(q["SessionToken"], "ab-c_d+x=");
  EXPECT_EQ(q["TrackNumber"], "1");
  EXPECT_EQ(q["_HLS_msn"], "12");
  EXPECT_EQ(q.count("_HLS_part"), 1u);
  EXPECT_EQ(q["_HLS_part"], "");
  EXPECT_EQ(q["x"], "1%2");  // a broken escape stays as sent
  EXPECT_TRUE(DecodeQuery("").empty());
  // '+' stays a plus (tokens may contain it); the first of a repeated key wins.
  auto p = DecodeQuery("a=1+2&a=3");
  EXPECT_EQ(p["a"], "1+2");
}

TEST(PlaybackRoutesTest, ResourcePaths) {
  const auto& paths = PlaybackResourcePaths();
  for (const char* p : {"/hls/v1/getHLSMasterPlaylist.m3u8", "/hls/v1/getHLSMediaPlaylist.m3u8",
                        "/hls/v1/getMP4InitFragment.mp4", "/hls/v1/getMP4MediaFragment.mp4",
                        "/hls/v1/getTSFragment.ts", "/dash/v1/getDASHManifest.mpd",
                        "/dash/v1/getMP4InitFragment.mp4", "/dash/v1/getMP4MediaFragment.mp4"}) {
    EXPECT_NE(std::find(paths.begin(), paths.end(), p), paths.end()) << p;
  }
}

TEST(WorkPoolTest, RunsJobsInOrderOnOneThread) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> order;
  {
    WorkPool pool({.name = "t", .threads = 1, .max_queued = 100});
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(pool.Post(
          [&, i] {
            std::lock_guard l(mu);
            order.push_back(i);
            cv.notify_all();
          },
          nullptr));
    }
    std::unique_lock l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return order.size() == 20; }));
  }
  for (int i = 0; i < 20; ++i) EXPECT_EQ(order[i], i);
}

TEST(WorkPoolTest, FullQueueIsRefusedAndStopDropsQueuedJobs) {
  std::mutex mu;
  std::condition_variable cv;
  bool started = false;
  bool release = false;
  std::atomic<int> ran{0};
  std::atomic<int> dropped{0};
  std::thread releaser;
  {
    WorkPool pool({.name = "t", .threads = 1, .max_queued = 2});
    // The one thread blocks in the first job until released.
    ASSERT_TRUE(pool.Post(
        [&] {
          std::unique_lock l(mu);
          started = true;
          cv.notify_all();
          cv.wait(l, [&] { return release; });
          ++ran;
        },
        [&] { ++dropped; }));
    {
      std::unique_lock l(mu);
      ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(10), [&] { return started; }));
    }
    EXPECT_TRUE(pool.Post([&] { ++ran; }, [&] { ++dropped; }));
    EXPECT_TRUE(pool.Post([&] { ++ran; }, [&] { ++dropped; }));
    EXPECT_FALSE(pool.Post([&] { ++ran; }, [&] { ++dropped; }));  // two already wait
    // Stopping: the running job finishes, the two queued ones are dropped (answered).
    releaser = std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::lock_guard l(mu);
      release = true;
      cv.notify_all();
    });
  }
  releaser.join();
  // The destructor may have taken the queue before or after the thread picked up more jobs;
  // either way every accepted job ran or was dropped, exactly once.
  EXPECT_EQ(ran + dropped, 3);
  EXPECT_GE(ran.load(), 1);
}

TEST(WorkPoolTest, AThrowingJobIsAnsweredByItsDrop) {
  std::atomic<int> dropped{0};
  std::atomic<bool> after{false};
  {
    WorkPool pool({.name = "t", .threads = 1, .max_queued = 10});
    ASSERT_TRUE(pool.Post([] { throw std::runtime_error("bug"); }, [&] { ++dropped; }));
    ASSERT_TRUE(pool.Post([&] { after = true; }, nullptr));
    for (int i = 0; i < 1000 && !after; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  EXPECT_EQ(dropped, 1);
  EXPECT_TRUE(after);  // the thread survived
}

}  // namespace
}  // namespace sluice::web

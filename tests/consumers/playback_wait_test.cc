// SPDX-License-Identifier: Apache-2.0
// LL-HLS blocking reload (WaitForSequence): answered when a new fragment makes the playlist list
// the number, at the timeout, at once for a bad token, never after CancelWait, and at shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/consumers/playback_fixture.h"

namespace sluice::consumers::playback {
namespace {

using sluice::testing::WaitFor;

constexpr char kMedia[] = "/hls/v1/getHLSMediaPlaylist.m3u8";

class PlaybackWaitTest : public PlaybackTest {
 protected:
  std::string LowLatency() {
    auto url =
        service_->CreateHlsSession({.stream = "cam", .low_latency = true}, "http://127.0.0.1:8080");
    EXPECT_TRUE(url.ok()) << url.status().ToString();
    return url.ok() ? TokenOf(*url) : "";
  }
  PlaybackRequest Request(const std::string& token) {
    return {.path = kMedia, .query = {{"SessionToken", token}, {"TrackNumber", "1"}}};
  }
};

TEST_F(PlaybackWaitTest, AnsweredWhenTheNextFragmentIsPersisted) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  const std::string token = LowLatency();
  const std::string playlist = Body(kMedia, token);
  EXPECT_EQ(LinesWith(playlist, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES").size(), 1u);
  EXPECT_EQ(LinesWith(playlist, "#EXT-X-MEDIA-SEQUENCE:")[0], "#EXT-X-MEDIA-SEQUENCE:1");
  // Sequence numbers 1..5 are listed: 5 is answered at once, 6 waits for the next fragment.
  std::atomic<int> listed{0}, next{0};
  service_->WaitForSequence(Request(token), 5, 60'000, [&] { ++listed; });
  service_->WaitForSequence(Request(token), 6, 60'000, [&] { ++next; });
  EXPECT_TRUE(WaitFor([&] { return listed.load() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(next.load(), 0);
  auto more = PutFile("cam", "h264_b");
  ASSERT_EQ(more.size(), 6u);
  EXPECT_TRUE(WaitFor([&] { return next.load() == 1; }));
  EXPECT_NE(Body(kMedia, token).find(more.back()), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(next.load(), 1);  // exactly once
  EXPECT_EQ(listed.load(), 1);
}

TEST_F(PlaybackWaitTest, TimeoutBadTokenCancelAndShutdown) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  const std::string token = LowLatency();
  std::atomic<int> timed_out{0}, bad{0}, cancelled{0}, at_shutdown{0};
  service_->WaitForSequence(Request(token), 100, 50, [&] { ++timed_out; });
  EXPECT_TRUE(WaitFor([&] { return timed_out.load() == 1; }));

  service_->WaitForSequence(Request("forged"), 100, 60'000, [&] { ++bad; });
  EXPECT_EQ(bad.load(), 1);  // answered inline: Serve reports the token

  const uint64_t id = service_->WaitForSequence(Request(token), 6, 60'000, [&] { ++cancelled; });
  service_->CancelWait(id);
  auto more = PutFile("cam", "h264_b");
  ASSERT_EQ(more.size(), 6u);

  service_->WaitForSequence(Request(token), 1000, 60'000, [&] { ++at_shutdown; });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(cancelled.load(), 0);
  EXPECT_EQ(at_shutdown.load(), 0);
  service_.reset();
  EXPECT_EQ(at_shutdown.load(), 1);
  EXPECT_EQ(cancelled.load(), 0);
}

TEST_F(PlaybackWaitTest, LiveReplayWaitersFollowTheClock) {
  const int64_t t0 = clock_.Now().value();
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  auto url =
      service_->CreateHlsSession({.stream = "cam",
                                  .mode = PlaybackMode::kLiveReplay,
                                  .selector = FragmentSelector{.start = TimestampMs(t0 + 1000)},
                                  .low_latency = true},
                                 "http://127.0.0.1:8080");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  std::atomic<int> ready{0};
  service_->WaitForSequence(Request(TokenOf(*url)), 2, 60'000, [&] { ++ready; });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(ready.load(), 0);
  clock_.Advance(2000);  // the replay reaches the third fragment (sequence number 2)
  EXPECT_TRUE(WaitFor([&] { return ready.load() == 1; }));
}

}  // namespace
}  // namespace sluice::consumers::playback

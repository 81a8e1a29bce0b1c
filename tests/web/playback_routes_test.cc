// SPDX-License-Identifier: Apache-2.0
// The playback routes: query decoding, the WorkPool (order, a full queue refused, queued jobs
// dropped on stop, a throwing job still answered), and the routes through Router::Dispatch over a
// real PlaybackService with ingested H.264 (JSON and binary answers, resource headers, 403 for
// altered and expired tokens, the LL-HLS blocking reload, throttling).
#include "web/http/playback_routes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/ingest/ingest_fixture.h"
#include "web/api/kvs_playback.h"
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

// Routes over a real service: stream "cam" holds the h264 test file (producer time 0..5 s).
class PlaybackRoutesServiceTest : public ingest::IngestTest {
 protected:
  PlaybackRoutesServiceTest()
      : playback_(reader_.get(), {.token_secret = "routes-secret", .clock = &clock_}),
        api_(streams_.get(), &playback_, {.data_endpoint_fallback = "http://fallback:1"}) {}

  void MakeRouter(PlaybackRoutesOptions options = {}) {
    options.api = &api_;
    options.playback = &playback_;
    router_ = std::make_shared<Router>();
    AddPlaybackRoutes(router_.get(), options);
  }

  bool PutFile(const std::string& stream, const std::string& file) {
    const std::string path = media::testing::MediaFiles::Path(file);
    if (path.empty()) return false;
    ingest::SessionRun run = Put(stream, media::testing::ReadFile(path));
    return run.OfType(ingest::Ack::Type::kPersisted).size() == 6;
  }

  // Sends a request; the future gets the answer.
  std::future<HttpResponse> Send(std::string method, std::string target, std::string body = "") {
    HttpRequest r;
    r.method = std::move(method);
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.headers["Host"] = "sluice.test:4567";
    r.body = std::move(body);
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    std::future<HttpResponse> answer = promise->get_future();
    router_->Dispatch(std::move(r), [promise](HttpResponse response) {
      promise->set_value(std::move(response));
    });
    return answer;
  }

  HttpResponse Call(std::string method, std::string target, std::string body = "") {
    std::future<HttpResponse> f = Send(std::move(method), std::move(target), std::move(body));
    EXPECT_EQ(f.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    return f.get();
  }

  static std::string HeaderOf(const HttpResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (!HeaderNameLess()(k, name) && !HeaderNameLess()(name, k)) return v;
    }
    return "";
  }

  // A session URL's path and query ("/hls/v1/...?SessionToken=...").
  std::string Session(const nlohmann::json& request, const std::string& member) {
    const bool dash = member == "DASHStreamingSessionURL";
    HttpResponse r =
        Call("POST", dash ? "/getDASHStreamingSessionURL" : "/getHLSStreamingSessionURL",
             request.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string url = nlohmann::json::parse(r.body).value(member, "");
    EXPECT_TRUE(url.starts_with("http://sluice.test:4567/")) << url;
    return url.substr(std::string("http://sluice.test:4567").size());
  }

  static nlohmann::json OnDemand() {
    return {{"StreamName", "cam"},
            {"PlaybackMode", "ON_DEMAND"},
            {"HLSFragmentSelector",
             {{"FragmentSelectorType", "PRODUCER_TIMESTAMP"},
              {"TimestampRange", {{"StartTimestamp", 0}, {"EndTimestamp", 5}}}}}};
  }

  consumers::playback::PlaybackService playback_;
  api::KvsPlaybackApi api_;
  std::shared_ptr<Router> router_;
};

#define REQUIRE_CAM() \
  CreateVideo("cam"); \
  if (!PutFile("cam", "h264")) GTEST_SKIP() << "no test media (ffmpeg)"

TEST_F(PlaybackRoutesServiceTest, SessionResourcesWithHeaders) {
  MakeRouter();
  REQUIRE_CAM();
  const std::string master = Session(OnDemand(), "HLSStreamingSessionURL");
  HttpResponse r = Call("GET", master);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/vnd.apple.mpegurl");
  EXPECT_FALSE(HeaderOf(r, "Cache-Control").empty());
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(HeaderOf(r, "x-amzn-RequestId").empty());
  // The media playlist, then its init segment and first media segment.
  const size_t line = r.body.find("getHLSMediaPlaylist.m3u8?");
  ASSERT_NE(line, std::string::npos) << r.body;
  const std::string media = "/hls/v1/" + r.body.substr(line, r.body.find('\n', line) - line);
  r = Call("GET", media);
  ASSERT_EQ(r.status, 200) << r.body;
  const size_t seg = r.body.find("getMP4MediaFragment.mp4?");
  ASSERT_NE(seg, std::string::npos);
  r = Call("GET", "/hls/v1/" + r.body.substr(seg, r.body.find('\n', seg) - seg));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "video/mp4");
  EXPECT_NE(r.body.find("moof"), std::string::npos);

  const std::string dash =
      Session({{"StreamName", "cam"},
               {"PlaybackMode", "ON_DEMAND"},
               {"DASHFragmentSelector",
                {{"FragmentSelectorType", "PRODUCER_TIMESTAMP"},
                 {"TimestampRange", {{"StartTimestamp", 0}, {"EndTimestamp", 5}}}}}},
              "DASHStreamingSessionURL");
  r = Call("GET", dash);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/dash+xml");
}

TEST_F(PlaybackRoutesServiceTest, AlteredAndExpiredTokensAre403) {
  MakeRouter();
  REQUIRE_CAM();
  const std::string master = Session(OnDemand(), "HLSStreamingSessionURL");
  std::string altered = master;
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  HttpResponse r = Call("GET", altered);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "NotAuthorizedException");
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(nlohmann::json::parse(r.body)["Message"], "Streaming session token is invalid");
  EXPECT_EQ(Call("GET", "/hls/v1/getHLSMasterPlaylist.m3u8").status, 403);

  clock_.Advance(301'000);  // past the default Expires (300 s)
  r = Call("GET", master);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(nlohmann::json::parse(r.body)["Message"], "Streaming session token is expired");
}

TEST_F(PlaybackRoutesServiceTest, PostAnswers) {
  MakeRouter();
  REQUIRE_CAM();
  HttpResponse r =
      Call("POST", "/getClip",
           nlohmann::json{{"StreamName", "cam"},
                          {"ClipFragmentSelector",
                           {{"FragmentSelectorType", "PRODUCER_TIMESTAMP"},
                            {"TimestampRange", {{"StartTimestamp", 0}, {"EndTimestamp", 5}}}}}}
               .dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "video/mp4");
  EXPECT_EQ(r.body.substr(4, 4), "ftyp");
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "*");

  r = Call("POST", "/getImages",
           nlohmann::json{{"StreamName", "cam"},
                          {"ImageSelectorType", "PRODUCER_TIMESTAMP"},
                          {"StartTimestamp", 1},
                          {"EndTimestamp", 1},
                          {"Format", "PNG"}}
               .dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  auto images = nlohmann::json::parse(r.body)["Images"];
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0]["TimeStamp"], 1.0);  // epoch seconds on the wire
  EXPECT_TRUE(images[0]["ImageContent"].get<std::string>().starts_with("iVBORw0KGgo"));  // PNG

  r = Call("POST", "/getHLSStreamingSessionURL", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "SerializationException");
  r = Call("POST", "/getClip", R"({"StreamName":"nope","ClipFragmentSelector":{
      "FragmentSelectorType":"SERVER_TIMESTAMP","TimestampRange":{"StartTimestamp":1,
      "EndTimestamp":2}}})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(nlohmann::json::parse(r.body)["__type"], "ResourceNotFoundException");
}

TEST_F(PlaybackRoutesServiceTest, BlockingReloadWaitsForTheSequence) {
  MakeRouter({.blocking_reload_timeout_ms = 30'000});
  REQUIRE_CAM();
  const std::string master =
      Session({{"StreamName", "cam"}, {"PlaybackMode", "LIVE"}, {"SluiceLowLatency", true}},
              "HLSStreamingSessionURL");
  HttpResponse r = Call("GET", master);
  ASSERT_EQ(r.status, 200) << r.body;
  const size_t line = r.body.find("getHLSMediaPlaylist.m3u8?");
  const std::string media = "/hls/v1/" + r.body.substr(line, r.body.find('\n', line) - line);
  r = Call("GET", media);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("CAN-BLOCK-RELOAD=YES"), std::string::npos) << r.body;
  const size_t at = r.body.find("#EXT-X-MEDIA-SEQUENCE:");
  const uint64_t first = std::stoull(r.body.substr(at + 22));
  size_t listed = 0;
  for (size_t p = r.body.find("#EXTINF"); p != std::string::npos;
       p = r.body.find("#EXTINF", p + 1)) {
    ++listed;
  }
  const uint64_t next = first + listed;

  std::future<HttpResponse> waiting =
      Send("GET", media + "&_HLS_msn=" + std::to_string(next) + "&_HLS_part=0");
  // Nothing to answer with until the next fragment exists.
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  ASSERT_TRUE(PutFile("cam", "h264_b"));
  ASSERT_EQ(waiting.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  r = waiting.get();
  ASSERT_EQ(r.status, 200) << r.body;
  const size_t seq = r.body.find("#EXT-X-MEDIA-SEQUENCE:");
  size_t now_listed = 0;
  for (size_t p = r.body.find("#EXTINF"); p != std::string::npos;
       p = r.body.find("#EXTINF", p + 1)) {
    ++now_listed;
  }
  EXPECT_GT(std::stoull(r.body.substr(seq + 22)) + now_listed, next) << r.body;

  r = Call("GET", media + "&_HLS_msn=soon");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "InvalidArgumentException");
}

TEST_F(PlaybackRoutesServiceTest, BlockingReloadTimesOutWithThePlaylist) {
  MakeRouter({.blocking_reload_timeout_ms = 200});
  REQUIRE_CAM();
  const std::string master =
      Session({{"StreamName", "cam"}, {"PlaybackMode", "LIVE"}, {"SluiceLowLatency", true}},
              "HLSStreamingSessionURL");
  HttpResponse r = Call("GET", master);
  const size_t line = r.body.find("getHLSMediaPlaylist.m3u8?");
  const std::string media = "/hls/v1/" + r.body.substr(line, r.body.find('\n', line) - line);
  r = Call("GET", media + "&_HLS_msn=1000000");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.body.starts_with("#EXTM3U"));
}

TEST_F(PlaybackRoutesServiceTest, AFullPoolIsThrottled) {
  MakeRouter({.max_queued = 0});  // every job is refused
  REQUIRE_CAM();
  HttpResponse r = Call("POST", "/getHLSStreamingSessionURL", OnDemand().dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HeaderOf(r, "x-amzn-ErrorType"), "ClientLimitExceededException");
}

}  // namespace
}  // namespace sluice::web

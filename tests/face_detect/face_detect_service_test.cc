// SPDX-License-Identifier: Apache-2.0
// FaceDetectService inside a real store: it waits for a stream that does not exist yet, writes
// records once video arrives, releases its lease on Close and resumes from the checkpoint after a
// restart; the lease is exclusive between workers; sluice.json's "face_detect" parsing.
#include "consumers/face_detect/face_detect_service.h"

#include <gtest/gtest.h>

#include "consumers/face_detect/face_detect_config.h"
#include "tests/face_detect/consumer_fixture.h"

namespace sluice::consumers::face_detect {
namespace {

using testing::FaceConsumerTest;

class FaceDetectServiceTest : public FaceConsumerTest {
 protected:
  std::unique_ptr<FaceDetectService> StartService(const std::string& stream) {
    FaceDetectOptions o;
    o.stream = stream;
    auto s = FaceDetectService::Start(store_.get(), reader_.get(), leases_.get(),
                                      {.streams = {o}, .worker = "server", .clock = &clock_});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
};

TEST_F(FaceDetectServiceTest, WaitsForTheStreamThenDetectsAndResumes) {
  REQUIRE_TEST_VIDEO(video, "face");
  auto service = StartService("cam");
  ASSERT_NE(service, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // "cam" does not exist yet
  Ingest("cam", video);
  EXPECT_TRUE(sluice::testing::WaitFor([&] { return service->Stats()[0].second.fragments == 4; },
                                       std::chrono::seconds(60)));
  EXPECT_EQ(Raw("cam-detections").size(), 8u);
  const auto stats = service->Stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].first, "cam");
  EXPECT_EQ(stats[0].second.records_written, 8u);
  service->Close();
  auto leases = leases_->ListLeases(FaceDetectApplication("cam"));
  ASSERT_TRUE(leases.ok());
  ASSERT_EQ(leases->size(), 1u);
  EXPECT_FALSE((*leases)[0].owned());  // released
  EXPECT_EQ((*leases)[0].checkpoint, ReadAllFragments("cam").back().row.fragment_number);

  // A restarted server resumes after the checkpoint: the same video again adds 8 records only.
  service = StartService("cam");
  Put("cam", media::testing::ReadFile(video));
  EXPECT_TRUE(sluice::testing::WaitFor([&] { return Raw("cam-detections").size() == 16; },
                                       std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  service->Close();
  const std::vector<std::string> ids = Ids(Records("cam-detections"));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 16u);
}

TEST_F(FaceDetectServiceTest, LeaseIsExclusiveUntilItExpires) {
  CreateVideo("cam");
  LeaseCheckpointStore a(store_.get(), reader_.get(), leases_.get(), "cam",
                         {.worker = "a", .lease_ms = 10'000, .clock = &clock_});
  LeaseCheckpointStore b(store_.get(), reader_.get(), leases_.get(), "cam",
                         {.worker = "b", .lease_ms = 10'000, .clock = &clock_});
  ASSERT_TRUE(a.Acquire().ok());
  EXPECT_EQ(b.Acquire().code(), StatusCode::kUnavailable);
  clock_.Advance(6'000);
  ASSERT_TRUE(a.KeepAlive().ok());  // renewed: another 10 s from now
  clock_.Advance(6'000);
  EXPECT_EQ(b.Acquire().code(), StatusCode::kUnavailable);
  clock_.Advance(5'000);  // a stopped renewing
  ASSERT_TRUE(b.Acquire().ok());
  EXPECT_EQ(a.Save({.fragment_number = "1"}).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(a.held());
}

TEST_F(FaceDetectServiceTest, BadConfigurationStartsNothing) {
  FaceDetectOptions o;
  o.stream = "cam";
  o.detector.model_path = dir_.path() + "/missing.onnx";
  auto s = FaceDetectService::Start(store_.get(), reader_.get(), leases_.get(), {.streams = {o}});
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  FaceDetectOptions twice;
  twice.stream = "cam";
  s = FaceDetectService::Start(store_.get(), reader_.get(), leases_.get(),
                               {.streams = {twice, twice}});
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

TEST(FaceDetectConfigTest, Parses) {
  auto c = ParseFaceDetectConfig(R"([
    {"stream": "cam1"},
    {"stream": "cam2", "output_stream": "faces", "fps": 0.5, "key_frames_only": true,
     "model": "/m/res10.caffemodel", "model_config": "/m/deploy.prototxt", "confidence": 0.7,
     "start": "now"}])");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].stream, "cam1");
  EXPECT_EQ((*c)[0].output_stream, "");
  EXPECT_EQ((*c)[0].sampling.fps, 2);
  EXPECT_EQ((*c)[0].initial.type, StartPosition::Type::kEarliest);
  EXPECT_EQ((*c)[1].output_stream, "faces");
  EXPECT_EQ((*c)[1].sampling.fps, 0.5);
  EXPECT_TRUE((*c)[1].sampling.key_frames_only);
  EXPECT_EQ((*c)[1].detector.model_path, "/m/res10.caffemodel");
  EXPECT_EQ((*c)[1].detector.config_path, "/m/deploy.prototxt");
  EXPECT_FLOAT_EQ((*c)[1].detector.confidence, 0.7f);
  EXPECT_EQ((*c)[1].initial.type, StartPosition::Type::kNow);
}

TEST(FaceDetectConfigTest, RefusesMistakes) {
  for (const char* bad :
       {"{}", "[1]", "[{}]", R"([{"stream": 3}])", R"([{"stream": "a", "fps": -1}])",
        R"([{"stream": "a", "start": "later"}])", R"([{"stream": "a", "colour": "red"}])",
        R"([{"stream": "a", "key_frames_only": "yes"}])", "not json"}) {
    EXPECT_EQ(ParseFaceDetectConfig(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace sluice::consumers::face_detect

// SPDX-License-Identifier: Apache-2.0
// FaceDetectConsumer on a real store, fragment index and consumer leases, fed videos made from
// the face photo and from testsrc: records only for the face, boxes over it, fields as
// documented; and exactly-once output across a stop/restart, a crash between write and
// checkpoint, a partial write, and the remote mode (no checkpoint store), each compared with an
// uninterrupted run: no duplicate record_id and no gap.
#include "consumers/face_detect/face_detect_consumer.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/face_detect/consumer_fixture.h"

namespace sluice::consumers::face_detect {
namespace {

using testing::CrashingCheckpoints;
using testing::FaceConsumerTest;
using testing::LimitedSource;
using testing::TornSink;

class FaceDetectConsumerTest : public FaceConsumerTest {
 protected:
  // Ingests the face video into `stream` once and returns the record ids an uninterrupted run
  // writes (to `<stream>-reference`, checkpointing in a leases database of its own).
  std::vector<std::string> Reference(const std::string& stream, const std::string& video) {
    EXPECT_EQ(Ingest(stream, video), 4u);
    auto own = index::ConsumerLeases::Open(dir_.path() + "/reference.db", &clock_);
    EXPECT_TRUE(own.ok());
    LocalFragmentSource source(reader_.get(), stream);
    StoreDetectionSink sink(store_.get(), stream + "-reference");
    LeaseCheckpointStore lease(store_.get(), reader_.get(), own->get(), stream,
                               {.worker = "reference", .clock = &clock_});
    EXPECT_TRUE(lease.Acquire().ok());
    auto c = MakeConsumer(Options(stream, stream + "-reference"), &source, &sink, &lease);
    EXPECT_TRUE(RunUntil(c.get(), 4).ok());
    return Ids(Records(stream + "-reference"));
  }

  // The output holds each reference id exactly once, in order.
  void ExpectExactly(const std::string& output, const std::vector<std::string>& reference) {
    const std::vector<std::string> ids = Ids(Records(output));
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "duplicates";
    EXPECT_EQ(ids, reference);
  }
};

TEST_F(FaceDetectConsumerTest, FaceVideoGivesRecordsWithBoxesOverTheFace) {
  REQUIRE_TEST_VIDEO(video, "face");
  ASSERT_EQ(Ingest("face", video), 4u);
  Local l = MakeLocal("face", "face-detections");
  ASSERT_TRUE(l.lease->Acquire().ok());
  auto c = MakeConsumer(Options("face"), l.source.get(), l.sink.get(), l.lease.get());
  ASSERT_TRUE(RunUntil(c.get(), 4).ok());

  const FaceDetectStats stats = c->stats();
  EXPECT_EQ(stats.fragments, 4u);
  EXPECT_EQ(stats.frames_analysed, 8u);  // 2 per second of video
  const std::vector<engine::StoredRecord> raw = Raw("face-detections");
  ASSERT_EQ(raw.size(), 8u);
  const std::vector<ingest::StoredFragment> fragments = ReadAllFragments("face");
  ASSERT_EQ(fragments.size(), 4u);
  std::vector<std::string> ids;
  for (size_t i = 0; i < raw.size(); ++i) {
    EXPECT_EQ(raw[i].partition_key, "face");
    auto r = DecodeDetectionRecord(raw[i].data);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const ingest::StoredFragment& f = fragments[i / 2];
    EXPECT_EQ(r->stream, "face");
    EXPECT_EQ(r->fragment_number, f.row.fragment_number);
    EXPECT_EQ(r->producer_timestamp, f.row.producer_time);
    EXPECT_EQ(r->server_timestamp, f.row.server_time);
    // Frames at 0 and 500 ms of each one-second fragment.
    const int64_t offset_ms = (i % 2) * 500;
    EXPECT_EQ(r->frame_pts_ns, f.meta.start_ns + offset_ms * 1'000'000);
    EXPECT_EQ(r->frame_timestamp.value(), f.row.producer_time.value() + offset_ms);
    EXPECT_EQ(r->width, 640u);
    EXPECT_EQ(r->height, 480u);
    EXPECT_EQ(r->model, "haar:haarcascade_frontalface_default");
    EXPECT_EQ(r->record_id, r->fragment_number + ":" + std::to_string(r->frame_pts_ns));
    ASSERT_EQ(r->faces.size(), 1u);
    testing::ExpectOverPaddedFace(r->faces[0]);
    ids.push_back(r->record_id);
  }
  EXPECT_TRUE(
      std::is_sorted(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) {
        return *RecordId::Parse(a) < *RecordId::Parse(b);
      }));
  // The checkpoint is the last fragment.
  auto cp = l.lease->Load();
  ASSERT_TRUE(cp.ok() && cp->has_value());
  EXPECT_EQ((*cp)->fragment_number, fragments.back().row.fragment_number);
}

TEST_F(FaceDetectConsumerTest, TestPatternGivesNoRecords) {
  REQUIRE_TEST_VIDEO(video, "pattern");
  ASSERT_EQ(Ingest("pattern", video), 4u);
  Local l = MakeLocal("pattern", "pattern-detections");
  ASSERT_TRUE(l.lease->Acquire().ok());
  auto c = MakeConsumer(Options("pattern"), l.source.get(), l.sink.get(), l.lease.get());
  ASSERT_TRUE(RunUntil(c.get(), 4).ok());
  EXPECT_EQ(c->stats().fragments, 4u);
  EXPECT_EQ(c->stats().frames_analysed, 8u);
  ASSERT_TRUE(store_->DescribeStream("pattern-detections").ok());  // created, empty
  EXPECT_TRUE(Raw("pattern-detections").empty());
}

TEST_F(FaceDetectConsumerTest, KeyFramesOnly) {
  REQUIRE_TEST_VIDEO(video, "face");
  ASSERT_EQ(Ingest("keys", video), 4u);
  Local l = MakeLocal("keys", "keys-detections");
  ASSERT_TRUE(l.lease->Acquire().ok());
  FaceDetectOptions o = Options("keys");
  o.sampling.key_frames_only = true;
  auto c = MakeConsumer(o, l.source.get(), l.sink.get(), l.lease.get());
  ASSERT_TRUE(RunUntil(c.get(), 4).ok());
  const std::vector<DetectionRecord> records = Records("keys-detections");
  const std::vector<ingest::StoredFragment> fragments = ReadAllFragments("keys");
  ASSERT_EQ(records.size(), 4u);
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].frame_pts_ns, fragments[i].meta.start_ns);
  }
}

TEST_F(FaceDetectConsumerTest, StopAndRestartFromTheCheckpoint) {
  REQUIRE_TEST_VIDEO(video, "face");
  const std::vector<std::string> reference = Reference("s", video);
  ASSERT_EQ(reference.size(), 8u);
  {
    Local l = MakeLocal("s", "s-detections");
    ASSERT_TRUE(l.lease->Acquire().ok());
    LimitedSource two(l.source.get(), 2);
    auto c = MakeConsumer(Options("s"), &two, l.sink.get(), l.lease.get());
    ASSERT_TRUE(RunUntil(c.get(), 2).ok());
    EXPECT_EQ(c->stats().fragments, 2u);
    ASSERT_TRUE(l.lease->Release().ok());
  }
  EXPECT_EQ(Records("s-detections").size(), 4u);
  Local l = MakeLocal("s", "s-detections");
  ASSERT_TRUE(l.lease->Acquire().ok());
  auto c = MakeConsumer(Options("s"), l.source.get(), l.sink.get(), l.lease.get());
  ASSERT_TRUE(RunUntil(c.get(), 2).ok());
  EXPECT_EQ(c->stats().fragments, 2u);  // only the two it had not done
  ExpectExactly("s-detections", reference);
}

TEST_F(FaceDetectConsumerTest, CrashBetweenWriteAndCheckpointWritesNothingTwice) {
  REQUIRE_TEST_VIDEO(video, "face");
  const std::vector<std::string> reference = Reference("s", video);
  {
    Local l = MakeLocal("s", "s-detections");
    ASSERT_TRUE(l.lease->Acquire().ok());
    CrashingCheckpoints crash(l.lease.get(), 3);  // fragment 3's records written, not its save
    auto c = MakeConsumer(Options("s"), l.source.get(), l.sink.get(), &crash);
    EXPECT_EQ(RunUntil(c.get(), 4).code(), StatusCode::kInternal);
    EXPECT_EQ(Records("s-detections").size(), 6u);
  }
  Local l = MakeLocal("s", "s-detections");  // the restarted process
  ASSERT_TRUE(l.lease->Acquire().ok());
  auto c = MakeConsumer(Options("s"), l.source.get(), l.sink.get(), l.lease.get());
  ASSERT_TRUE(RunUntil(c.get(), 2).ok());
  EXPECT_EQ(c->stats().records_skipped, 2u);  // fragment 3's, found in the output stream
  ExpectExactly("s-detections", reference);
}

TEST_F(FaceDetectConsumerTest, PartialWriteIsCompletedOnTheNextRun) {
  REQUIRE_TEST_VIDEO(video, "face");
  const std::vector<std::string> reference = Reference("s", video);
  Local l = MakeLocal("s", "s-detections");
  ASSERT_TRUE(l.lease->Acquire().ok());
  TornSink torn(l.sink.get(), 2);  // fragment 2: first record written, then a failure
  auto c = MakeConsumer(Options("s"), l.source.get(), &torn, l.lease.get());
  EXPECT_EQ(RunUntil(c.get(), 4).code(), StatusCode::kUnavailable);
  EXPECT_EQ(Records("s-detections").size(), 3u);
  // The same consumer runs again (as the service retries): it reads the output back first.
  ASSERT_TRUE(RunUntil(c.get(), 4).ok());
  EXPECT_EQ(c->stats().records_skipped, 1u);
  ExpectExactly("s-detections", reference);
}

TEST_F(FaceDetectConsumerTest, WithoutCheckpointsTheOutputStreamIsTheCheckpoint) {
  REQUIRE_TEST_VIDEO(video, "face");
  const std::vector<std::string> reference = Reference("s", video);
  {
    Local l = MakeLocal("s", "s-detections");
    TornSink torn(l.sink.get(), 3);  // dies in the middle of fragment 3's records
    auto c = MakeConsumer(Options("s"), l.source.get(), &torn, nullptr);
    EXPECT_EQ(RunUntil(c.get(), 4).code(), StatusCode::kUnavailable);
    EXPECT_EQ(Records("s-detections").size(), 5u);
  }
  Local l = MakeLocal("s", "s-detections");
  auto c = MakeConsumer(Options("s"), l.source.get(), l.sink.get(), nullptr);
  // It restarts at fragment 3 (the newest with records) and finishes 3 and 4.
  ASSERT_TRUE(RunUntil(c.get(), 2).ok());
  EXPECT_EQ(c->stats().fragments, 2u);
  EXPECT_EQ(c->stats().records_skipped, 1u);
  ExpectExactly("s-detections", reference);
}

TEST_F(FaceDetectConsumerTest, LiveTailIsFollowed) {
  REQUIRE_TEST_VIDEO(video, "face");
  CreateVideo("live");
  Local l = MakeLocal("live", "live-detections");
  ASSERT_TRUE(l.lease->Acquire().ok());
  auto c = MakeConsumer(Options("live"), l.source.get(), l.sink.get(), l.lease.get());
  Status result;
  std::thread t([&] { result = c->Run(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // waiting on an empty stream
  Put("live", media::testing::ReadFile(video));
  EXPECT_TRUE(sluice::testing::WaitFor([&] { return Raw("live-detections").size() == 8; },
                                       std::chrono::seconds(60)));
  c->Stop();
  t.join();
  EXPECT_TRUE(result.ok()) << result.ToString();
}

TEST_F(FaceDetectConsumerTest, MissingVideoStreamIsNotFound) {
  Local l = MakeLocal("absent", "absent-detections");
  EXPECT_EQ(l.lease->Acquire().code(), StatusCode::kNotFound);
  auto c = MakeConsumer(Options("absent"), l.source.get(), l.sink.get(), nullptr);
  EXPECT_EQ(c->Run().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sluice::consumers::face_detect

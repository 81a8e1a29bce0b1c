// SPDX-License-Identifier: Apache-2.0
// FragmentReader/FragmentFollower (GetMedia start selectors, live tail, chunks, ListFragments)
// and the fragment index repair (crash between log and index, retention, deleted streams).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "ingest/fragment_index_repair.h"
#include "ingest/video_record.h"
#include "tests/ingest/ingest_fixture.h"

namespace sluice::ingest {
namespace {

using media::testing::DecodedVideoFrames;
using media::testing::ReadFile;

class ReaderTest : public IngestTest {
 protected:
  // A stream holding the 6 one-second fragments of the h264 test file; false without ffmpeg.
  bool PutH264(const std::string& stream) {
    const std::string path = media::testing::MediaFiles::Path("h264");
    if (path.empty()) return false;
    CreateVideo(stream);
    SessionRun run = Put(stream, ReadFile(path));
    persisted_ = run.OfType(Ack::Type::kPersisted);
    return persisted_.size() == 6;
  }
  std::vector<Ack> persisted_;
};

#define REQUIRE_H264(stream) \
  if (!PutH264(stream)) GTEST_SKIP() << "no test media (ffmpeg)"

TEST_F(ReaderTest, StartSelectors) {
  REQUIRE_H264("cam");
  using T = StartSelector::Type;
  const auto start = [&](StartSelector s) { return reader_->StartCounter("cam", s); };
  EXPECT_EQ(*start({T::kEarliest}), EntryCounter(0));
  EXPECT_EQ(*start({T::kNow}), EntryCounter(5));
  EXPECT_EQ(*start({T::kFragmentNumber, persisted_[2].fragment_number}), EntryCounter(3));
  EXPECT_EQ(*start({T::kContinuationToken, persisted_[5].fragment_number}), EntryCounter(6));
  EXPECT_EQ(*start({T::kProducerTimestamp, "", TimestampMs(2500)}), EntryCounter(2));
  EXPECT_EQ(*start({T::kProducerTimestamp, "", TimestampMs(-5)}), EntryCounter(0));
  EXPECT_EQ(*start({T::kProducerTimestamp, "", TimestampMs(60000)}), EntryCounter(6));  // tip
  auto row3 = index_->ByCounter(IdOf("cam"), EntryCounter(3));
  EXPECT_EQ(*start({T::kServerTimestamp, "", (*row3)->server_time}), EntryCounter(3));
  EXPECT_EQ(start({T::kFragmentNumber, "12345"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(start({T::kEarliest}).ok(), true);
  EXPECT_EQ(reader_->StartCounter("nope", {T::kNow}).status().code(), StatusCode::kNotFound);
}

TEST_F(ReaderTest, ChunksCarryTheKvsTagsAndDecode) {
  REQUIRE_H264("cam");
  auto f = reader_->ReadNumber("cam", persisted_[1].fragment_number);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->row.counter, EntryCounter(1));
  EXPECT_EQ(f->meta.cluster_timecode, 1000u);
  const std::string chunk = FragmentReader::GetMediaChunk(*f, TimestampMs(kStartMs + 60000));
  EXPECT_NE(chunk.find("AWS_KINESISVIDEO_FRAGMENT_NUMBER"), std::string::npos);
  EXPECT_NE(chunk.find(persisted_[1].fragment_number), std::string::npos);
  EXPECT_NE(chunk.find("AWS_KINESISVIDEO_MILLIS_BEHIND_NOW"), std::string::npos);
  EXPECT_NE(chunk.find("AWS_KINESISVIDEO_CONTINUATION_TOKEN"), std::string::npos);
  const std::string path = dir_.path() + "/one.mkv";
  media::testing::WriteFile(path, chunk);
  EXPECT_EQ(DecodedVideoFrames(path), 25);

  auto row = reader_->Find("cam", persisted_[4].fragment_number);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->counter, EntryCounter(4));
  EXPECT_EQ(reader_->Find("cam", "999").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reader_->ReadNumber("cam", "abc").status().code(), StatusCode::kNotFound);
  CreateVideo("other");
  EXPECT_EQ(reader_->ReadNumber("other", persisted_[1].fragment_number).status().code(),
            StatusCode::kNotFound);
}

TEST_F(ReaderTest, ListFragmentsPages) {
  REQUIRE_H264("cam");
  index::TimeRangeQuery q;
  q.axis = index::TimeAxis::kProducer;
  q.start = TimestampMs(1000);
  q.end = TimestampMs(4000);
  q.limit = 2;
  std::vector<uint64_t> counters;
  while (true) {
    auto page = reader_->List("cam", q);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (auto& r : page->rows) counters.push_back(r.counter.value());
    if (!page->next) break;
    q.after = page->next;
  }
  EXPECT_EQ(counters, (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST_F(ReaderTest, FollowerSeesTheLiveTail) {
  REQUIRE_MEDIA(path, "h264");
  CreateVideo("live");
  std::atomic<int> wakeups{0};
  auto f = FragmentFollower::Open(reader_.get(), "live", {StartSelector::Type::kNow},
                                  [&] { wakeups++; });
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE((*f)->Next()->empty());
  Put("live", ReadFile(path));
  EXPECT_GT(wakeups.load(), 0);
  std::vector<StoredFragment> got;
  while (true) {
    auto batch = (*f)->Next(4);
    ASSERT_TRUE(batch.ok());
    if (batch->empty()) break;
    for (auto& x : *batch) got.push_back(std::move(x));
  }
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0].row.counter, EntryCounter(0));
  EXPECT_EQ(DecodedVideoFrames(WriteChunks(got, "live")), 150);
  ASSERT_TRUE(streams_->Delete({.name = "live"}, std::nullopt).ok());
  EXPECT_EQ((*f)->Next().status().code(), StatusCode::kNotFound);
}

TEST_F(ReaderTest, RepairReindexesWhatACrashLeftOut) {
  REQUIRE_H264("cam");
  const StreamId id = IdOf("cam");
  auto before = index_->ListFromCounter(id, EntryCounter(0), 100);
  ASSERT_EQ(before->size(), 6u);
  // A crash after the last three appends but before their rows were written.
  ASSERT_EQ(*index_->DeleteFrom(id, EntryCounter(3)), 3u);
  Reopen();
  auto report = RepairFragmentIndex(store_.get(), index_.get());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_added, 3u);
  EXPECT_EQ(*index_->ListFromCounter(id, EntryCounter(0), 100), *before);
  // A hole in the middle (rows 0-2 missing while 3-5 exist) is found by the count check.
  ASSERT_EQ(*index_->DeleteBefore(id, EntryCounter(3)), 3u);
  report = RepairFragmentIndex(store_.get(), index_.get());
  EXPECT_EQ(report->rows_added, 6u);  // rescanned from the trim horizon
  EXPECT_EQ(*index_->ListFromCounter(id, EntryCounter(0), 100), *before);
  // Nothing to do when consistent.
  report = RepairFragmentIndex(store_.get(), index_.get());
  EXPECT_EQ(report->rows_added, 0u);
  EXPECT_EQ(report->streams, 1u);
  // Rows past the log's end (a log tail lost under fsync=never) are dropped.
  index::FragmentRow ghost = (*before)[5];
  ghost.counter = EntryCounter(9);
  ASSERT_TRUE(index_->Insert({ghost}).ok());
  report = RepairFragmentIndex(store_.get(), index_.get());
  EXPECT_EQ(report->rows_past_tip, 1u);
  EXPECT_EQ(*index_->Count(id), 6u);
}

TEST_F(ReaderTest, RetentionAndDeletedStreamsRemoveRows) {
  REQUIRE_H264("cam");
  CreateVideo("gone");
  const StreamId cam = IdOf("cam");
  const StreamId gone = IdOf("gone");
  ASSERT_TRUE(index_->InternHeader(gone, "h").ok());
  ASSERT_TRUE(store_->SetRetentionHours("cam", 1).ok());
  clock_.Advance(2 * 3600 * 1000);
  ASSERT_TRUE(store_->RunRetentionOnce().ok());
  // Before the repair, List already hides rows whose entries are gone.
  auto page = reader_->List("cam", {.start = TimestampMs(0), .end = TimestampMs(1'000'000)});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->rows.empty());
  ASSERT_TRUE(store_->DeleteStream("gone").ok());  // behind VideoStreams' back
  ASSERT_TRUE(
      index_->Insert({FragmentRowOf(cam, ShardIndex(0), EntryCounter(0), "1", 1, {})}).ok());
  auto report = RepairFragmentIndex(store_.get(), index_.get());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_expired, 1u);
  EXPECT_EQ(report->streams_dropped, 1u);
  EXPECT_EQ(*index_->Count(cam), 0u);
  EXPECT_FALSE(index_->LatestHeader(gone)->has_value());
  EXPECT_EQ(reader_->ReadNumber("cam", persisted_[0].fragment_number).status().code(),
            StatusCode::kNotFound);
}

// Ingest throughput on one session thread: whole PutMedia bodies of 6 one-second H.264
// fragments, fsync "always" (group commit), index rows included. Prints fragments/s.
TEST_F(ReaderTest, IngestThroughput) {
  REQUIRE_MEDIA(path, "h264");
  const std::string body = ReadFile(path);
  CreateVideo("bench");
  constexpr int kSessions = 30;
  const auto t0 = std::chrono::steady_clock::now();
  size_t fragments = 0;
  for (int i = 0; i < kSessions; i++) {
    fragments += Put("bench", body, 8192).OfType(Ack::Type::kPersisted).size();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("ingest: %zu fragments (%zu KB each) in %.2f s = %.0f fragments/s, %.1f MB/s\n",
              fragments, body.size() / 6 / 1024, s, double(fragments) / s,
              double(body.size()) * kSessions / s / 1e6);
  EXPECT_EQ(fragments, size_t{6 * kSessions});
}

}  // namespace
}  // namespace sluice::ingest

// SPDX-License-Identifier: Apache-2.0
// FragmentIterator over real ingested video (ffmpeg-made H.264 through a PutMedia session): each
// start selector, batching with the named first fragment, the live tail and its wake-up, parsed
// frames with the stored metadata, and errors for unknown streams and fragment numbers.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "consumers/framework/fragment_frames.h"
#include "consumers/framework/fragment_iterator.h"
#include "tests/ingest/ingest_fixture.h"

namespace sluice::consumers {
namespace {

using media::testing::ReadFile;
using Type = FragmentStart::Type;

class FragmentIteratorTest : public ingest::IngestTest {
 protected:
  // A video stream holding the 6 one-second fragments of the h264 test file.
  bool PutH264(const std::string& stream, const std::string& media = "h264") {
    const std::string path = media::testing::MediaFiles::Path(media);
    if (path.empty()) return false;
    if (!store_->DescribeStream(stream).ok()) CreateVideo(stream);
    ingest::SessionRun run = Put(stream, ReadFile(path));
    for (const ingest::Ack& a : run.OfType(ingest::Ack::Type::kPersisted)) {
      numbers_.push_back(a.fragment_number);
    }
    return run.OfType(ingest::Ack::Type::kPersisted).size() == 6;
  }
  std::unique_ptr<FragmentIterator> OpenIt(const FragmentStart& start) {
    auto r = FragmentIterator::Open(reader_.get(), "cam", start);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : nullptr;
  }
  std::vector<std::string> Drain(FragmentIterator* it, size_t per_call = 16) {
    std::vector<std::string> out;
    while (true) {
      auto b = it->Next(per_call);
      EXPECT_TRUE(b.ok()) << b.status().ToString();
      if (!b.ok() || b->empty()) break;
      EXPECT_LE(b->size(), per_call);
      for (const auto& f : *b) out.push_back(f.row.fragment_number);
    }
    return out;
  }
  std::vector<std::string> From(size_t i) {
    return std::vector<std::string>(numbers_.begin() + static_cast<long>(i), numbers_.end());
  }
  std::vector<std::string> numbers_;  // every persisted fragment number, in order
};

#define REQUIRE_H264() \
  if (!PutH264("cam")) GTEST_SKIP() << "no test media (ffmpeg)"

TEST_F(FragmentIteratorTest, EarliestReadsEveryFragmentInOrder) {
  REQUIRE_H264();
  auto it = OpenIt({.type = Type::kEarliest});
  EXPECT_EQ(Drain(it.get(), 4), numbers_);
  EXPECT_EQ(it->last_fragment_number(), numbers_.back());
}

TEST_F(FragmentIteratorTest, AtAndAfterAFragmentNumber) {
  REQUIRE_H264();
  auto at = OpenIt({.type = Type::kAtFragmentNumber, .fragment_number = numbers_[2]});
  // The named fragment comes alone when asked for one, then the rest follow.
  auto first = at->Next(1);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].row.fragment_number, numbers_[2]);
  EXPECT_EQ(Drain(at.get()), From(3));
  auto at_batch = OpenIt({.type = Type::kAtFragmentNumber, .fragment_number = numbers_[2]});
  EXPECT_EQ(Drain(at_batch.get()), From(2));
  auto after = OpenIt({.type = Type::kAfterFragmentNumber, .fragment_number = numbers_[2]});
  EXPECT_EQ(Drain(after.get()), From(3));
}

TEST_F(FragmentIteratorTest, ServerAndProducerTimestamps) {
  REQUIRE_H264();
  auto row3 = index_->ByCounter(IdOf("cam"), EntryCounter(3));
  ASSERT_TRUE(row3.ok() && row3->has_value());
  auto server = OpenIt({.type = Type::kServerTimestamp, .timestamp = (*row3)->server_time});
  EXPECT_EQ(Drain(server.get()), From(3));
  // 2.5 s into the producer's timeline is inside the third fragment.
  auto producer = OpenIt({.type = Type::kProducerTimestamp, .timestamp = TimestampMs(2500)});
  EXPECT_EQ(Drain(producer.get()), From(2));
}

TEST_F(FragmentIteratorTest, NowFollowsTheLiveTail) {
  REQUIRE_H264();
  auto it = OpenIt({.type = Type::kNow});
  EXPECT_EQ(Drain(it.get()), From(5));  // the latest fragment, then nothing yet
  std::atomic<bool> woke{false};
  std::thread waiter([&] {
    it->WaitForData(std::chrono::minutes(5));
    woke = true;
  });
  ASSERT_TRUE(PutH264("cam", "h264_b"));
  EXPECT_TRUE(sluice::testing::WaitFor([&] { return woke.load(); }, std::chrono::seconds(30)));
  waiter.join();
  EXPECT_EQ(Drain(it.get()), From(6));
  it->Interrupt();
  it->WaitForData(std::chrono::minutes(5));  // returns at once
}

TEST_F(FragmentIteratorTest, ToFragmentGivesFramesAndStoredMetadata) {
  REQUIRE_H264();
  auto it = OpenIt({.type = Type::kEarliest});
  auto batch = it->Next(2);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 2u);
  const ingest::StoredFragment& stored = (*batch)[1];
  auto f = FragmentIterator::ToFragment(stored);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->frame_count(), 25u);  // one second at 25 fps
  EXPECT_TRUE(f->frames[0].key());
  EXPECT_TRUE(f->key_frame);
  EXPECT_EQ(f->cluster_timecode, stored.meta.cluster_timecode);
  EXPECT_EQ(f->producer_timestamp, stored.meta.producer_timestamp);
  EXPECT_EQ(f->header_version, stored.header.version);
  EXPECT_FALSE(f->Payload(f->frames[0]).empty());
}

TEST_F(FragmentIteratorTest, FrameExtractorDecodesEachFragment) {
  REQUIRE_H264();
  auto it = OpenIt({.type = Type::kEarliest});
  auto batch = it->Next(3);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 3u);
  FrameExtractor frames;
  for (const ingest::StoredFragment& f : *batch) {
    auto all = frames.Decode(f, {});
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    ASSERT_EQ(all->size(), 25u);
    EXPECT_EQ((*all)[0].width, 320u);
    EXPECT_EQ((*all)[0].height, 240u);
    EXPECT_TRUE((*all)[0].key);
    auto keys = frames.Decode(f, {.key_frames_only = true});
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    EXPECT_EQ(keys->size(), 1u);
  }
}

TEST_F(FragmentIteratorTest, UnknownStreamOrFragmentIsNotFound) {
  REQUIRE_H264();
  EXPECT_EQ(
      FragmentIterator::Open(reader_.get(), "nope", {.type = Type::kEarliest}).status().code(),
      StatusCode::kNotFound);
  auto r = FragmentIterator::Open(reader_.get(), "cam",
                                  {.type = Type::kAtFragmentNumber, .fragment_number = "12345"});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
  auto after = FragmentIterator::Open(
      reader_.get(), "cam", {.type = Type::kAfterFragmentNumber, .fragment_number = "12345"});
  EXPECT_EQ(after.status().code(), StatusCode::kInvalidArgument) << after.status().ToString();
}

}  // namespace
}  // namespace sluice::consumers

// SPDX-License-Identifier: Apache-2.0
// PutMediaSession over a real embedded store: ffmpeg-made H.264/H.265 bodies in any chunking, the
// ack sequence and its JSON, index rows, read-back decoded by ffprobe, timestamps, restarts and
// resolution changes, bad input, a deleted stream and retention 0.
#include <gtest/gtest.h>

#include "ingest/video_record.h"
#include "media/mkv_ids.h"
#include "tests/ingest/ingest_fixture.h"

namespace sluice::ingest {
namespace {

using media::testing::DecodedVideoFrames;
using media::testing::ReadFile;

// BUFFERING, RECEIVED and PERSISTED for each of n fragments, per-type in fragment order, with
// increasing fragment numbers; returns the PERSISTED acks.
std::vector<Ack> ExpectCleanAcks(const SessionRun& run, size_t n) {
  EXPECT_TRUE(run.OfType(Ack::Type::kError).empty()) << run.Types();
  const auto b = run.OfType(Ack::Type::kBuffering);
  const auto r = run.OfType(Ack::Type::kReceived);
  const auto p = run.OfType(Ack::Type::kPersisted);
  EXPECT_EQ(b.size(), n);
  EXPECT_EQ(r.size(), n);
  EXPECT_EQ(p.size(), n);
  for (size_t i = 0; i < std::min({b.size(), r.size(), p.size()}); i++) {
    EXPECT_EQ(b[i].fragment_timecode, r[i].fragment_timecode) << i;
    EXPECT_EQ(r[i].fragment_timecode, p[i].fragment_timecode) << i;
    EXPECT_TRUE(b[i].fragment_number.empty());
    EXPECT_FALSE(p[i].fragment_number.empty());
    if (i > 0) {
      EXPECT_GT(*b[i].fragment_timecode, *b[i - 1].fragment_timecode);
      EXPECT_GT(p[i].fragment_number.size() * 1000 + 0, 0u);
      EXPECT_TRUE(p[i].fragment_number.size() > p[i - 1].fragment_number.size() ||
                  p[i].fragment_number > p[i - 1].fragment_number)
          << p[i].fragment_number << " after " << p[i - 1].fragment_number;
    }
  }
  // Per fragment: BUFFERING before RECEIVED before PERSISTED.
  std::vector<int> stage(n + 1, 0);
  std::map<uint64_t, size_t> slot;
  for (size_t i = 0; i < b.size(); i++) slot[*b[i].fragment_timecode] = i;
  for (const Ack& a : run.acks) {
    if (!a.fragment_timecode) continue;
    const size_t i = slot[*a.fragment_timecode];
    const int want = static_cast<int>(a.type);
    EXPECT_EQ(stage[i], want) << "fragment " << i << " in " << run.Types();
    stage[i] = want + 1;
  }
  return p;
}

TEST_F(IngestTest, H264BodyIsStoredIndexedAndReadsBackFrameExact) {
  REQUIRE_MEDIA(path, "h264");
  const std::string body = ReadFile(path);
  CreateVideo("cam");
  SessionRun run = Put("cam", body, 8192);
  const std::vector<Ack> persisted = ExpectCleanAcks(run, 6);
  ASSERT_EQ(persisted.size(), 6u);

  // Index rows: one per fragment, producer time = cluster timecode (ABSOLUTE, 1 ms scale).
  const StreamId id = IdOf("cam");
  ASSERT_EQ(*index_->Count(id), 6u);
  auto page = index_->ListByTime(
      {.stream = id, .start = TimestampMs(0), .end = TimestampMs(INT64_MAX / 2)});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 6u);
  uint64_t total_bytes = 0;
  for (size_t i = 0; i < 6; i++) {
    const index::FragmentRow& row = page->rows[i];
    EXPECT_EQ(row.fragment_number, persisted[i].fragment_number);
    EXPECT_EQ(row.producer_time.value(), static_cast<int64_t>(*persisted[i].fragment_timecode));
    EXPECT_EQ(row.producer_time.value(), static_cast<int64_t>(i) * 1000);
    EXPECT_GE(row.server_time.value(), kStartMs);
    EXPECT_GT(row.duration_ms, 700);
    EXPECT_EQ(row.header_version, 1u);
    EXPECT_TRUE(row.key_frame);
    total_bytes += row.size_bytes;
  }
  EXPECT_GT(total_bytes, body.size() / 2);
  EXPECT_LT(total_bytes, body.size());

  // Read back every fragment alone; the concatenated chunks decode to the input's frames.
  std::vector<StoredFragment> frags = ReadAllFragments("cam");
  ASSERT_EQ(frags.size(), 6u);
  for (size_t i = 0; i < frags.size(); i++) {
    EXPECT_EQ(frags[i].row, page->rows[i]);
    EXPECT_EQ(frags[i].cluster.size(), frags[i].row.size_bytes);
    EXPECT_EQ(frags[i].header.tracks.at(0).codec_id, "V_MPEG4/ISO/AVC");
  }
  EXPECT_EQ(DecodedVideoFrames(WriteChunks(frags, "h264_back")), DecodedVideoFrames(path));
  EXPECT_EQ(DecodedVideoFrames(path), 150);
}

TEST_F(IngestTest, H265AnyChunkingGivesTheSameFragments) {
  REQUIRE_MEDIA(path, "h265");
  const std::string body = ReadFile(path);
  CreateVideo("a");
  CreateVideo("b");
  SessionRun big = Put("a", body, 65536);
  SessionRun tiny = Put("b", body, 7);
  ExpectCleanAcks(big, 6);
  ExpectCleanAcks(tiny, 6);
  std::vector<StoredFragment> fa = ReadAllFragments("a");
  std::vector<StoredFragment> fb = ReadAllFragments("b");
  ASSERT_EQ(fa.size(), 6u);
  ASSERT_EQ(fb.size(), 6u);
  for (size_t i = 0; i < 6; i++) EXPECT_EQ(fa[i].cluster, fb[i].cluster) << i;
  EXPECT_EQ(fa[0].header.tracks.at(0).codec_id, "V_MPEGH/ISO/HEVC");
  EXPECT_EQ(DecodedVideoFrames(WriteChunks(fb, "h265_back")), DecodedVideoFrames(path));
}

TEST_F(IngestTest, AckJsonIsExactlyWhatAwsSends) {
  Ack p{Ack::Type::kPersisted, 1597730826769, "91343852333181481915235394203149336554319348843"};
  EXPECT_EQ(p.ToJson(), R"({"EventType":"PERSISTED","FragmentTimecode":1597730826769,)"
                        R"("FragmentNumber":"91343852333181481915235394203149336554319348843"})");
  Ack b{Ack::Type::kBuffering, 0, ""};
  EXPECT_EQ(b.ToJson(), R"({"EventType":"BUFFERING","FragmentTimecode":0})");
  Ack e{Ack::Type::kError, std::nullopt, "", 4006, "INVALID_MKV_DATA"};
  EXPECT_EQ(e.ToJson(), R"({"EventType":"ERROR","ErrorCode":"INVALID_MKV_DATA","ErrorId":4006})");
  Ack idle{Ack::Type::kIdle};
  EXPECT_EQ(idle.ToJson(), R"({"EventType":"IDLE"})");
  EXPECT_EQ(AckErrorCodeName(4008), "STREAM_NOT_ACTIVE");
  EXPECT_EQ(AckErrorCodeName(5001), "ARCHIVAL_ERROR");
}

TEST_F(IngestTest, RelativeTimecodesAddTheProducerStart) {
  REQUIRE_MEDIA(path, "h264");
  CreateVideo("rel");
  const TimestampMs start(1'597'730'826'769);
  PutMediaOptions o;
  o.timecode_type = media::TimecodeType::kRelative;
  o.producer_start = start;
  SessionRun run = Put("rel", ReadFile(path), 8192, o);
  const auto p = ExpectCleanAcks(run, 6);
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(*p[3].fragment_timecode, 3000u);  // acks echo the timecode as sent
  auto row = index_->ByCounter(IdOf("rel"), EntryCounter(3));
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->producer_time, TimestampMs(start.value() + 3000));
  // Lookups by producer time find it.
  auto at = index_->FirstAtOrAfter(IdOf("rel"), index::TimeAxis::kProducer,
                                   TimestampMs(start.value() + 2500));
  ASSERT_TRUE(at.ok() && at->has_value());
  EXPECT_EQ((*at)->counter, EntryCounter(3));
}

TEST_F(IngestTest, ProducerRestartAndResolutionChangeStoreNewHeaderVersions) {
  REQUIRE_MEDIA(first, "h264");
  REQUIRE_MEDIA(second, "h264_b");
  REQUIRE_MEDIA(large, "h264_640");
  const std::string body = ReadFile(first) + ReadFile(second) + ReadFile(large);
  CreateVideo("cam");
  SessionRun run = Put("cam", body, 4096);
  ExpectCleanAcks(run, 18);
  std::vector<StoredFragment> frags = ReadAllFragments("cam");
  ASSERT_EQ(frags.size(), 18u);
  EXPECT_EQ(frags[0].header.tracks[0].width, 320u);
  EXPECT_EQ(frags[17].header.tracks[0].width, 640u);
  EXPECT_GT(frags[17].header.version, frags[0].header.version);
  EXPECT_EQ(frags[12].header.version, frags[17].header.version);
  EXPECT_NE(frags[11].header.version, frags[12].header.version);
  // A fragment after the change is served alone with its own header.
  EXPECT_EQ(DecodedVideoFrames(WriteChunks({frags[15]}, "alone")), 25);
  EXPECT_EQ(DecodedVideoFrames(WriteChunks(frags, "all")), 450);
  // A second session with the same header reuses the stored version.
  CreateVideo("cam2");
  Put("cam2", ReadFile(first));
  Put("cam2", ReadFile(second));
  auto latest = index_->LatestHeader(IdOf("cam2"));
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_LE((*latest)->version, 2u);
}

TEST_F(IngestTest, GarbageAndBadTimecodesGiveErrorAcksAndKeepEarlierFragments) {
  REQUIRE_MEDIA(path, "h264");
  const std::string good = ReadFile(path);
  CreateVideo("cam");
  // A good body, garbage, then the same body again: its timecodes are not increasing (4004)
  // within the session; the garbage before it is skipped while resynchronising.
  SessionRun run = Put("cam", good + std::string(5000, '\x42') + good, 8192);
  const auto errors = run.OfType(Ack::Type::kError);
  ASSERT_FALSE(errors.empty()) << run.Types();
  bool saw_4004 = false;
  for (const Ack& e : errors) saw_4004 |= e.error_id == 4004;
  EXPECT_TRUE(saw_4004) << run.Types();
  EXPECT_EQ(run.OfType(Ack::Type::kPersisted).size(), 6u);
  EXPECT_EQ(ReadAllFragments("cam").size(), 6u);

  // Pure garbage: one INVALID_MKV_DATA, nothing stored.
  CreateVideo("junk");
  SessionRun junk = Put("junk", std::string(10000, '\x17'));
  ASSERT_EQ(junk.OfType(Ack::Type::kError).size(), 1u) << junk.Types();
  EXPECT_EQ(junk.acks[0].error_id, 4006);
  EXPECT_EQ(junk.acks[0].error_code, "INVALID_MKV_DATA");
  EXPECT_EQ(*index_->Count(IdOf("junk")), 0u);
}

TEST_F(IngestTest, OversizeFragmentIsRefusedWith4001) {
  REQUIRE_MEDIA(path, "h264");
  const std::string body = ReadFile(path);
  CreateVideo("cam");
  PutMediaOptions o;
  o.max_fragment_bytes = 3000;  // the fragments of the test file are larger
  SessionRun run = Put("cam", body, 8192, o);
  const auto errors = run.OfType(Ack::Type::kError);
  ASSERT_FALSE(errors.empty());
  // ffmpeg writes known-size clusters, refused at their header before the Timecode is read, so
  // these ERROR acks carry no FragmentTimecode.
  for (const Ack& e : errors) {
    EXPECT_EQ(e.error_id, 4001);
    EXPECT_EQ(e.error_code, "MAX_FRAGMENT_SIZE_REACHED");
  }
  // Fragments below the limit (if any) are stored and readable.
  EXPECT_EQ(ReadAllFragments("cam").size(), run.OfType(Ack::Type::kPersisted).size());
  EXPECT_EQ(run.OfType(Ack::Type::kPersisted).size() + errors.size(), 6u);
}

TEST_F(IngestTest, DeletedStreamEndsTheSessionWith4008) {
  REQUIRE_MEDIA(path, "h264");
  const std::string body = ReadFile(path);
  CreateVideo("cam");
  std::vector<Ack> acks;
  std::mutex mu;
  bool drained = false;
  auto session = PutMediaSession::Open(
      store_.get(), index_.get(), {.stream = "cam", .clock = &clock_},
      [&](const Ack& a) {
        std::lock_guard<std::mutex> l(mu);
        acks.push_back(a);
      },
      [&] {
        std::lock_guard<std::mutex> l(mu);
        drained = true;
      });
  ASSERT_TRUE(session.ok());
  (*session)->Feed(body.substr(0, body.size() / 2));
  ASSERT_TRUE(sluice::testing::WaitFor([&] { return (*session)->fragments_in_flight() == 0; }));
  ASSERT_TRUE(streams_->Delete({.name = "cam"}, std::nullopt).ok());
  (*session)->Feed(body.substr(body.size() / 2));
  (*session)->Finish();
  ASSERT_TRUE(sluice::testing::WaitFor([&] {
    std::lock_guard<std::mutex> l(mu);
    return drained;
  }));
  std::lock_guard<std::mutex> l(mu);
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back().type, Ack::Type::kError);
  EXPECT_EQ(acks.back().error_id, 4008);
  EXPECT_TRUE((*session)->ended());
  // Unknown streams are refused before any ack.
  EXPECT_EQ(PutMediaSession::Open(store_.get(), index_.get(), {.stream = "nope"}, nullptr, nullptr)
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST_F(IngestTest, RetentionZeroSendsReceivedButNoPersisted) {
  REQUIRE_MEDIA(path, "h264");
  CreateVideo("live", 0);
  SessionRun run = Put("live", ReadFile(path));
  EXPECT_EQ(run.OfType(Ack::Type::kReceived).size(), 6u);
  EXPECT_TRUE(run.OfType(Ack::Type::kPersisted).empty());
  EXPECT_TRUE(run.drained);
  // Still readable live (GetMedia) for the short unpersisted window.
  EXPECT_EQ(ReadAllFragments("live").size(), 6u);
}

TEST_F(IngestTest, IdleAcksUntilTheTimeout) {
  CreateVideo("cam");
  std::vector<Ack> acks;
  auto session = PutMediaSession::Open(
      store_.get(), index_.get(), {.stream = "cam", .clock = &clock_, .idle_timeout_ms = 30000},
      [&](const Ack& a) { acks.push_back(a); }, nullptr);
  ASSERT_TRUE(session.ok());
  clock_.Advance(10000);
  EXPECT_TRUE((*session)->Idle());
  clock_.Advance(25000);
  EXPECT_FALSE((*session)->Idle());
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].ToJson(), R"({"EventType":"IDLE"})");
  (*session)->Fail(AckErrorId::kStreamReadError, "connection reset");
  EXPECT_EQ(acks.back().error_id, 4000);
  EXPECT_FALSE((*session)->Idle());
}

}  // namespace
}  // namespace sluice::ingest

// SPDX-License-Identifier: Apache-2.0
// MkvFragmenter error paths: each bad input gives the KVS ack error id, nothing crashes, fragments
// completed before the error stay, and parsing resumes (next cluster, or next EBML header).
#include <gtest/gtest.h>

#include "media/mkv_fragmenter.h"
#include "tests/media/media_test_util.h"

namespace sluice::media {
namespace {

using testing::EndOfFragmentTags;
using testing::Gop;
using testing::LiveCluster;
using testing::Recorder;
using testing::StreamStart;
using testing::TestBlock;
using testing::VideoHeader;

Recorder Parse(std::string_view data, FragmenterOptions options = {}, bool bytewise = false) {
  Recorder r;
  MkvFragmenter f(&r, options);
  if (bytewise) {
    testing::FeedPieces(&f, data, [] { return 1; });
  } else {
    f.Feed(data);
  }
  f.Finish();
  return r;
}

std::vector<MkvErrorId> Ids(const Recorder& r) {
  std::vector<MkvErrorId> ids;
  for (const MkvError& e : r.errors) ids.push_back(e.id);
  return ids;
}

TEST(MkvFragmenterErrorTest, LiveStreamWithEndOfFragmentTag) {
  // What the KVS producer sends: unknown sizes, and the end-of-fragment tag closing the last one.
  std::string body = StreamStart(VideoHeader()) + LiveCluster(1000, Gop(25)) +
                     LiveCluster(2000, Gop(25)) + EndOfFragmentTags();
  for (bool bytewise : {false, true}) {
    Recorder r;
    MkvFragmenter f(&r);
    if (bytewise) {
      testing::FeedPieces(&f, body, [] { return 1; });
    } else {
      f.Feed(body);
    }
    // Both fragments complete before the end of the body.
    EXPECT_EQ(r.log, "HSCSC");
    f.Finish();
    EXPECT_EQ(r.log, "HSCSC");
    ASSERT_EQ(r.fragments.size(), 2u);
    EXPECT_TRUE(r.fragments[1].tags.empty());  // the marker is not metadata
    EXPECT_EQ(r.fragments[1].frame_count(), 25u);
    EXPECT_EQ(r.fragments[1].Payload(r.fragments[1].frames[3]), "frame3");
  }
}

TEST(MkvFragmenterErrorTest, FragmentMetadataAttachesToTheNextCluster) {
  std::string tags;
  AppendTags(&tags, {{"LABEL", "door"}, {"ZONE", "3"}});
  std::string body =
      StreamStart(VideoHeader()) + LiveCluster(1000, Gop(5)) + tags + LiveCluster(2000, Gop(5));
  Recorder r = Parse(body);
  ASSERT_EQ(r.fragments.size(), 2u);
  EXPECT_TRUE(r.fragments[0].tags.empty());
  ASSERT_EQ(r.fragments[1].tags.size(), 2u);
  EXPECT_EQ(r.fragments[1].tags[0], (FragmentTag{"LABEL", "door"}));
}

TEST(MkvFragmenterErrorTest, TooManyFragmentTags) {
  std::vector<FragmentTag> many;
  for (int i = 0; i < 12; ++i) many.push_back({"T" + std::to_string(i), "v"});
  std::string tags;
  AppendTags(&tags, many);
  Recorder r = Parse(StreamStart(VideoHeader()) + tags + LiveCluster(1000, Gop(5)));
  EXPECT_EQ(Ids(r), std::vector<MkvErrorId>{MkvErrorId::kFragmentMetadataLimitReached});
  ASSERT_EQ(r.fragments.size(), 1u);
  EXPECT_EQ(r.fragments[0].tags.size(), 10u);
  EXPECT_EQ(r.fragments[0].tags[9].name, "T9");

  std::string long_value;
  AppendTags(&long_value, {{"OK", "1"}, {"LONG", std::string(257, 'v')}});
  Recorder r2 = Parse(StreamStart(VideoHeader()) + long_value + LiveCluster(1000, Gop(5)));
  EXPECT_EQ(Ids(r2), std::vector<MkvErrorId>{MkvErrorId::kFragmentMetadataLimitReached});
  EXPECT_EQ(r2.fragments[0].tags, (std::vector<FragmentTag>{{"OK", "1"}}));
}

TEST(MkvFragmenterErrorTest, GarbageBeforeTheHeaderIsSkipped) {
  std::string body = std::string("\x00\x01garbage\xff\xfe", 11) + StreamStart(VideoHeader()) +
                     LiveCluster(1000, Gop(5));
  for (bool bytewise : {false, true}) {
    Recorder r = Parse(body, {}, bytewise);
    EXPECT_EQ(Ids(r), std::vector<MkvErrorId>{MkvErrorId::kInvalidMkvData});
    EXPECT_EQ(r.log, "EHSC");
  }
}

TEST(MkvFragmenterErrorTest, GarbageMidStreamKeepsEarlierFragmentsAndResyncs) {
  const std::string start = StreamStart(VideoHeader());
  std::string first = LiveCluster(1000, Gop(5)) + LiveCluster(2000, Gop(5));
  std::string broken = LiveCluster(3000, Gop(5));
  broken.resize(broken.size() / 2);
  std::string garbage(64, '\0');
  std::string body = start + first + broken + garbage + start + LiveCluster(4000, Gop(5));
  for (bool bytewise : {false, true}) {
    Recorder r = Parse(body, {}, bytewise);
    EXPECT_EQ(Ids(r), std::vector<MkvErrorId>{MkvErrorId::kInvalidMkvData});
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].fragment_timecode, std::optional<uint64_t>(3000));
    EXPECT_EQ(r.log, "HSCSCSEHSC");  // cluster 3000 started, broke, then the restart
    ASSERT_EQ(r.fragments.size(), 3u);
    EXPECT_EQ(r.fragments[2].cluster_timecode, 4000u);
    EXPECT_EQ(r.fragments[2].header_version, 2u);
    EXPECT_TRUE(r.fragments[2].frames[0].flags & kFrameDiscontinuity);
  }
}

TEST(MkvFragmenterErrorTest, TruncatedRealFile) {
  if (!testing::HaveTool("ffmpeg")) GTEST_SKIP() << "ffmpeg not installed: no test media";
  const std::string path = testing::MediaFiles::Path("h264");
  ASSERT_FALSE(path.empty());
  std::string mkv = testing::ReadFile(path);
  mkv.resize(mkv.size() * 6 / 10);
  Recorder r = Parse(mkv);
  EXPECT_EQ(Ids(r), std::vector<MkvErrorId>{MkvErrorId::kInvalidMkvData});
  EXPECT_GE(r.fragments.size(), 2u);
  EXPECT_LE(r.fragments.size(), 4u);
  EXPECT_EQ(r.starts.size(), r.fragments.size() + 1);  // the cut one had started
  EXPECT_NE(r.errors[0].message.find("truncated"), std::string::npos) << r.errors[0].message;
}

TEST(MkvFragmenterErrorTest, TimecodeNotAfterThePreviousOne) {
  std::string body = StreamStart(VideoHeader()) + LiveCluster(1000, Gop(5)) +
                     LiveCluster(2000, Gop(5)) + LiveCluster(2000, Gop(5)) +
                     LiveCluster(1500, Gop(5)) + LiveCluster(3000, Gop(5));
  Recorder r = Parse(body);
  EXPECT_EQ(Ids(r), (std::vector<MkvErrorId>{MkvErrorId::kFragmentTimecodeLesserThanPrevious,
                                             MkvErrorId::kFragmentTimecodeLesserThanPrevious}));
  EXPECT_EQ(r.errors[0].fragment_timecode, std::optional<uint64_t>(2000));
  EXPECT_EQ(r.errors[1].fragment_timecode, std::optional<uint64_t>(1500));
  ASSERT_EQ(r.fragments.size(), 3u);
  EXPECT_EQ(r.fragments[2].cluster_timecode, 3000u);
  EXPECT_EQ(r.log, "HSCSCEESC");
}

TEST(MkvFragmenterErrorTest, FragmentOverTheSizeLimit) {
  std::vector<TestBlock> big = Gop(3);
  big[1].payload = std::string(5000, 'x');
  std::string body = StreamStart(VideoHeader()) + LiveCluster(1000, Gop(3)) +
                     LiveCluster(2000, big) + LiveCluster(3000, Gop(3));
  Recorder r = Parse(body, {.max_fragment_bytes = 4096}, /*bytewise=*/true);
  EXPECT_EQ(Ids(r), std::vector<MkvErrorId>{MkvErrorId::kMaxFragmentSizeReached});
  EXPECT_EQ(r.errors[0].fragment_timecode, std::optional<uint64_t>(2000));
  ASSERT_EQ(r.fragments.size(), 2u);
  EXPECT_EQ(r.fragments[1].cluster_timecode, 3000u);
  EXPECT_TRUE(r.fragments[1].frames[0].flags & kFrameDiscontinuity);
}

TEST(MkvFragmenterErrorTest, KnownSizeClusterOverTheLimitIsNotBuffered) {
  if (!testing::HaveTool("ffmpeg")) GTEST_SKIP() << "ffmpeg not installed: no test media";
  const std::string path = testing::MediaFiles::Path("h264");
  ASSERT_FALSE(path.empty());
  // ffmpeg writes clusters with known sizes; put the limit between the smallest and the largest.
  const std::string mkv = testing::ReadFile(path);
  Recorder all = Parse(mkv);
  size_t lo = SIZE_MAX, hi = 0;
  for (const Fragment& f : all.fragments) {
    lo = std::min(lo, f.cluster.size());
    hi = std::max(hi, f.cluster.size());
  }
  ASSERT_LT(lo, hi);
  const size_t limit = (lo + hi) / 2;
  size_t over = 0;
  for (const Fragment& f : all.fragments) over += f.cluster.size() > limit ? 1 : 0;
  Recorder r = Parse(mkv, {.max_fragment_bytes = limit});
  EXPECT_EQ(r.errors.size(), over);
  EXPECT_EQ(r.fragments.size(), all.fragments.size() - over);
  for (const MkvError& e : r.errors) EXPECT_EQ(e.id, MkvErrorId::kMaxFragmentSizeReached);
  for (const Fragment& f : r.fragments) EXPECT_LE(f.cluster.size(), limit);
}

TEST(MkvFragmenterErrorTest, FragmentOverTheDurationLimit) {
  std::string body = StreamStart(VideoHeader()) + LiveCluster(1000, Gop(10)) +
                     LiveCluster(2000, Gop(40)) + LiveCluster(4000, Gop(10));
  Recorder r = Parse(body, {.max_fragment_duration_ms = 1000});
  EXPECT_EQ(Ids(r), std::vector<MkvErrorId>{MkvErrorId::kMaxFragmentDurationReached});
  EXPECT_EQ(r.errors[0].fragment_timecode, std::optional<uint64_t>(2000));
  ASSERT_EQ(r.fragments.size(), 2u);
  EXPECT_EQ(r.fragments[0].duration_ms, 400);
}

TEST(MkvFragmenterErrorTest, TooManyTracksThenRestart) {
  std::string body = StreamStart(VideoHeader(4)) + LiveCluster(1000, Gop(5)) +
                     StreamStart(VideoHeader(3)) + LiveCluster(2000, Gop(5));
  Recorder r = Parse(body);
  EXPECT_EQ(Ids(r), std::vector<MkvErrorId>{MkvErrorId::kMoreThanAllowedTracksFound});
  EXPECT_EQ(r.log, "EHSC");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].tracks.size(), 3u);
}

TEST(MkvFragmenterErrorTest, BlockForAnUndeclaredTrack) {
  std::vector<TestBlock> blocks = Gop(5);
  blocks[2].track = 7;
  std::string body =
      StreamStart(VideoHeader()) + LiveCluster(1000, blocks) + LiveCluster(2000, Gop(5));
  Recorder r = Parse(body);
  EXPECT_EQ(Ids(r), std::vector<MkvErrorId>{MkvErrorId::kTrackNumberMismatch});
  EXPECT_EQ(r.errors[0].fragment_timecode, std::optional<uint64_t>(1000));
  ASSERT_EQ(r.fragments.size(), 1u);
  EXPECT_EQ(r.fragments[0].cluster_timecode, 2000u);
}

TEST(MkvFragmenterErrorTest, MissingCodecPrivateData) {
  TrackHeader h = VideoHeader();
  h.tracks[0].codec_private.clear();
  Recorder r = Parse(StreamStart(h) + LiveCluster(1000, Gop(5)));
  EXPECT_EQ(Ids(r), std::vector<MkvErrorId>{MkvErrorId::kInvalidMkvData});
  EXPECT_NE(r.errors[0].message.find("codec private"), std::string::npos);
  EXPECT_TRUE(r.fragments.empty());
}

TEST(MkvFragmenterErrorTest, FragmentNotStartingWithAKeyFrameIsAContinuation) {
  std::vector<TestBlock> blocks = Gop(5);
  blocks[0].key = false;
  Recorder r =
      Parse(StreamStart(VideoHeader()) + LiveCluster(1000, Gop(5)) + LiveCluster(2000, blocks));
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.fragments.size(), 2u);
  EXPECT_TRUE(r.fragments[0].key_frame);
  EXPECT_FALSE(r.fragments[1].key_frame);
}

TEST(MkvFragmenterErrorTest, ClusterBeforeTracksAndBlockBeforeTimecode) {
  std::string no_tracks;
  AppendEbmlHeader(&no_tracks, "matroska");
  AppendSegmentStart(&no_tracks);
  Recorder r = Parse(no_tracks + LiveCluster(1000, Gop(2)));
  EXPECT_EQ(Ids(r), std::vector<MkvErrorId>{MkvErrorId::kInvalidMkvData});

  std::string cluster;
  PutId(&cluster, mkv::kCluster);
  PutUnknownSize(&cluster);
  cluster += testing::SimpleBlock({});
  Recorder r2 = Parse(StreamStart(VideoHeader()) + cluster + LiveCluster(2000, Gop(2)));
  EXPECT_EQ(Ids(r2), std::vector<MkvErrorId>{MkvErrorId::kInvalidMkvData});
  EXPECT_EQ(r2.fragments.size(), 1u);
}

TEST(MkvFragmenterErrorTest, WrongDocTypeAndErrorCodeNames) {
  std::string body;
  AppendEbmlHeader(&body, "notmkv");
  Recorder r = Parse(body);
  EXPECT_EQ(Ids(r), std::vector<MkvErrorId>{MkvErrorId::kInvalidMkvData});
  EXPECT_EQ(MkvErrorCodeName(MkvErrorId::kInvalidMkvData), "INVALID_MKV_DATA");
  EXPECT_EQ(MkvErrorCodeName(MkvErrorId::kFragmentTimecodeLesserThanPrevious),
            "FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS");
  EXPECT_EQ(static_cast<int>(MkvErrorId::kMoreThanAllowedTracksFound), 4012);
}

TEST(MkvFragmenterErrorTest, RandomBytesNeverCrash) {
  std::mt19937 rng(1234);
  std::string good = StreamStart(VideoHeader()) + LiveCluster(1000, Gop(5));
  for (int round = 0; round < 200; ++round) {
    std::string body = good;
    for (int k = 0; k < 4; ++k) body[rng() % body.size()] = static_cast<char>(rng());
    Recorder r;
    MkvFragmenter f(&r);
    testing::FeedRandom(&f, body, 16, static_cast<uint32_t>(round));
    f.Finish();
    EXPECT_LE(r.fragments.size(), 1u);
  }
}

}  // namespace
}  // namespace sluice::media

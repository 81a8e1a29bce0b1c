// SPDX-License-Identifier: Apache-2.0
// MkvFragmenter on block forms the ffmpeg/GStreamer test media does not use: BlockGroups (key frame
// by absence of ReferenceBlock, BlockDuration) and laced SimpleBlocks, fed whole and byte by byte.
#include <gtest/gtest.h>

#include "media/mkv_fragmenter.h"
#include "tests/media/media_test_util.h"

namespace sluice::media {
namespace {

using testing::Recorder;

std::string BlockBody(uint64_t track, int16_t timecode, uint8_t flags, std::string_view rest) {
  std::string b;
  PutSize(&b, track);
  b.push_back(static_cast<char>(static_cast<uint16_t>(timecode) >> 8));
  b.push_back(static_cast<char>(timecode & 0xFF));
  b.push_back(static_cast<char>(flags));
  b += rest;
  return b;
}

std::string Group(int16_t timecode, std::string_view payload, bool reference, uint64_t duration) {
  std::string g;
  PutBytes(&g, mkv::kBlock, BlockBody(1, timecode, 0, payload));
  if (duration != 0) PutUInt(&g, mkv::kBlockDuration, duration);
  if (reference) PutSInt(&g, mkv::kReferenceBlock, -40);
  std::string out;
  PutMaster(&out, mkv::kBlockGroup, g);
  return out;
}

TEST(MkvFragmenterBlocksTest, BlockGroupsAndLacedAudio) {
  TrackHeader h = testing::VideoHeader();
  TrackInfo audio;
  audio.number = 2;
  audio.uid = 2;
  audio.type = TrackType::kAudio;
  audio.codec_id = "A_PCM/INT/LIT";
  audio.default_duration_ns = 20'000'000;
  audio.sampling_rate = 8000;
  audio.channels = 1;
  h.tracks.push_back(audio);

  std::string cluster;
  PutUInt(&cluster, mkv::kTimecode, 1000);
  cluster += Group(0, "KEYFRAME", /*reference=*/false, /*duration=*/40);
  cluster += Group(40, "DELTA", /*reference=*/true, 0);
  // Strays are kept in the cluster bytes but are not frames: a Block outside a BlockGroup and a
  // SimpleBlock inside one.
  PutBytes(&cluster, mkv::kBlock, BlockBody(1, 60, 0, "STRAY1"));
  std::string odd_group;
  PutBytes(&odd_group, mkv::kSimpleBlock, BlockBody(1, 70, 0x80, "STRAY2"));
  PutMaster(&cluster, mkv::kBlockGroup, odd_group);
  // Xiph lacing: three frames "aa", "bbb", "c".
  std::string laced = BlockBody(2, 0, 0x80 | 0x02, std::string("\x02\x02\x03", 3) + "aabbbc");
  PutBytes(&cluster, mkv::kSimpleBlock, laced);
  std::string body = testing::StreamStart(h);
  PutMaster(&body, mkv::kCluster, cluster);  // a known-size cluster this time

  for (bool bytewise : {false, true}) {
    Recorder r;
    MkvFragmenter f(&r);
    if (bytewise) {
      testing::FeedPieces(&f, body, [] { return 1; });
    } else {
      f.Feed(body);
    }
    EXPECT_EQ(r.log, "HSC");  // complete at its known end, before Finish
    f.Finish();
    ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
    ASSERT_EQ(r.fragments.size(), 1u);
    const Fragment& frag = r.fragments[0];
    ASSERT_EQ(frag.frame_count(), 5u);
    EXPECT_NE(frag.cluster.find("STRAY2"), std::string::npos);
    EXPECT_TRUE(frag.key_frame);
    EXPECT_EQ(frag.Payload(frag.frames[0]), "KEYFRAME");
    EXPECT_TRUE(frag.frames[0].key());
    EXPECT_EQ(frag.frames[0].duration_ns, 40'000'000);
    EXPECT_EQ(frag.frames[0].pts_ns, 1'000'000'000);
    EXPECT_EQ(frag.frames[0].dts_ns, kUnknownTime);
    EXPECT_EQ(frag.Payload(frag.frames[1]), "DELTA");
    EXPECT_FALSE(frag.frames[1].key());
    EXPECT_EQ(frag.frames[1].pts_ns, 1'040'000'000);
    EXPECT_EQ(frag.Payload(frag.frames[2]), "aa");
    EXPECT_EQ(frag.Payload(frag.frames[3]), "bbb");
    EXPECT_EQ(frag.Payload(frag.frames[4]), "c");
    EXPECT_EQ(frag.frames[4].pts_ns, 1'040'000'000);  // 2 x DefaultDuration after the block
    EXPECT_EQ(frag.frames[4].track_number, 2u);
    // Video frames alone set the duration: the last one (no duration of its own) is assumed to
    // last the average video frame gap: 1040 + 40 = 1080 ms.
    EXPECT_EQ(frag.duration_ms, 80);
    EXPECT_TRUE(frag.frames[0].flags & kFrameDiscontinuity);
  }
}

TEST(MkvFragmenterBlocksTest, BadLacingDropsTheCluster) {
  std::string cluster;
  PutUInt(&cluster, mkv::kTimecode, 1000);
  PutBytes(&cluster, mkv::kSimpleBlock, BlockBody(1, 0, 0x80 | 0x02, "\x05\xFF\xFF\xFF"));
  std::string body = testing::StreamStart(testing::VideoHeader());
  PutMaster(&body, mkv::kCluster, cluster);
  body += testing::LiveCluster(2000, testing::Gop(3));
  Recorder r;
  MkvFragmenter f(&r);
  f.Feed(body);
  f.Finish();
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].id, MkvErrorId::kInvalidMkvData);
  EXPECT_EQ(r.errors[0].fragment_timecode, std::optional<uint64_t>(1000));
  ASSERT_EQ(r.fragments.size(), 1u);
  EXPECT_EQ(r.fragments[0].cluster_timecode, 2000u);
}

}  // namespace
}  // namespace sluice::media

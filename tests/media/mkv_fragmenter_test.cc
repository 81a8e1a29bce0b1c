// SPDX-License-Identifier: Apache-2.0
// MkvFragmenter on real media made by ffmpeg and GStreamer: fragment boundaries, chunking
// independence, timestamps, restarts and resolution changes, and decoding of re-written chunks.
#include "media/mkv_fragmenter.h"

#include <gtest/gtest.h>

#include "media/mkv_writer.h"
#include "tests/media/media_test_util.h"

namespace sluice::media {
namespace {

using testing::FeedPieces;
using testing::FeedRandom;
using testing::MediaFiles;
using testing::ReadFile;
using testing::Recorder;

#define REQUIRE_MEDIA(var, name)                                                           \
  if (!testing::HaveTool("ffmpeg")) GTEST_SKIP() << "ffmpeg not installed: no test media"; \
  const std::string var##_path = MediaFiles::Path(name);                                   \
  ASSERT_FALSE(var##_path.empty()) << "could not make test media '" << name << "'";        \
  const std::string var = ReadFile(var##_path)

Recorder ParseWhole(std::string_view data, FragmenterOptions options = {}) {
  Recorder r;
  MkvFragmenter f(&r, options);
  f.Feed(data);
  f.Finish();
  return r;
}

// The checks every 6 s / 1 s GOP / 150-frame file must pass.
void ExpectSixKeyFrameFragments(const Recorder& r) {
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  ASSERT_EQ(r.headers.size(), 1u);
  ASSERT_EQ(r.fragments.size(), 6u);
  EXPECT_EQ(r.starts.size(), 6u);
  EXPECT_EQ(r.total_frames(), 150u);
  for (size_t i = 0; i < r.fragments.size(); ++i) {
    const Fragment& f = r.fragments[i];
    EXPECT_TRUE(f.key_frame) << i;
    EXPECT_TRUE(f.frames.front().key()) << i;
    EXPECT_EQ(f.header_version, 1u);
    EXPECT_GT(f.duration_ms, 700) << i;
    EXPECT_LE(f.duration_ms, 1200) << i;
    if (i > 0) {
      EXPECT_GT(f.cluster_timecode, r.fragments[i - 1].cluster_timecode);
    }
    EXPECT_EQ(r.starts[i].cluster_timecode, f.cluster_timecode);
    for (const Frame& fr : f.frames) {
      ASSERT_LE(uint64_t{fr.offset} + fr.size, f.cluster.size());
      EXPECT_NE(fr.pts_ns, kUnknownTime);
    }
  }
}

// Same fragments, field by field, including the cluster bytes.
void ExpectSameFragments(const Recorder& a, const Recorder& b) {
  ASSERT_EQ(a.log, b.log);
  ASSERT_EQ(a.fragments.size(), b.fragments.size());
  for (size_t i = 0; i < a.fragments.size(); ++i) {
    EXPECT_EQ(a.fragments[i].cluster, b.fragments[i].cluster) << i;
    EXPECT_EQ(a.fragments[i].frame_count(), b.fragments[i].frame_count()) << i;
    EXPECT_EQ(a.fragments[i].producer_timestamp, b.fragments[i].producer_timestamp) << i;
    EXPECT_EQ(a.fragments[i].tags, b.fragments[i].tags) << i;
  }
}

TEST(MkvFragmenterMediaTest, FfmpegH264SixFragmentsInAnyChunking) {
  REQUIRE_MEDIA(mkv, "h264");
  Recorder whole = ParseWhole(mkv);
  ExpectSixKeyFrameFragments(whole);
  const TrackHeader& h = whole.headers[0];
  ASSERT_EQ(h.tracks.size(), 1u);
  EXPECT_EQ(h.tracks[0].codec_id, "V_MPEG4/ISO/AVC");
  EXPECT_EQ(h.tracks[0].width, 320u);
  EXPECT_EQ(h.tracks[0].height, 240u);
  EXPECT_FALSE(h.tracks[0].codec_private.empty());
  EXPECT_EQ(h.timecode_scale_ns, 1'000'000u);
  EXPECT_EQ(whole.log, "HSCSCSCSCSCSC");
  EXPECT_EQ(whole.fragments[1].producer_timestamp, TimestampMs(1000));

  for (uint32_t seed = 1; seed <= 5; ++seed) {
    Recorder r;
    MkvFragmenter f(&r);
    FeedRandom(&f, mkv, 1 + seed * 997, seed);
    f.Finish();
    ExpectSameFragments(whole, r);
  }
  Recorder bytewise;
  MkvFragmenter f(&bytewise);
  FeedPieces(&f, mkv, [] { return 1; });
  f.Finish();
  ExpectSameFragments(whole, bytewise);
}

TEST(MkvFragmenterMediaTest, FfmpegH265) {
  REQUIRE_MEDIA(mkv, "h265");
  Recorder r = ParseWhole(mkv);
  ExpectSixKeyFrameFragments(r);
  EXPECT_EQ(r.headers[0].tracks[0].codec_id, "V_MPEGH/ISO/HEVC");
  Recorder bytewise;
  MkvFragmenter f(&bytewise);
  FeedPieces(&f, mkv, [] { return 1; });
  f.Finish();
  ExpectSameFragments(r, bytewise);
}

TEST(MkvFragmenterMediaTest, GStreamerMatroskamux) {
  if (!testing::HaveTool("gst-launch-1.0")) GTEST_SKIP() << "gst-launch-1.0 not installed";
  REQUIRE_MEDIA(mkv, "gst");
  Recorder r = ParseWhole(mkv);
  ExpectSixKeyFrameFragments(r);
  Recorder chunked;
  MkvFragmenter f(&chunked);
  FeedRandom(&f, mkv, 8192, 42);
  f.Finish();
  ExpectSameFragments(r, chunked);
}

TEST(MkvFragmenterMediaTest, GStreamerStreamableUnknownSizes) {
  if (!testing::HaveTool("gst-launch-1.0")) GTEST_SKIP() << "gst-launch-1.0 not installed";
  REQUIRE_MEDIA(mkv, "gst_live");
  // Six clusters of unknown size (id 1F43B675, then an 8-byte all-ones size).
  const std::string live_cluster("\x1F\x43\xB6\x75\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 12);
  size_t unknown = 0;
  for (size_t at = mkv.find(live_cluster); at != std::string::npos;
       at = mkv.find(live_cluster, at + 1)) {
    ++unknown;
  }
  EXPECT_EQ(unknown, 6u);
  Recorder r = ParseWhole(mkv);
  ExpectSixKeyFrameFragments(r);
  Recorder bytewise;
  MkvFragmenter f(&bytewise);
  FeedPieces(&f, mkv, [] { return 1; });
  EXPECT_EQ(bytewise.fragments.size(), 5u);  // the last one ends with the body
  f.Finish();
  ExpectSameFragments(r, bytewise);
}

TEST(MkvFragmenterMediaTest, WebmVp9) {
  REQUIRE_MEDIA(webm, "vp9");
  Recorder r = ParseWhole(webm);
  ExpectSixKeyFrameFragments(r);
  EXPECT_EQ(r.headers[0].doc_type, "webm");
  EXPECT_EQ(r.headers[0].tracks[0].codec_id, "V_VP9");
  std::string body;
  for (const Fragment& f : r.fragments) body += WriteChunk(r.headers[0], {}, f.cluster, {});
  EXPECT_EQ(body.find("matroska"), std::string::npos);  // DocType stays webm
  const std::string out = MediaFiles::Dir() + "/rewritten.webm";
  testing::WriteFile(out, body);
  EXPECT_EQ(testing::DecodedVideoFrames(out), 150);
}

TEST(MkvFragmenterMediaTest, VideoWithAacAudio) {
  REQUIRE_MEDIA(mkv, "aac");
  Recorder r = ParseWhole(mkv);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  ASSERT_EQ(r.headers.size(), 1u);
  const TrackHeader& h = r.headers[0];
  ASSERT_EQ(h.tracks.size(), 2u);
  const TrackInfo* audio = h.FindTrack(2);
  ASSERT_NE(audio, nullptr);
  EXPECT_EQ(audio->type, TrackType::kAudio);
  EXPECT_EQ(audio->codec_id, "A_AAC");
  EXPECT_EQ(audio->sampling_rate, 44100.0);
  EXPECT_EQ(audio->channels, 1u);
  EXPECT_FALSE(audio->codec_private.empty());
  ASSERT_EQ(r.fragments.size(), 6u);
  size_t video = 0, sound = 0;
  for (const Fragment& f : r.fragments) {
    EXPECT_TRUE(f.key_frame);
    for (const Frame& fr : f.frames) (fr.track_number == 1 ? video : sound)++;
  }
  EXPECT_EQ(video, 150u);
  EXPECT_GT(sound, 250u);  // 6 s of 1024-sample AAC frames at 44.1 kHz is ~258
  Recorder bytewise;
  MkvFragmenter f(&bytewise);
  FeedPieces(&f, mkv, [] { return 1; });
  f.Finish();
  ExpectSameFragments(r, bytewise);
}

// Each fragment, written back as a GetMedia chunk, decodes alone and in a concatenated body.
TEST(MkvFragmenterMediaTest, RewrittenChunksDecodeWithFfprobe) {
  REQUIRE_MEDIA(mkv, "h264");
  Recorder r = ParseWhole(mkv);
  ASSERT_EQ(r.fragments.size(), 6u);
  std::string body;
  for (const Fragment& f : r.fragments) {
    body += WriteGetMediaChunk(r.headers[0], f.cluster, f.tags,
                               {.fragment_number = std::to_string(f.cluster_timecode),
                                .server_timestamp = TimestampMs(1'700'000'000'000),
                                .producer_timestamp = f.producer_timestamp,
                                .millis_behind_now = 10,
                                .continuation_token = std::to_string(f.cluster_timecode)});
  }
  const std::string out = MediaFiles::Dir() + "/rewritten.mkv";
  testing::WriteFile(out, body);
  EXPECT_EQ(testing::DecodedVideoFrames(out), 150);

  const std::string one = MediaFiles::Dir() + "/one_chunk.mkv";
  testing::WriteFile(one, WriteFragmentListChunk(r.headers[0], r.fragments[2].cluster, {}, "3",
                                                 TimestampMs(1), TimestampMs(2)));
  EXPECT_EQ(testing::DecodedVideoFrames(one), 25);

  // The rewritten body parses back into the same fragments.
  Recorder again = ParseWhole(body);
  ASSERT_TRUE(again.errors.empty()) << again.errors[0].message;
  ASSERT_EQ(again.fragments.size(), 6u);
  EXPECT_EQ(again.headers.size(), 6u);  // every chunk carries its own header
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(again.fragments[i].cluster, r.fragments[i].cluster);
  }
}

TEST(MkvFragmenterMediaTest, H265AndAacChunksDecode) {
  for (const char* name : {"h265", "aac"}) {
    REQUIRE_MEDIA(mkv, name);
    Recorder r = ParseWhole(mkv);
    std::string body;
    for (const Fragment& f : r.fragments) {
      body += WriteFragmentListChunk(r.headers[0], f.cluster, f.tags, "1", TimestampMs(0),
                                     f.producer_timestamp);
    }
    const std::string out = MediaFiles::Dir() + "/rewritten_" + name + ".mkv";
    testing::WriteFile(out, body);
    EXPECT_EQ(testing::DecodedVideoFrames(out), 150) << name;
  }
}

// A producer restart mid-body: a new EBML header and Segment. The header version goes to 2 and
// fragments continue.
TEST(MkvFragmenterMediaTest, ProducerRestartBumpsHeaderVersion) {
  REQUIRE_MEDIA(first, "h264");
  REQUIRE_MEDIA(second, "h264_b");
  Recorder r;
  MkvFragmenter f(&r);
  FeedRandom(&f, first + second, 4096, 7);
  f.Finish();
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].version, 1u);
  EXPECT_EQ(r.headers[1].version, 2u);
  EXPECT_EQ(r.log, "HSCSCSCSCSCSCHSCSCSCSCSCSC");
  ASSERT_EQ(r.fragments.size(), 12u);
  EXPECT_EQ(r.fragments[5].header_version, 1u);
  EXPECT_EQ(r.fragments[6].header_version, 2u);
  EXPECT_EQ(r.fragments[6].producer_timestamp, TimestampMs(6000));
  EXPECT_TRUE(r.fragments[6].frames.front().flags & kFrameDiscontinuity);
  EXPECT_FALSE(r.fragments[7].frames.front().flags & kFrameDiscontinuity);
  EXPECT_EQ(r.total_frames(), 300u);
  EXPECT_EQ(f.header().version, 2u);
}

TEST(MkvFragmenterMediaTest, ResolutionChangeBringsNewCodecPrivateData) {
  REQUIRE_MEDIA(small, "h264");
  REQUIRE_MEDIA(large, "h264_640");
  Recorder r = ParseWhole(small + large);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[1].version, 2u);
  EXPECT_EQ(r.headers[0].tracks[0].width, 320u);
  EXPECT_EQ(r.headers[1].tracks[0].width, 640u);
  EXPECT_EQ(r.headers[1].tracks[0].height, 480u);
  EXPECT_NE(r.headers[0].tracks[0].codec_private, r.headers[1].tracks[0].codec_private);
  ASSERT_EQ(r.fragments.size(), 12u);
  EXPECT_EQ(r.fragments[11].header_version, 2u);
  // Each half still decodes when written with its own header version.
  std::string body;
  for (const Fragment& f : r.fragments) {
    body += WriteChunk(r.headers[f.header_version - 1], {}, f.cluster, {});
  }
  const std::string out = MediaFiles::Dir() + "/resolution_change.mkv";
  testing::WriteFile(out, body);
  EXPECT_GE(testing::DecodedVideoFrames(out), 150);
}

TEST(MkvFragmenterMediaTest, RelativeTimecodesAddProducerStart) {
  REQUIRE_MEDIA(mkv, "h264");
  const TimestampMs start(1'597'730'826'769);
  Recorder r = ParseWhole(mkv, {.timecode_type = TimecodeType::kRelative, .producer_start = start});
  ASSERT_EQ(r.fragments.size(), 6u);
  EXPECT_EQ(r.fragments[0].producer_timestamp, start);
  EXPECT_EQ(r.fragments[3].producer_timestamp, TimestampMs(start.value() + 3000));
  EXPECT_EQ(r.fragments[3].cluster_timecode, 3000u);  // acks echo the timecode as sent
  EXPECT_EQ(r.starts[3].producer_timestamp, r.fragments[3].producer_timestamp);
}

}  // namespace
}  // namespace sluice::media

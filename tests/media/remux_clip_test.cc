// SPDX-License-Identifier: Apache-2.0
// Progressive MP4 clips from stored fragments: moov before mdat, times from 0, every frame of
// every playable track (H.264 with and without B-frames, H.265, AAC, G.711), a clip from the
// middle of a stream, a timeline stepping back, header changes and bad arguments.
#include <gtest/gtest.h>

#include "media/remux.h"
#include "tests/media/remux_test_util.h"

namespace sluice::media {
namespace {

using testing::Boxes;
using testing::DecodeErrors;
using testing::LoadStream;
using testing::ProbePacket;
using testing::ProbePackets;
using testing::ProbeStream;
using testing::StoredStream;
using testing::WriteTemp;

Result<std::string> Clip(const StoredStream& s, size_t from, size_t to) {
  std::vector<const TrackHeader*> headers(to - from, &s.header);
  return Mp4Clip(headers, std::span<const Fragment>(s.fragments).subspan(from, to - from));
}

size_t FramesOf(const StoredStream& s, const TrackInfo* track, size_t from, size_t to) {
  size_t n = 0;
  for (size_t i = from; i < to; ++i)
    n += testing::TrackFrames(s.fragments[i], track->number).size();
  return n;
}

void ExpectFaststart(const std::string& mp4) {
  std::vector<std::string> types;
  for (const testing::Box& b : Boxes(mp4)) types.push_back(b.type);
  ASSERT_GE(types.size(), 3u);
  EXPECT_EQ(types[0], "ftyp");
  EXPECT_EQ(types[1], "moov");
  EXPECT_NE(std::find(types.begin(), types.end(), "mdat"), types.end());
}

TEST(RemuxClipTest, WholeStreamsPlayFromZero) {
  REQUIRE_FFMPEG();
  for (const char* name : {"h264", "h264_nob", "h265", "h264_aac", "h264_ulaw"}) {
    const StoredStream s = LoadStream(name);
    Result<PlayableTracks> t = SelectPlayableTracks(s.header, {.allow_g711 = true});
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    Result<std::string> clip = Clip(s, 0, s.fragments.size());
    ASSERT_TRUE(clip.ok()) << name << ": " << clip.status().ToString();
    ExpectFaststart(*clip);
    const std::string path = WriteTemp(std::string(name) + "_clip.mp4", *clip);
    EXPECT_EQ(DecodeErrors(path), "") << name;
    const auto v = ProbeStream(path, 0);
    EXPECT_EQ(v.at("width"), "320") << name;
    EXPECT_EQ(v.at("nb_read_frames"), "100") << name;
    const std::vector<ProbePacket> packets = ProbePackets(path);
    if (t->audio == nullptr) {
      EXPECT_EQ(v.at("start_time"), "0.000000") << name;
      EXPECT_EQ(packets.front().pts, 0) << name;
      continue;
    }
    // The earliest sample (the audio track's first frame here) is at 0; video follows at its
    // stored offset from it.
    const auto a = ProbeStream(path, 1);
    EXPECT_EQ(a.at("start_time"), "0.000000") << name;
    EXPECT_EQ(a.at("nb_read_frames"), std::to_string(FramesOf(s, t->audio, 0, s.fragments.size())))
        << name;
    const int64_t first_audio =
        testing::TrackFrames(s.fragments[0], t->audio->number).front().pts_ns;
    const int64_t first_video =
        testing::TrackFrames(s.fragments[0], t->video->number).front().pts_ns;
    ASSERT_LE(first_audio, first_video);
    EXPECT_NEAR(std::stod(v.at("start_time")), (first_video - first_audio) / 1e9, 1e-6) << name;
  }
}

TEST(RemuxClipTest, ClipFromTheMiddleStartsAtZero) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264");
  Result<std::string> clip = Clip(s, 2, 4);
  ASSERT_TRUE(clip.ok()) << clip.status().ToString();
  const std::string path = WriteTemp("middle_clip.mp4", *clip);
  EXPECT_EQ(DecodeErrors(path), "");
  const auto v = ProbeStream(path, 0);
  EXPECT_EQ(v.at("start_time"), "0.000000");
  EXPECT_EQ(v.at("nb_read_frames"), "50");
  const std::vector<ProbePacket> packets = ProbePackets(path);
  ASSERT_EQ(packets.size(), 50u);
  // 90 kHz ticks from the first fragment's start; B-frames keep their presentation offsets.
  const int64_t origin = s.fragments[2].frames.front().pts_ns;
  for (size_t k = 0; k < 25; ++k) {
    EXPECT_EQ(packets[k].pts, testing::Ticks(s.fragments[2].frames[k].pts_ns - origin, 90000));
  }
}

TEST(RemuxClipTest, TimelineSteppingBackStillIncreases) {
  REQUIRE_FFMPEG();
  // A producer restart that reuses older timecodes: fragments 0, 1 then 0 again.
  const StoredStream s = LoadStream("h264_aac");
  std::vector<Fragment> fragments = {s.fragments[0], s.fragments[1], s.fragments[0]};
  std::vector<const TrackHeader*> headers(3, &s.header);
  Result<std::string> clip = Mp4Clip(headers, fragments);
  ASSERT_TRUE(clip.ok()) << clip.status().ToString();
  const std::string path = WriteTemp("restart_clip.mp4", *clip);
  EXPECT_EQ(DecodeErrors(path), "");
  EXPECT_EQ(ProbeStream(path, 0).at("nb_read_frames"), "75");
  const std::vector<ProbePacket> packets = ProbePackets(path);
  int64_t last_dts[2] = {INT64_MIN, INT64_MIN};
  for (const ProbePacket& p : packets) {
    EXPECT_GT(p.dts, last_dts[p.stream]);
    last_dts[p.stream] = p.dts;
  }
}

TEST(RemuxClipTest, NewCodecPrivateDataEndsTheClip) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264");
  TrackHeader restarted = s.header;  // a producer restart with the same parameters
  restarted.version = 2;
  TrackHeader changed = s.header;
  changed.version = 3;
  changed.tracks[0].codec_private[3] ^= 1;  // another level
  std::vector<const TrackHeader*> headers = {&s.header, &restarted};
  std::span<const Fragment> two(s.fragments.data(), 2);
  EXPECT_TRUE(Mp4Clip(headers, two).ok());
  headers[1] = &changed;
  Result<std::string> clip = Mp4Clip(headers, two);
  EXPECT_EQ(clip.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(clip.status().message().find("fragment 1"), std::string::npos)
      << clip.status().message();
}

TEST(RemuxClipTest, BadArguments) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264");
  std::vector<const TrackHeader*> one = {&s.header};
  EXPECT_EQ(Mp4Clip(one, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Mp4Clip(one, std::span<const Fragment>(s.fragments.data(), 2)).status().code(),
            StatusCode::kInvalidArgument);
  std::vector<const TrackHeader*> null = {nullptr};
  EXPECT_EQ(Mp4Clip(null, std::span<const Fragment>(s.fragments.data(), 1)).status().code(),
            StatusCode::kInvalidArgument);
  TrackHeader vp9 = s.header;
  vp9.tracks[0].codec_id = "V_VP9";
  std::vector<const TrackHeader*> unsupported = {&vp9};
  Result<std::string> r = Mp4Clip(unsupported, std::span<const Fragment>(s.fragments.data(), 1));
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(r.status().message().starts_with(kUnsupportedMediaPrefix));
}

}  // namespace
}  // namespace sluice::media

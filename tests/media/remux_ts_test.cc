// SPDX-License-Identifier: Apache-2.0
// MPEG-TS segments from real stored fragments: each segment alone and consecutive segments
// concatenated read back with ffprobe/ffmpeg (codecs, size, frame counts, pts = stored time at
// 90 kHz modulo 2^33, no decode errors), parameter sets before every key frame, continuity
// counters seeded from `continuity`, and the refusals (G.711, no samples).
#include <gtest/gtest.h>

#include <map>

#include "media/remux.h"
#include "tests/media/remux_test_util.h"

namespace sluice::media {
namespace {

using testing::DecodeErrors;
using testing::LoadStream;
using testing::ProbePacket;
using testing::ProbePackets;
using testing::ProbeStream;
using testing::StoredStream;
using testing::Ticks;
using testing::WriteTemp;

constexpr int64_t kWrap = int64_t{1} << 33;

std::vector<std::string> RemuxAll(const StoredStream& s, const PlayableTracks& t) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.fragments.size(); ++i) {
    Result<std::string> ts = TsSegment(s.header, t, s.fragments[i], static_cast<uint32_t>(i));
    EXPECT_TRUE(ts.ok()) << i << ": " << ts.status().ToString();
    out.push_back(ts.ok() ? *ts : "");
  }
  return out;
}

std::vector<ProbePacket> StreamPackets(const std::vector<ProbePacket>& all, int stream) {
  std::vector<ProbePacket> out;
  for (const ProbePacket& p : all) {
    if (p.stream == stream) out.push_back(p);
  }
  return out;
}

TEST(RemuxTsTest, EachSegmentPlaysAlone) {
  REQUIRE_FFMPEG();
  for (const char* name : {"h264", "h264_nob", "h265", "h264_aac"}) {
    const StoredStream s = LoadStream(name);
    ASSERT_EQ(s.fragments.size(), 4u) << name;
    Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    const std::vector<std::string> segments = RemuxAll(s, *t);
    for (size_t i = 0; i < segments.size(); ++i) {
      const std::string label = std::string(name) + " segment " + std::to_string(i);
      ASSERT_EQ(segments[i].size() % 188, 0u) << label;
      const std::string path =
          WriteTemp(std::string(name) + "_" + std::to_string(i) + ".ts", segments[i]);
      EXPECT_EQ(DecodeErrors(path), "") << label;
      const std::vector<Frame> video = testing::TrackFrames(s.fragments[i], t->video->number);
      const auto v = ProbeStream(path, 0);
      EXPECT_EQ(v.at("codec_name"), std::string(name) == "h265" ? "hevc" : "h264") << label;
      EXPECT_EQ(v.at("width"), "320") << label;
      EXPECT_EQ(v.at("height"), "240") << label;
      EXPECT_EQ(v.at("nb_read_frames"), std::to_string(video.size())) << label;
      const std::vector<ProbePacket> all_packets = ProbePackets(path);
      const std::vector<ProbePacket> packets = StreamPackets(all_packets, 0);
      ASSERT_EQ(packets.size(), video.size()) << label;
      EXPECT_TRUE(packets.front().key) << label;
      for (size_t k = 0; k < video.size(); ++k) {
        EXPECT_EQ(packets[k].pts, Ticks(video[k].pts_ns, 90000) % kWrap) << label << "/" << k;
        EXPECT_LE(packets[k].dts, packets[k].pts) << label << "/" << k;
      }
      if (t->audio != nullptr) {
        const std::vector<Frame> audio = testing::TrackFrames(s.fragments[i], t->audio->number);
        const auto a = ProbeStream(path, 1);
        EXPECT_EQ(a.at("codec_name"), "aac") << label;
        EXPECT_EQ(a.at("sample_rate"), "44100") << label;
        EXPECT_EQ(a.at("nb_read_frames"), std::to_string(audio.size())) << label;
        const std::vector<ProbePacket> ap = StreamPackets(all_packets, 1);
        ASSERT_FALSE(ap.empty());
        EXPECT_EQ(ap.front().pts, Ticks(audio.front().pts_ns, 90000) % kWrap) << label;
      }
    }
  }
}

TEST(RemuxTsTest, ConsecutiveSegmentsConcatenate) {
  REQUIRE_FFMPEG();
  for (const char* name : {"h264", "h265", "h264_aac"}) {
    const StoredStream s = LoadStream(name);
    Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
    ASSERT_TRUE(t.ok());
    std::string all;
    for (const std::string& seg : RemuxAll(s, *t)) all += seg;
    const std::string path = WriteTemp(std::string(name) + "_all.ts", all);
    EXPECT_EQ(DecodeErrors(path), "") << name;
    EXPECT_EQ(ProbeStream(path, 0).at("nb_read_frames"), "100") << name;
    const std::vector<ProbePacket> video = StreamPackets(ProbePackets(path), 0);
    ASSERT_EQ(video.size(), 100u) << name;
    for (size_t k = 1; k < video.size(); ++k) {
      EXPECT_EQ(video[k].dts - video[k - 1].dts, 3600) << name << " packet " << k;
    }
  }
}

// Splits Annex B into NAL unit types (H.264: 5 bits; H.265: 6 bits after the forbidden bit).
std::vector<int> NalTypes(std::string_view annexb, bool hevc) {
  std::vector<int> types;
  for (size_t i = 0; i + 3 < annexb.size(); ++i) {
    if (annexb[i] == 0 && annexb[i + 1] == 0 && annexb[i + 2] == 1) {
      const auto h = static_cast<uint8_t>(annexb[i + 3]);
      types.push_back(hevc ? (h >> 1) & 0x3f : h & 0x1f);
      i += 2;
    }
  }
  return types;
}

TEST(RemuxTsTest, ParameterSetsPrecedeEveryKeyFrame) {
  REQUIRE_FFMPEG();
  for (const char* name : {"h264", "h265"}) {
    const bool hevc = std::string(name) == "h265";
    const StoredStream s = LoadStream(name);
    Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
    ASSERT_TRUE(t.ok());
    std::string all;
    for (const std::string& seg : RemuxAll(s, *t)) all += seg;
    const std::string path = WriteTemp(std::string(name) + "_ps.ts", all);
    const std::string raw = path + (hevc ? ".hevc" : ".h264");
    ASSERT_EQ(testing::Run("ffmpeg -nostdin -v error -y -i '" + path + "' -map 0:v -c copy -f " +
                           (hevc ? "hevc" : "h264") + " '" + raw + "'"),
              0);
    const std::vector<int> types = NalTypes(testing::ReadFile(raw), hevc);
    int key_frames = 0;
    bool sps = false;
    bool pps = false;
    bool previous_was_key_slice = false;
    for (int type : types) {
      const bool key_slice = hevc ? (type >= 16 && type <= 21) : type == 5;
      const bool slice = hevc ? type < 32 : (type >= 1 && type <= 5);
      if (type == (hevc ? 33 : 7)) sps = true;
      if (type == (hevc ? 34 : 8)) pps = true;
      if (key_slice && !previous_was_key_slice) {
        ++key_frames;
        EXPECT_TRUE(sps && pps) << name << " key frame " << key_frames;
      }
      if (slice) {
        sps = pps = false;
        previous_was_key_slice = key_slice;
      }
    }
    EXPECT_EQ(key_frames, 4) << name;
  }
}

TEST(RemuxTsTest, ContinuityCountersStartAtTheSeed) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264_aac");
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(t.ok());
  for (uint32_t seed : {0u, 5u, 21u}) {
    Result<std::string> ts = TsSegment(s.header, *t, s.fragments[1], seed);
    ASSERT_TRUE(ts.ok());
    std::map<int, int> last;  // pid -> cc of the last packet with payload
    for (size_t pos = 0; pos + 188 <= ts->size(); pos += 188) {
      const auto* p = reinterpret_cast<const uint8_t*>(ts->data() + pos);
      ASSERT_EQ(p[0], 0x47);
      const int pid = ((p[1] & 0x1f) << 8) | p[2];
      const int cc = p[3] & 0x0f;
      const bool payload = (p[3] & 0x10) != 0;
      if (!payload) continue;
      if (last.count(pid) == 0) {
        EXPECT_EQ(cc, static_cast<int>(seed % 16)) << "pid " << pid;
      } else {
        EXPECT_EQ(cc, (last[pid] + 1) % 16) << "pid " << pid;
      }
      last[pid] = cc;
    }
    EXPECT_GE(last.size(), 4u);  // PAT, PMT, video, audio (and SDT)
  }
}

TEST(RemuxTsTest, RefusesG711AndFragmentsWithoutSamples) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264_ulaw");
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {.allow_g711 = true});
  ASSERT_TRUE(t.ok());
  Result<std::string> ts = TsSegment(s.header, *t, s.fragments[0], 0);
  EXPECT_EQ(ts.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ts.status().message().starts_with(kUnsupportedMediaPrefix));
  Fragment empty = s.fragments[0];
  empty.frames.clear();
  Result<PlayableTracks> video = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(video.ok());
  EXPECT_EQ(TsSegment(s.header, *video, empty, 0).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::media

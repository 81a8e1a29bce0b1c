// SPDX-License-Identifier: Apache-2.0
// fMP4 init and media segments from real stored fragments, read back with ffprobe/ffmpeg: the
// init segment alone, init + every segment (pts = the stored times at 90 kHz, dts continuous
// across segments made by separate calls in any order, sync first samples, no decode errors),
// H.264 with and without B-frames, H.265, AAC and G.711 tracks, mfhd/tfdt, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <thread>

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
using testing::ReadMoof;
using testing::StoredStream;
using testing::Ticks;
using testing::WriteTemp;

struct Fmp4Output {
  std::string init;
  std::vector<std::string> segments;  // one per fragment, sequence = index + 1
};

Fmp4Output Remux(const StoredStream& s, const PlayableTracks& t, uint64_t output_track) {
  Fmp4Output out;
  Result<std::string> init = Fmp4InitSegment(s.header, t, output_track);
  EXPECT_TRUE(init.ok()) << init.status().ToString();
  if (init.ok()) out.init = *init;
  for (size_t i = 0; i < s.fragments.size(); ++i) {
    Result<std::string> seg =
        Fmp4MediaSegment(s.header, t, s.fragments[i], output_track, static_cast<uint32_t>(i + 1));
    EXPECT_TRUE(seg.ok()) << i << ": " << seg.status().ToString();
    out.segments.push_back(seg.ok() ? *seg : "");
  }
  return out;
}

// Checks the concatenation init + segments[from..] against the stored frames of `track`.
void ExpectPlaysAsStored(const StoredStream& s, const Fmp4Output& out, const TrackInfo& track,
                         int64_t timescale, size_t from, const std::string& name) {
  std::string file = out.init;
  for (size_t i = from; i < out.segments.size(); ++i) file += out.segments[i];
  const std::string path = WriteTemp(name + ".mp4", file);
  EXPECT_EQ(DecodeErrors(path), "") << name;
  const std::vector<ProbePacket> packets = ProbePackets(path);
  size_t p = 0;
  for (size_t i = from; i < s.fragments.size(); ++i) {
    const std::vector<Frame> frames = testing::TrackFrames(s.fragments[i], track.number);
    ASSERT_LE(p + frames.size(), packets.size()) << name << " fragment " << i;
    // The segment holds the fragment's frames, in storage order, at their stored times.
    for (size_t k = 0; k < frames.size(); ++k) {
      const ProbePacket& pk = packets[p + k];
      EXPECT_EQ(pk.pts, Ticks(frames[k].pts_ns, timescale)) << name << " " << i << "/" << k;
      EXPECT_LE(pk.dts, pk.pts) << name << " " << i << "/" << k;
      EXPECT_GT(pk.duration, 0) << name << " " << i << "/" << k;
      EXPECT_EQ(pk.key, frames[k].key()) << name << " " << i << "/" << k;
    }
    EXPECT_TRUE(packets[p].key) << name << " segment " << i << " starts with a sync sample";
    // tfdt is the first sample's decode time.
    const testing::MoofInfo moof = ReadMoof(out.segments[i]);
    ASSERT_TRUE(moof.ok) << name;
    EXPECT_EQ(moof.base_decode_time, static_cast<uint64_t>(packets[p].dts)) << name << " " << i;
    EXPECT_EQ(moof.sequence, i + 1);
    p += frames.size();
  }
  EXPECT_EQ(p, packets.size()) << name;
  for (size_t k = 1; k < packets.size(); ++k) {
    EXPECT_GT(packets[k].dts, packets[k - 1].dts) << name << " packet " << k;
  }
}

TEST(RemuxFmp4Test, InitSegmentIsFtypAndMoovOfOneTrack) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264_aac");
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  for (uint64_t n : {1, 2}) {
    Result<std::string> init = Fmp4InitSegment(s.header, *t, n);
    ASSERT_TRUE(init.ok()) << init.status().ToString();
    const std::vector<testing::Box> boxes = Boxes(*init);
    ASSERT_EQ(boxes.size(), 2u);
    EXPECT_EQ(boxes[0].type, "ftyp");
    EXPECT_EQ(boxes[1].type, "moov");
    EXPECT_EQ(boxes[0].size + boxes[1].size, init->size());
    const testing::Box moov = boxes[1];
    int traks = 0;
    for (const testing::Box& b : Boxes(moov.body)) traks += b.type == "trak";
    EXPECT_EQ(traks, 1);
    const testing::Box trex =
        testing::FindChild(testing::FindChild(moov.body, "mvex").body, "trex");
    EXPECT_EQ(testing::BigEndian(trex.body, 4, 4), n) << "track id = output track";
    const std::string path = WriteTemp("init" + std::to_string(n) + ".mp4", *init);
    const auto stream = ProbeStream(path, 0);
    if (n == 1) {
      EXPECT_EQ(stream.at("codec_name"), "h264");
      EXPECT_EQ(stream.at("width"), "320");
      EXPECT_EQ(stream.at("height"), "240");
      EXPECT_EQ(stream.at("time_base"), "1/90000");
    } else {
      EXPECT_EQ(stream.at("codec_name"), "aac");
      EXPECT_EQ(stream.at("sample_rate"), "44100");
      EXPECT_EQ(stream.at("channels"), "1");
      EXPECT_EQ(stream.at("time_base"), "1/44100");
    }
  }
  EXPECT_EQ(Fmp4InitSegment(s.header, *t, 3).status().code(), StatusCode::kInvalidArgument);
}

TEST(RemuxFmp4Test, VideoSegmentsConcatenateAtTheStoredTimes) {
  REQUIRE_FFMPEG();
  for (const char* name : {"h264", "h264_nob", "h265"}) {
    const StoredStream s = LoadStream(name);
    ASSERT_EQ(s.fragments.size(), 4u) << name;
    Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    const Fmp4Output out = Remux(s, *t, 1);
    ExpectPlaysAsStored(s, out, *t->video, 90000, 0, name);
    // A player that joins later fetches the init segment and any later segment.
    ExpectPlaysAsStored(s, out, *t->video, 90000, 2, std::string(name) + "_from2");
    const std::string path =
        WriteTemp(std::string(name) + "_all.mp4",
                  out.init + out.segments[0] + out.segments[1] + out.segments[2] + out.segments[3]);
    const auto stream = ProbeStream(path, 0);
    EXPECT_EQ(stream.at("codec_name"), std::string(name) == "h265" ? "hevc" : "h264");
    EXPECT_EQ(stream.at("codec_tag_string"), std::string(name) == "h265" ? "hvc1" : "avc1");
    EXPECT_EQ(stream.at("nb_read_frames"), "100") << name;  // every frame decodes
  }
}

TEST(RemuxFmp4Test, BFramesGetDecodeTimesBeforePresentation) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264");
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(t.ok());
  const Fmp4Output out = Remux(s, *t, 1);
  // x264's b-pyramid: reorder depth 2, so the segment's decode time starts two frames early.
  const int64_t first_pts = Ticks(s.fragments[1].frames[0].pts_ns, 90000);
  EXPECT_EQ(ReadMoof(out.segments[1]).base_decode_time, static_cast<uint64_t>(first_pts - 7200));
  // Without B-frames, decode time = presentation time.
  const StoredStream nob = LoadStream("h264_nob");
  Result<PlayableTracks> tn = SelectPlayableTracks(nob.header, {});
  ASSERT_TRUE(tn.ok());
  Result<std::string> seg = Fmp4MediaSegment(nob.header, *tn, nob.fragments[1], 1, 2);
  ASSERT_TRUE(seg.ok());
  EXPECT_EQ(ReadMoof(*seg).base_decode_time,
            static_cast<uint64_t>(Ticks(nob.fragments[1].frames[0].pts_ns, 90000)));
}

TEST(RemuxFmp4Test, SegmentsDoNotDependOnCallOrder) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264");
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(t.ok());
  const Fmp4Output forward = Remux(s, *t, 1);
  for (size_t i = s.fragments.size(); i-- > 0;) {
    Result<std::string> seg =
        Fmp4MediaSegment(s.header, *t, s.fragments[i], 1, static_cast<uint32_t>(i + 1));
    ASSERT_TRUE(seg.ok());
    EXPECT_EQ(*seg, forward.segments[i]) << i;
  }
  const std::vector<testing::Box> boxes = Boxes(forward.segments[0]);
  ASSERT_EQ(boxes.size(), 3u);
  EXPECT_EQ(boxes[0].type, "styp");
  EXPECT_EQ(boxes[1].type, "moof");
  EXPECT_EQ(boxes[2].type, "mdat");
}

TEST(RemuxFmp4Test, ConcurrentCallsGiveTheSameBytes) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264_aac");
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(t.ok());
  const Fmp4Output video = Remux(s, *t, 1);
  const Fmp4Output audio = Remux(s, *t, 2);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&, n] {
      for (int round = 0; round < 20; ++round) {
        const size_t i = static_cast<size_t>(round + n) % s.fragments.size();
        const uint64_t track = 1 + static_cast<uint64_t>(round % 2);
        Result<std::string> seg =
            Fmp4MediaSegment(s.header, *t, s.fragments[i], track, static_cast<uint32_t>(i + 1));
        const Fmp4Output& expected = track == 1 ? video : audio;
        if (!seg.ok() || *seg != expected.segments[i]) ++mismatches;
        Result<std::string> ts = TsSegment(s.header, *t, s.fragments[i], 0);
        if (!ts.ok()) ++mismatches;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(RemuxFmp4Test, AacTrackSegments) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264_aac");
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(t.ok());
  const Fmp4Output out = Remux(s, *t, 2);
  EXPECT_EQ(ReadMoof(out.segments[0]).track_id, 2u);
  std::string file = out.init;
  size_t frames = 0;
  for (size_t i = 0; i < out.segments.size(); ++i) {
    file += out.segments[i];
    const std::vector<Frame> audio = testing::TrackFrames(s.fragments[i], t->audio->number);
    frames += audio.size();
    // tfdt = the first audio frame's stored time at the sampling rate.
    EXPECT_EQ(ReadMoof(out.segments[i]).base_decode_time,
              static_cast<uint64_t>(Ticks(audio.front().pts_ns, 44100)))
        << i;
  }
  const std::string path = WriteTemp("aac_track.mp4", file);
  EXPECT_EQ(DecodeErrors(path), "");
  const std::vector<ProbePacket> packets = ProbePackets(path);
  ASSERT_EQ(packets.size(), frames);
  for (size_t k = 1; k < packets.size(); ++k) {
    EXPECT_GT(packets[k].dts, packets[k - 1].dts) << k;
    // Inside a segment the samples sit on the 1024-sample grid.
  }
  EXPECT_EQ(packets[1].dts - packets[0].dts, 1024);
  EXPECT_EQ(ProbeStream(path, 0).at("nb_read_frames"), std::to_string(frames));
  // The video track of the same stream, from the same fragments.
  const Fmp4Output video = Remux(s, *t, 1);
  ExpectPlaysAsStored(s, video, *t->video, 90000, 0, "aac_stream_video");
}

TEST(RemuxFmp4Test, G711TrackSegments) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264_ulaw");
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {.allow_g711 = true});
  ASSERT_TRUE(t.ok());
  ASSERT_NE(t->audio, nullptr);
  const Fmp4Output out = Remux(s, *t, 2);
  std::string file = out.init;
  size_t frames = 0;
  for (size_t i = 0; i < out.segments.size(); ++i) {
    file += out.segments[i];
    frames += testing::TrackFrames(s.fragments[i], t->audio->number).size();
  }
  const std::string path = WriteTemp("ulaw_track.mp4", file);
  EXPECT_EQ(DecodeErrors(path), "");
  const auto stream = ProbeStream(path, 0);
  EXPECT_EQ(stream.at("codec_name"), "pcm_mulaw");
  EXPECT_EQ(stream.at("sample_rate"), "8000");
  EXPECT_EQ(ProbePackets(path).size(), frames);
  EXPECT_EQ(ProbePackets(path).front().pts,
            Ticks(testing::TrackFrames(s.fragments[0], t->audio->number).front().pts_ns, 8000));
}

TEST(RemuxFmp4Test, SequenceNumberIsTheCallersAndTrackIdTheOutputTrack) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264");
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(t.ok());
  for (uint32_t seq : {0u, 7u, 0xffffffffu}) {
    Result<std::string> seg = Fmp4MediaSegment(s.header, *t, s.fragments[0], 1, seq);
    ASSERT_TRUE(seg.ok());
    EXPECT_EQ(ReadMoof(*seg).sequence, seq);
    EXPECT_EQ(ReadMoof(*seg).track_id, 1u);
  }
}

TEST(RemuxFmp4Test, ZeroBasedTimelineStartsDecodingAtZero) {
  REQUIRE_FFMPEG();
  // A RELATIVE producer's timeline starts at 0: B-frames would need negative decode times.
  const StoredStream s = LoadStream("zero");
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(t.ok());
  const Fmp4Output out = Remux(s, *t, 1);
  EXPECT_EQ(ReadMoof(out.segments[0]).base_decode_time, 0u);
  std::string file = out.init;
  for (const std::string& seg : out.segments) file += seg;
  const std::string path = WriteTemp("zero.mp4", file);
  EXPECT_EQ(DecodeErrors(path), "");
  EXPECT_EQ(ProbeStream(path, 0).at("nb_read_frames"), "100");
  EXPECT_EQ(ProbePackets(path).front().pts, 0);
}

TEST(RemuxFmp4Test, MissingTrackOrSamplesIsInvalidArgument) {
  REQUIRE_FFMPEG();
  const StoredStream s = LoadStream("h264_aac");
  Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
  ASSERT_TRUE(t.ok());
  Fragment video_only = s.fragments[1];
  std::erase_if(video_only.frames,
                [&](const Frame& f) { return f.track_number == t->audio->number; });
  EXPECT_TRUE(Fmp4MediaSegment(s.header, *t, video_only, 1, 1).ok());
  EXPECT_EQ(Fmp4MediaSegment(s.header, *t, video_only, 2, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Fmp4MediaSegment(s.header, *t, s.fragments[1], 3, 1).status().code(),
            StatusCode::kInvalidArgument);
  Fragment outside = s.fragments[1];
  for (Frame& f : outside.frames) {
    if (f.track_number == t->video->number) f.size = static_cast<uint32_t>(outside.cluster.size());
  }
  EXPECT_EQ(Fmp4MediaSegment(s.header, *t, outside, 1, 1).status().code(),
            StatusCode::kInvalidArgument);
}

// Frames are untrusted producer data: garbage payloads remux (mp4 does not look inside) or fail
// with a Status in TS (whose filters parse NAL units), never crash.
TEST(RemuxFmp4Test, GarbagePayloadsNeverCrash) {
  REQUIRE_FFMPEG();
  std::mt19937 rng(11);
  for (const char* name : {"h264_aac", "h265"}) {
    const StoredStream s = LoadStream(name);
    Result<PlayableTracks> t = SelectPlayableTracks(s.header, {});
    ASSERT_TRUE(t.ok());
    for (int round = 0; round < 20; ++round) {
      Fragment f = s.fragments[static_cast<size_t>(round) % s.fragments.size()];
      for (const Frame& fr : f.frames) {
        for (uint32_t k = 0; k < fr.size; ++k) {
          if (round % 2 == 0 || rng() % 16 == 0)
            f.cluster[fr.offset + k] = static_cast<char>(rng());
        }
      }
      if (round % 3 == 0) {
        for (Frame& fr : f.frames) {
          fr.pts_ns = static_cast<int64_t>(rng()) * 1'000'000 - (int64_t{1} << 40);
          fr.flags = rng() % 2;
        }
      }
      for (uint64_t n = 1; n <= t->count(); ++n) {
        Fmp4MediaSegment(s.header, *t, f, n, 1).status().IgnoreError();
      }
      TsSegment(s.header, *t, f, 0).status().IgnoreError();
      const TrackHeader* h = &s.header;
      Mp4Clip(std::span<const TrackHeader* const>(&h, 1), std::span<const Fragment>(&f, 1))
          .status()
          .IgnoreError();
    }
  }
}

}  // namespace
}  // namespace sluice::media

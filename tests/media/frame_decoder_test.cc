// SPDX-License-Identifier: Apache-2.0
// VideoDecoder on stored fragments of ffmpeg-made H.264 (with and without B-frames) and H.265:
// every frame in presentation order, known colours, key-frame sampling, downscaling, the `want`
// filter, continuation fragments, garbage payloads and codec private data, and one timing print.
#include "media/frame_decoder.h"

#include <gtest/gtest.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>

#include "tests/media/frame_decoder_test_util.h"

namespace sluice::media {
namespace {

using testing::Bgr;
using testing::DecoderMedia;
using testing::ExpectNear;
using testing::LoadStored;
using testing::MediaFiles;
using testing::PixelAt;
using testing::StoredMedia;

// Loads `path_expr` (a MediaFiles or DecoderMedia path) into `var`, or skips without ffmpeg.
#define REQUIRE_STORED(var, path_expr)                                                     \
  if (!testing::HaveTool("ffmpeg")) GTEST_SKIP() << "ffmpeg not installed: no test media"; \
  const std::string var##_path = path_expr;                                                \
  ASSERT_FALSE(var##_path.empty()) << "could not make test media: " #path_expr;            \
  const StoredMedia var = LoadStored(var##_path);                                          \
  ASSERT_FALSE(var.fragments.empty())

std::unique_ptr<VideoDecoder> MakeDecoder(const StoredMedia& m) {
  const TrackInfo* video = m.header.VideoTrack();
  EXPECT_NE(video, nullptr);
  if (video == nullptr) return nullptr;
  Result<std::unique_ptr<VideoDecoder>> dec = VideoDecoder::Create(*video);
  EXPECT_TRUE(dec.ok()) << dec.status().ToString();
  return dec.ok() ? std::move(dec).value() : nullptr;
}

std::vector<int64_t> VideoPts(const StoredMedia& m, const Fragment& f) {
  std::vector<int64_t> pts;
  for (const Frame& fr : f.frames) {
    if (fr.track_number == m.header.VideoTrack()->number) pts.push_back(fr.pts_ns);
  }
  std::sort(pts.begin(), pts.end());
  return pts;
}

// Every fragment decodes to all of its frames, in presentation (pts) order; with an open GOP,
// all but the leading pictures shown before its first key frame (they need the previous GOP).
void ExpectEveryFrame(const StoredMedia& m, uint32_t width, uint32_t height,
                      bool open_gop = false) {
  size_t leading = 0;
  std::unique_ptr<VideoDecoder> dec = MakeDecoder(m);
  ASSERT_NE(dec, nullptr);
  for (size_t i = 0; i < m.fragments.size(); ++i) {
    const Fragment& f = m.fragments[i];
    Result<std::vector<DecodedFrame>> frames = dec->DecodeFragment(f, {});
    ASSERT_TRUE(frames.ok()) << i << ": " << frames.status().ToString();
    std::vector<int64_t> want = VideoPts(m, f);
    if (open_gop) {
      const int64_t key_pts = f.frames.front().pts_ns;
      const size_t before = want.size();
      std::erase_if(want, [&](int64_t pts) { return pts < key_pts; });
      leading += before - want.size();
    }
    ASSERT_EQ(frames->size(), want.size()) << i;
    std::vector<int64_t> got;
    for (const DecodedFrame& d : *frames) {
      got.push_back(d.pts_ns);
      EXPECT_EQ(d.width, width);
      EXPECT_EQ(d.height, height);
      EXPECT_EQ(d.stride, width * 3);
      EXPECT_EQ(d.bgr.size(), size_t{d.stride} * d.height);
    }
    EXPECT_TRUE(std::is_sorted(got.begin(), got.end())) << i;
    EXPECT_EQ(got, want) << i;
    if (f.key_frame) {
      EXPECT_TRUE(frames->front().key) << i;
    }
  }
  if (open_gop) {
    EXPECT_GT(leading, 0u) << "the media has no open GOP";
  }
}

TEST(FrameDecoderTest, H264WithBFramesGivesEveryFrameInPresentationOrder) {
  REQUIRE_STORED(m, MediaFiles::Path("h264"));
  // libx264's default (preset medium) uses B-frames: storage order differs from pts order.
  const Fragment& f = m.fragments[0];
  EXPECT_FALSE(std::is_sorted(f.frames.begin(), f.frames.end(),
                              [](const Frame& a, const Frame& b) { return a.pts_ns < b.pts_ns; }));
  ExpectEveryFrame(m, 320, 240);
}

TEST(FrameDecoderTest, H264WithoutBFramesGivesEveryFrame) {
  REQUIRE_STORED(m, DecoderMedia("nob"));
  ExpectEveryFrame(m, 320, 240);
}

TEST(FrameDecoderTest, H265GivesEveryFrameInPresentationOrder) {
  REQUIRE_STORED(m, DecoderMedia("h265closed"));
  EXPECT_EQ(m.header.VideoTrack()->codec_id, "V_MPEGH/ISO/HEVC");
  ExpectEveryFrame(m, 320, 240);
}

TEST(FrameDecoderTest, H265OpenGopSkipsOnlyLeadingPictures) {
  REQUIRE_STORED(m, MediaFiles::Path("h265"));  // x265's default open GOP: CRA key frames
  ExpectEveryFrame(m, 320, 240, /*open_gop=*/true);
}

TEST(FrameDecoderTest, H264OpenGopSkipsOnlyLeadingPictures) {
  REQUIRE_STORED(m, DecoderMedia("h264open"));
  ExpectEveryFrame(m, 320, 240, /*open_gop=*/true);
}

TEST(FrameDecoderTest, AudioFramesAreIgnored) {
  REQUIRE_STORED(m, MediaFiles::Path("aac"));
  ASSERT_EQ(m.header.tracks.size(), 2u);
  ASSERT_GT(m.fragments[0].frames.size(), m.video_frames(m.fragments[0]));
  ExpectEveryFrame(m, 320, 240);
}

// The colours of the top band's halves, in BGR order (OpenCV's), at the native size and
// downscaled.
void ExpectTwoColours(const StoredMedia& m, Bgr left, Bgr right, int tolerance) {
  ASSERT_GE(m.fragments.size(), 2u);
  std::unique_ptr<VideoDecoder> dec = MakeDecoder(m);
  ASSERT_NE(dec, nullptr);
  for (const Fragment& f : m.fragments) {
    Result<std::vector<DecodedFrame>> frames = dec->DecodeFragment(f, {});
    ASSERT_TRUE(frames.ok()) << frames.status().ToString();
    ASSERT_FALSE(frames->empty());
    for (const DecodedFrame& d : *frames) {
      ExpectNear(PixelAt(d, 40, 60), left, tolerance, "left half");
      ExpectNear(PixelAt(d, 280, 60), right, tolerance, "right half");
    }
  }
  Result<std::vector<DecodedFrame>> small = dec->DecodeFragment(m.fragments[1], {.max_width = 80});
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  ASSERT_FALSE(small->empty());
  const DecodedFrame& d = small->front();
  EXPECT_EQ(d.width, 80u);
  EXPECT_EQ(d.height, 60u);
  EXPECT_EQ(d.stride, 240u);
  ExpectNear(PixelAt(d, 10, 15), left, tolerance, "left half, downscaled");
  ExpectNear(PixelAt(d, 70, 15), right, tolerance, "right half, downscaled");
}

constexpr Bgr kRed = {.b = 0, .g = 0, .r = 255};
constexpr Bgr kBlue = {.b = 255, .g = 0, .r = 0};
constexpr Bgr kLightGrey = {192, 192, 192};
constexpr Bgr kDarkGrey = {64, 64, 64};

TEST(FrameDecoderTest, H264DecodesKnownColoursAsBgr) {
  REQUIRE_STORED(m, DecoderMedia("redblue"));
  ExpectTwoColours(m, kRed, kBlue, 12);
}

TEST(FrameDecoderTest, H265DecodesKnownColoursAsBgr) {
  REQUIRE_STORED(m, DecoderMedia("redblue265"));
  ExpectTwoColours(m, kRed, kBlue, 12);
}

// Read with the wrong range, the greys would be about 13 and 8 levels off.
TEST(FrameDecoderTest, LimitedAndFullRangeDecodeToTheSameGreys) {
  REQUIRE_STORED(limited, DecoderMedia("greys"));
  REQUIRE_STORED(full, DecoderMedia("greysfull"));
  ExpectTwoColours(limited, kLightGrey, kDarkGrey, 4);
  ExpectTwoColours(full, kLightGrey, kDarkGrey, 4);
}

TEST(FrameDecoderTest, KeyFramesOnlyGivesOneFramePerFragment) {
  REQUIRE_STORED(m, MediaFiles::Path("h264"));
  std::unique_ptr<VideoDecoder> dec = MakeDecoder(m);
  ASSERT_NE(dec, nullptr);
  ASSERT_EQ(m.fragments.size(), 6u);
  for (const Fragment& f : m.fragments) {
    Result<std::vector<DecodedFrame>> frames = dec->DecodeFragment(f, {.key_frames_only = true});
    ASSERT_TRUE(frames.ok()) << frames.status().ToString();
    ASSERT_EQ(frames->size(), 1u);
    EXPECT_TRUE(frames->front().key);
    EXPECT_EQ(frames->front().pts_ns, f.frames.front().pts_ns);
    EXPECT_EQ(frames->front().width, 320u);
  }
  // Full decoding works again on the same decoder afterwards.
  Result<std::vector<DecodedFrame>> all = dec->DecodeFragment(m.fragments[2], {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), m.video_frames(m.fragments[2]));
}

TEST(FrameDecoderTest, MaxWidthDownscalesKeepingAspect) {
  REQUIRE_STORED(m, MediaFiles::Path("h264"));
  std::unique_ptr<VideoDecoder> dec = MakeDecoder(m);
  ASSERT_NE(dec, nullptr);
  const struct {
    uint32_t max_width, width, height;
  } cases[] = {{160, 160, 120}, {100, 100, 75},   {101, 101, 76},
               {320, 320, 240}, {1920, 320, 240}, {0, 320, 240}};
  for (const auto& c : cases) {
    Result<std::vector<DecodedFrame>> frames =
        dec->DecodeFragment(m.fragments[0], {.max_width = c.max_width});
    ASSERT_TRUE(frames.ok()) << frames.status().ToString();
    ASSERT_EQ(frames->size(), m.video_frames(m.fragments[0]));
    for (const DecodedFrame& d : *frames) {
      EXPECT_EQ(d.width, c.width) << c.max_width;
      EXPECT_EQ(d.height, c.height) << c.max_width;
      EXPECT_EQ(d.bgr.size(), size_t{c.width} * 3 * c.height);
    }
  }
}

TEST(FrameDecoderTest, WantChoosesWhichFramesAreConverted) {
  REQUIRE_STORED(m, MediaFiles::Path("h264"));
  std::unique_ptr<VideoDecoder> dec = MakeDecoder(m);
  ASSERT_NE(dec, nullptr);
  const Fragment& f = m.fragments[1];
  const std::vector<int64_t> all = VideoPts(m, f);
  std::vector<int64_t> asked;
  std::set<int64_t> wanted = {all[3], all[10], all[24]};  // B-frames among them
  DecodeOptions options;
  options.want = [&](int64_t pts) {
    asked.push_back(pts);
    return wanted.count(pts) > 0;
  };
  Result<std::vector<DecodedFrame>> frames = dec->DecodeFragment(f, options);
  ASSERT_TRUE(frames.ok()) << frames.status().ToString();
  EXPECT_EQ(asked, all);  // once per frame, in presentation order
  ASSERT_EQ(frames->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*frames)[i].pts_ns, *std::next(wanted.begin(), static_cast<long>(i)));
    EXPECT_FALSE((*frames)[i].bgr.empty());
  }
}

TEST(FrameDecoderTest, ContinuationFragmentsDecodeAfterTheirKeyFrameFragment) {
  REQUIRE_STORED(m, DecoderMedia("cut"));
  size_t continuations = 0;
  for (const Fragment& f : m.fragments) continuations += f.key_frame ? 0 : 1;
  ASSERT_GT(continuations, 2u) << "clusters were not cut inside the GOP";
  ASSERT_TRUE(m.fragments[0].key_frame);
  // Log order on one decoder: every frame of every fragment.
  ExpectEveryFrame(m, 320, 240);

  // A continuation fragment alone cannot decode: its frames are skipped up to a key frame.
  size_t cont = 1;
  while (m.fragments[cont].key_frame) ++cont;
  std::unique_ptr<VideoDecoder> dec = MakeDecoder(m);
  ASSERT_NE(dec, nullptr);
  Result<std::vector<DecodedFrame>> alone = dec->DecodeFragment(m.fragments[cont], {});
  ASSERT_TRUE(alone.ok()) << alone.status().ToString();
  EXPECT_TRUE(alone->empty());

  // Starting at the key-frame fragment before it (converting nothing) makes it decode; Reset()
  // forgets that again.
  size_t key = cont;
  while (!m.fragments[key].key_frame) --key;
  for (size_t i = key; i < cont; ++i) {
    ASSERT_TRUE(dec->DecodeFragment(m.fragments[i], {.want = [](int64_t) { return false; }}).ok());
  }
  Result<std::vector<DecodedFrame>> after = dec->DecodeFragment(m.fragments[cont], {});
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->size(), m.video_frames(m.fragments[cont]));
  ASSERT_TRUE(dec->DecodeFragment(m.fragments[key], {.key_frames_only = true}).ok());
  dec->Reset();
  alone = dec->DecodeFragment(m.fragments[cont], {});
  ASSERT_TRUE(alone.ok()) << alone.status().ToString();
  EXPECT_TRUE(alone->empty());
}

// Overwrites the payload of the video frames selected by `pick` with `fill(size)`.
template <typename Pick, typename Fill>
Fragment Damaged(const Fragment& f, Pick pick, Fill fill) {
  Fragment out = f;
  for (size_t i = 0; i < out.frames.size(); ++i) {
    const Frame& fr = out.frames[i];
    if (!pick(i, fr)) continue;
    const std::string bytes = fill(fr.size);
    out.cluster.replace(fr.offset, fr.size, bytes);
  }
  return out;
}

TEST(FrameDecoderTest, GarbagePayloadsAreDataLossAndDecodingContinues) {
  REQUIRE_STORED(m, MediaFiles::Path("h264"));
  std::unique_ptr<VideoDecoder> dec = MakeDecoder(m);
  ASSERT_NE(dec, nullptr);
  std::mt19937 rng(7);
  auto random = [&](uint32_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
  };
  auto zeros = [](uint32_t n) { return std::string(n, '\0'); };
  // A NAL length larger than the payload, then junk.
  auto overlong = [](uint32_t n) {
    return std::string("\x7f\xff\xff\xff", 4) + std::string(n - 4, 'x');
  };
  auto all = [](size_t, const Frame&) { return true; };
  auto first = [](size_t i, const Frame&) { return i == 0; };
  auto tenth = [](size_t i, const Frame&) { return i == 10; };
  const Fragment& good = m.fragments[1];
  const std::vector<std::pair<std::string, Fragment>> damaged = {
      {"all random", Damaged(good, all, random)},
      {"key frame random", Damaged(good, first, random)},
      {"key frame zeros", Damaged(good, first, zeros)},
      {"key frame overlong NAL", Damaged(good, first, overlong)},
      {"10th frame random", Damaged(good, tenth, random)},
      {"10th frame overlong NAL", Damaged(good, tenth, overlong)},
  };
  for (const auto& [what, f] : damaged) {
    Result<std::vector<DecodedFrame>> frames = dec->DecodeFragment(f, {});
    ASSERT_FALSE(frames.ok()) << what;
    EXPECT_EQ(frames.status().code(), StatusCode::kDataLoss) << what;
    // The next good fragment decodes completely.
    Result<std::vector<DecodedFrame>> next = dec->DecodeFragment(m.fragments[2], {});
    ASSERT_TRUE(next.ok()) << what << ": " << next.status().ToString();
    EXPECT_EQ(next->size(), m.video_frames(m.fragments[2])) << what;
  }
  // Many random damages: any result but a crash; the decoder stays usable.
  for (int seed = 0; seed < 40; ++seed) {
    std::mt19937 pick_rng(static_cast<uint32_t>(seed));
    const size_t victim = pick_rng() % good.frames.size();
    Fragment f = Damaged(
        good, [&](size_t i, const Frame&) { return i == victim; },
        [&](uint32_t n) {
          std::string s(good.Payload(good.frames[victim]).substr(0, n));
          for (int k = 0; k < 8 && n > 0; ++k) s[pick_rng() % n] = static_cast<char>(pick_rng());
          return s;
        });
    Result<std::vector<DecodedFrame>> frames = dec->DecodeFragment(f, {});
    if (!frames.ok()) {
      EXPECT_EQ(frames.status().code(), StatusCode::kDataLoss);
    }
  }
  Result<std::vector<DecodedFrame>> next = dec->DecodeFragment(m.fragments[3], {});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->size(), m.video_frames(m.fragments[3]));
}

TEST(FrameDecoderTest, FrameOutsideItsClusterOrEmptyIsDataLoss) {
  REQUIRE_STORED(m, MediaFiles::Path("h264"));
  std::unique_ptr<VideoDecoder> dec = MakeDecoder(m);
  ASSERT_NE(dec, nullptr);
  Fragment f = m.fragments[0];
  f.frames[3].size = static_cast<uint32_t>(f.cluster.size());
  Result<std::vector<DecodedFrame>> frames = dec->DecodeFragment(f, {});
  ASSERT_FALSE(frames.ok());
  EXPECT_EQ(frames.status().code(), StatusCode::kDataLoss);
  f.frames[3].size = 0;  // an empty payload
  frames = dec->DecodeFragment(f, {});
  ASSERT_FALSE(frames.ok());
  EXPECT_EQ(frames.status().code(), StatusCode::kDataLoss);
}

TEST(FrameDecoderTest, CreateRefusesOtherCodecsAndBadCodecPrivateData) {
  TrackInfo video = testing::VideoHeader().tracks[0];  // H.264 with a 4-byte fake avcC
  Result<std::unique_ptr<VideoDecoder>> dec = VideoDecoder::Create(video);
  ASSERT_FALSE(dec.ok());
  EXPECT_EQ(dec.status().code(), StatusCode::kFailedPrecondition);

  video.codec_private.clear();
  EXPECT_EQ(VideoDecoder::Create(video).status().code(), StatusCode::kFailedPrecondition);

  video.codec_private = std::string(40, '\x01');  // avcC version 1, nonsense after it
  dec = VideoDecoder::Create(video);
  if (!dec.ok()) {
    EXPECT_EQ(dec.status().code(), StatusCode::kFailedPrecondition);
  }

  video.codec_id = "V_VP9";
  EXPECT_EQ(VideoDecoder::Create(video).status().code(), StatusCode::kInvalidArgument);
  TrackInfo audio;
  audio.type = TrackType::kAudio;
  audio.codec_id = "A_AAC";
  audio.codec_private = std::string("\x12\x10", 2);
  EXPECT_EQ(VideoDecoder::Create(audio).status().code(), StatusCode::kInvalidArgument);
}

TEST(FrameDecoderTest, CodecPrivateOfTheWrongCodecDoesNotDecode) {
  REQUIRE_STORED(m, MediaFiles::Path("h264"));
  REQUIRE_STORED(h265, MediaFiles::Path("h265"));
  // H.265 frames under the H.264 header: no crash, no pictures claimed as good.
  std::unique_ptr<VideoDecoder> dec = MakeDecoder(m);
  ASSERT_NE(dec, nullptr);
  Result<std::vector<DecodedFrame>> frames = dec->DecodeFragment(h265.fragments[0], {});
  ASSERT_FALSE(frames.ok());
  EXPECT_EQ(frames.status().code(), StatusCode::kDataLoss);
}

// One 1 s 720p30 fragment (libx264 with B-frames), printed for the README; never asserted.
TEST(FrameDecoderTest, Perf720pFragmentTiming) {
  REQUIRE_STORED(m, DecoderMedia("hd"));
  std::unique_ptr<VideoDecoder> dec = MakeDecoder(m);
  ASSERT_NE(dec, nullptr);
  const Fragment& f = m.fragments[0];
  // Wall time and this thread's CPU time (the machine may be shared).
  auto cpu_ms = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  };
  auto time = [&](const char* what, const DecodeOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_ms();
    Result<std::vector<DecodedFrame>> frames = dec->DecodeFragment(f, options);
    const double cpu = cpu_ms() - cpu_start;
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(frames.ok()) << frames.status().ToString();
    std::printf("[ timing ] 720p30 fragment, %zu frames, %s: %.1f ms (CPU %.1f ms)\n",
                m.video_frames(f), what, ms, cpu);
  };
  time("warm-up", {});
  time("decode + BGR all", {});
  time("decode only", {.want = [](int64_t) { return false; }});
  time("decode + BGR all at 640 wide", {.max_width = 640});
  time("key frame only + BGR", {.key_frames_only = true});
}

}  // namespace
}  // namespace sluice::media

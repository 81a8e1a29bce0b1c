// SPDX-License-Identifier: Apache-2.0
// GetClip and GetImages over real ingested H.264: clip frame counts, ranges, the cut at a codec
// change; images at the requested size and format, NO_MEDIA outside fragments, the frame picked
// for an instant, pagination with signed NextTokens, validation.
#include <gtest/gtest.h>

#include "consumers/playback/playback_validation.h"
#include "tests/consumers/playback_fixture.h"

namespace sluice::consumers::playback {
namespace {

using media::testing::DecodedVideoFrames;
using media::testing::HaveTool;

class PlaybackExportTest : public PlaybackTest {
 protected:
  void SetUp() override {
    if (!HaveTool("ffprobe")) GTEST_SKIP() << "no ffprobe";
    t0_ = clock_.Now().value();
  }
  // "WIDTHxHEIGHT codec" of an image file, as ffprobe sees it.
  std::string Probe(const std::string& bytes, const std::string& name) {
    std::string out;
    media::testing::Run(
        "ffprobe -v error -select_streams v:0 -show_entries stream=width,height,codec_name -of "
        "csv=p=0 '" +
            WriteTemp(name, bytes) + "'",
        &out);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }
  Result<Clip> ClipOf(int64_t from, int64_t to) {
    return service_->GetClip({.stream = "cam",
                              .selector = FragmentSelector{.start = TimestampMs(t0_ + from),
                                                           .end = TimestampMs(t0_ + to)}});
  }
  ImagesRequest Images(int64_t from, int64_t to, int64_t interval) {
    return {.stream = "cam",
            .start = TimestampMs(t0_ + from),
            .end = TimestampMs(t0_ + to),
            .sampling_interval_ms = interval};
  }
  int64_t t0_ = 0;
};

TEST_F(PlaybackExportTest, ClipHoldsEveryFrameOfTheRange) {
  auto numbers = PutFile("cam", "h264");  // fragment i arrives at t0 + (i + 1) s
  REQUIRE_FRAGMENTS(numbers, 6u);
  auto all = ClipOf(0, 6000);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->content_type, "video/mp4");
  EXPECT_EQ(DecodedVideoFrames(WriteTemp("all.mp4", all->body)), 150);
  auto part = ClipOf(2000, 4000);  // fragments starting at 2, 3 and 4 s (inclusive)
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(DecodedVideoFrames(WriteTemp("part.mp4", part->body)), 75);
  auto none = ClipOf(20'000, 30'000);
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(none.status().message(), msg::kNoFragmentsClip);
  EXPECT_EQ(ClipOf(5000, 5000).status().message(), msg::kEndNotAfterStart);
  EXPECT_EQ(service_
                ->GetClip({.stream = "nope",
                           .selector = FragmentSelector{.start = TimestampMs(t0_),
                                                        .end = TimestampMs(t0_ + 1)}})
                .status()
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(service_->Stats().clips, 2u);
}

TEST_F(PlaybackExportTest, ClipStopsAtACodecChange) {
  auto first = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(first, 6u);
  auto second = PutFile("cam", "h264_640");  // 640x480: new codec private data
  ASSERT_EQ(second.size(), 6u);
  auto clip = ClipOf(0, 12'000);
  ASSERT_TRUE(clip.ok()) << clip.status().ToString();
  EXPECT_EQ(DecodedVideoFrames(WriteTemp("cut.mp4", clip->body)), 150);
  EXPECT_EQ(Probe(clip->body, "cut_probe.mp4"), "h264,320,240");
  auto later = ClipOf(7000, 12'000);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(Probe(later->body, "later.mp4"), "h264,640,480");
}

TEST_F(PlaybackExportTest, ImagesAtTheRequestedSizeAndFormat) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  auto page = service_->GetImages(Images(1000, 3000, 500));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->images.size(), 5u);
  EXPECT_TRUE(page->next_token.empty());
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(page->images[i].timestamp, TimestampMs(t0_ + 1000 + 500 * static_cast<int64_t>(i)));
    ASSERT_EQ(page->images[i].error, ImageError::kNone) << i;
  }
  EXPECT_EQ(Probe(page->images[0].content, "a.jpg"), "mjpeg,320,240");

  ImagesRequest small = Images(1000, 1000, 200);
  small.width = 160;
  auto scaled = service_->GetImages(small);
  ASSERT_TRUE(scaled.ok());
  ASSERT_EQ(scaled->images.size(), 1u);
  EXPECT_EQ(Probe(scaled->images[0].content, "b.jpg"), "mjpeg,160,120");
  small.height = 90;
  small.png = true;
  scaled = service_->GetImages(small);
  ASSERT_TRUE(scaled.ok());
  EXPECT_EQ(Probe(scaled->images[0].content, "c.png"), "png,160,90");
  EXPECT_EQ(service_->Stats().images, 7u);
}

TEST_F(PlaybackExportTest, EachInstantShowsTheLastFrameAtOrBeforeIt) {
  auto numbers = PutFile("cam", "h264");  // 25 fps: a new frame every 40 ms
  REQUIRE_FRAGMENTS(numbers, 6u);
  auto page = service_->GetImages(Images(2000, 2600, 200));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->images.size(), 4u);
  auto at = [&](int64_t offset) {
    auto one = service_->GetImages(Images(offset, offset, 200));
    EXPECT_TRUE(one.ok());
    return one.ok() && one->images.size() == 1 ? one->images[0].content : "";
  };
  EXPECT_EQ(at(2000), page->images[0].content);
  EXPECT_EQ(at(2039), page->images[0].content);  // still the fragment's first frame
  EXPECT_NE(at(2040), page->images[0].content);  // the next frame
  EXPECT_EQ(at(2200), page->images[1].content);
  EXPECT_NE(page->images[1].content, page->images[2].content);
}

TEST_F(PlaybackExportTest, NoMediaOutsideFragments) {
  auto first = PutFile("cam", "h264");  // covers [t0 + 1 s, t0 + 7 s)
  REQUIRE_FRAGMENTS(first, 6u);
  clock_.Advance(10'000);
  auto second = PutFile("cam", "h264_b");  // covers [t0 + 17 s, t0 + 23 s)
  ASSERT_EQ(second.size(), 6u);
  auto page = service_->GetImages(Images(0, 18'000, 1000));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->images.size(), 19u);
  std::string errors;
  for (const Image& image : page->images) {
    errors += image.error == ImageError::kNone      ? '+'
              : image.error == ImageError::kNoMedia ? '-'
                                                    : '!';
  }
  EXPECT_EQ(errors, "-++++++----------++");
  for (const Image& image : page->images) {
    if (image.error != ImageError::kNone) {
      EXPECT_TRUE(image.content.empty());
    }
  }
}

TEST_F(PlaybackExportTest, InstantsInContinuationFragmentsDecode) {
  // 2 s GOPs cut into ~0.5 s clusters: most fragments do not start with a key frame.
  const std::string path = dir_.path() + "/continuation.mkv";
  if (media::testing::Run("ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=320x240:rate=25 "
                          "-t 4 -c:v libx264 -g 50 -keyint_min 50 -pix_fmt yuv420p "
                          "-cluster_time_limit 500 -f matroska '" +
                          path + "'") != 0) {
    GTEST_SKIP() << "no ffmpeg";
  }
  CreateVideo("cam");
  auto numbers = PutPaced("cam", ReadFile(path), 500);
  ASSERT_GE(numbers.size(), 6u);
  auto page = service_->GetImages(Images(500, 3500, 250));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  std::string errors;
  for (const Image& image : page->images) errors += image.error == ImageError::kNone ? '+' : '!';
  EXPECT_EQ(errors, std::string(13, '+'));
  // One instant alone, in the middle of a GOP, needs the fragments before it.
  auto alone = service_->GetImages(Images(2250, 2250, 200));
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->images[0].error, ImageError::kNone);
  EXPECT_EQ(alone->images[0].content, page->images[7].content);
}

TEST_F(PlaybackExportTest, PagesContinueWithSignedTokens) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  ImagesRequest r = Images(1000, 3000, 500);
  r.max_results = 2;
  std::vector<int64_t> seen;
  std::vector<std::string> tokens;
  for (int page = 0; page < 10; ++page) {
    auto p = service_->GetImages(r);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    for (const Image& image : p->images) seen.push_back(image.timestamp.value() - t0_);
    if (p->next_token.empty()) break;
    tokens.push_back(p->next_token);
    r.next_token = p->next_token;
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{1000, 1500, 2000, 2500, 3000}));
  ASSERT_EQ(tokens.size(), 2u);
  // The AWS model's NextToken pattern: standard base64.
  for (char c : tokens[0]) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=');
  }
  ImagesRequest other = Images(1000, 4000, 500);
  other.next_token = tokens[0];
  EXPECT_EQ(service_->GetImages(other).status().code(), StatusCode::kInvalidArgument);
  ImagesRequest forged = Images(1000, 3000, 500);
  forged.next_token = tokens[0];
  forged.next_token[3] = forged.next_token[3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(service_->GetImages(forged).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PlaybackExportTest, ImagesValidation) {
  auto numbers = PutFile("cam", "h264");
  REQUIRE_FRAGMENTS(numbers, 6u);
  EXPECT_EQ(service_->GetImages(Images(0, 300'001, 1000)).status().message(),
            msg::kImagesRangeOver300s);
  EXPECT_EQ(service_->GetImages(Images(0, 1000, 100)).status().message(), msg::kSamplingInterval);
  ImagesRequest r = Images(0, 1000, 500);
  r.stream = "nope";
  EXPECT_EQ(service_->GetImages(r).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sluice::consumers::playback

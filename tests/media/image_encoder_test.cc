// SPDX-License-Identifier: Apache-2.0
// EncodeImage: JPEG and PNG pictures that ffprobe/ffmpeg read back with the right codec, size and
// colours; sizes (native, one side with the aspect kept, stretched, up to 3840x2160), JPEG
// quality, and refused input. Also a decoded frame from real H.264 encoded end to end.
#include <gtest/gtest.h>

#include "media/frame_decoder.h"
#include "tests/media/frame_decoder_test_util.h"

namespace sluice::media {
namespace {

using testing::Bgr;
using testing::ExpectNear;
using testing::MediaFiles;
using testing::PixelAt;
using testing::ProbePicture;
using testing::ReadPicture;

#define REQUIRE_FFMPEG() \
  if (!testing::HaveTool("ffprobe")) GTEST_SKIP() << "ffmpeg not installed"

// Four solid quadrants: red, green (top), blue, white (bottom), packed BGR with row padding.
DecodedFrame Quadrants(uint32_t width, uint32_t height, uint32_t padding = 0) {
  DecodedFrame f;
  f.width = width;
  f.height = height;
  f.stride = width * 3 + padding;
  f.bgr.assign(size_t{f.stride} * height, '\x55');
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      const bool right = x >= width / 2;
      const bool bottom = y >= height / 2;
      Bgr c = !bottom ? (right ? Bgr{0, 255, 0} : Bgr{0, 0, 255})
                      : (right ? Bgr{255, 255, 255} : Bgr{255, 0, 0});
      char* p = f.bgr.data() + size_t{y} * f.stride + size_t{x} * 3;
      p[0] = static_cast<char>(c.b);
      p[1] = static_cast<char>(c.g);
      p[2] = static_cast<char>(c.r);
    }
  }
  return f;
}

// Writes `bytes` to a file and returns its path.
std::string Save(const std::string& name, const std::string& bytes) {
  const std::string path = MediaFiles::Dir() + "/" + name;
  testing::WriteFile(path, bytes);
  return path;
}

void ExpectQuadrants(const DecodedFrame& f, int tolerance, const std::string& what) {
  ASSERT_FALSE(f.bgr.empty()) << what << ": did not decode back";
  const uint32_t w = f.width, h = f.height;
  ExpectNear(PixelAt(f, w / 4, h / 4), {0, 0, 255}, tolerance, what + " red");
  ExpectNear(PixelAt(f, 3 * w / 4, h / 4), {0, 255, 0}, tolerance, what + " green");
  ExpectNear(PixelAt(f, w / 4, 3 * h / 4), {255, 0, 0}, tolerance, what + " blue");
  ExpectNear(PixelAt(f, 3 * w / 4, 3 * h / 4), {255, 255, 255}, tolerance, what + " white");
}

TEST(ImageEncoderTest, JpegAndPngAtTheRequestedSizes) {
  REQUIRE_FFMPEG();
  const DecodedFrame frame = Quadrants(320, 240, /*padding=*/7);
  const struct {
    uint32_t width, height, want_width, want_height;
  } sizes[] = {
      {0, 0, 320, 240},         // native
      {160, 0, 160, 120},       // width only: aspect kept
      {0, 60, 80, 60},          // height only: aspect kept
      {200, 50, 200, 50},       // both: stretched
      {3840, 2160, 3840, 2160}  // the largest GetImages size
  };
  for (ImageFormat format : {ImageFormat::kJpeg, ImageFormat::kPng}) {
    const bool jpeg = format == ImageFormat::kJpeg;
    for (const auto& s : sizes) {
      const std::string what = std::string(jpeg ? "jpeg " : "png ") + std::to_string(s.width) +
                               "x" + std::to_string(s.height);
      Result<std::string> image =
          EncodeImage(frame, {.format = format, .width = s.width, .height = s.height});
      ASSERT_TRUE(image.ok()) << what << ": " << image.status().ToString();
      const std::string path = Save(jpeg ? "image.jpg" : "image.png", *image);
      EXPECT_EQ(ProbePicture(path), std::string(jpeg ? "mjpeg," : "png,") +
                                        std::to_string(s.want_width) + "," +
                                        std::to_string(s.want_height))
          << what;
      ExpectQuadrants(ReadPicture(path, s.want_width, s.want_height), jpeg ? 16 : 2, what);
    }
  }
}

TEST(ImageEncoderTest, PngIsLosslessAtTheNativeSize) {
  REQUIRE_FFMPEG();
  DecodedFrame frame = Quadrants(64, 48);
  for (size_t i = 0; i < frame.bgr.size(); ++i) frame.bgr[i] = static_cast<char>(i * 7);
  Result<std::string> png = EncodeImage(frame, {.format = ImageFormat::kPng});
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  EXPECT_EQ(png->substr(1, 3), "PNG");
  const DecodedFrame back = ReadPicture(Save("lossless.png", *png), 64, 48);
  EXPECT_EQ(back.bgr, frame.bgr);
}

TEST(ImageEncoderTest, JpegQualityTradesSizeForFidelity) {
  REQUIRE_FFMPEG();
  DecodedFrame frame = Quadrants(320, 240);
  for (size_t i = 0; i < frame.bgr.size(); i += 5) frame.bgr[i] = static_cast<char>(i * 13);
  size_t previous = 0;
  for (int quality : {1, 30, 80, 100}) {
    Result<std::string> jpeg = EncodeImage(frame, {.jpeg_quality = quality});
    ASSERT_TRUE(jpeg.ok()) << quality << ": " << jpeg.status().ToString();
    EXPECT_EQ(jpeg->substr(0, 2), "\xFF\xD8") << quality;  // SOI marker
    EXPECT_GT(jpeg->size(), previous) << quality;
    previous = jpeg->size();
    EXPECT_EQ(ProbePicture(Save("q.jpg", *jpeg)), "mjpeg,320,240") << quality;
  }
}

TEST(ImageEncoderTest, OddSizesEncode) {
  REQUIRE_FFMPEG();
  const DecodedFrame frame = Quadrants(321, 241);
  for (ImageFormat format : {ImageFormat::kJpeg, ImageFormat::kPng}) {
    Result<std::string> image = EncodeImage(frame, {.format = format, .width = 101});
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    const std::string probe = ProbePicture(Save("odd.img", *image));
    EXPECT_NE(probe.find(",101,76"), std::string::npos) << probe;
  }
}

TEST(ImageEncoderTest, RefusesBadFramesAndOptions) {
  const DecodedFrame good = Quadrants(32, 24);
  DecodedFrame empty;
  EXPECT_EQ(EncodeImage(empty, {}).status().code(), StatusCode::kInvalidArgument);
  DecodedFrame short_buffer = good;
  short_buffer.bgr.resize(good.bgr.size() - 1);
  EXPECT_EQ(EncodeImage(short_buffer, {}).status().code(), StatusCode::kInvalidArgument);
  DecodedFrame small_stride = good;
  small_stride.stride = good.width * 3 - 1;
  EXPECT_EQ(EncodeImage(small_stride, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeImage(good, {.jpeg_quality = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeImage(good, {.jpeg_quality = 101}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeImage(good, {.width = 100000}).status().code(), StatusCode::kInvalidArgument);
  // Quality does not matter for PNG.
  EXPECT_TRUE(EncodeImage(good, {.format = ImageFormat::kPng, .jpeg_quality = 0}).ok());
}

TEST(ImageEncoderTest, DecodedFrameToJpeg) {
  REQUIRE_FFMPEG();
  const std::string path = testing::DecoderMedia("redblue");
  ASSERT_FALSE(path.empty());
  const testing::StoredMedia m = testing::LoadStored(path);
  ASSERT_FALSE(m.fragments.empty());
  Result<std::unique_ptr<VideoDecoder>> dec = VideoDecoder::Create(*m.header.VideoTrack());
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  Result<std::vector<DecodedFrame>> frames =
      (*dec)->DecodeFragment(m.fragments[0], {.key_frames_only = true});
  ASSERT_TRUE(frames.ok()) << frames.status().ToString();
  ASSERT_EQ(frames->size(), 1u);
  Result<std::string> jpeg = EncodeImage(frames->front(), {.width = 640});
  ASSERT_TRUE(jpeg.ok()) << jpeg.status().ToString();
  const std::string file = Save("frame.jpg", *jpeg);
  EXPECT_EQ(ProbePicture(file), "mjpeg,640,480");
  const DecodedFrame back = ReadPicture(file, 640, 480);
  ASSERT_FALSE(back.bgr.empty());
  ExpectNear(PixelAt(back, 80, 120), {0, 0, 255}, 16, "red");
  ExpectNear(PixelAt(back, 560, 120), {255, 0, 0}, 16, "blue");
}

}  // namespace
}  // namespace sluice::media

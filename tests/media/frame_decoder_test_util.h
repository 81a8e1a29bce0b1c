// SPDX-License-Identifier: Apache-2.0
// Test helpers for the frame decoder and image encoder: extra ffmpeg-made media (B-frames or not,
// solid colours, 720p, clusters cut inside a GOP), stored fragments as readers get them, pixel
// access, and reading encoded pictures back with ffprobe/ffmpeg.
// Header-only because tests/media globs only *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "media/frame_decoder.h"
#include "media/stored_format.h"
#include "tests/media/media_test_util.h"

namespace sluice::media::testing {

// A top band, 320x120: solid `left` colour on the left half, `right` on the right half; below
// it 320x120 of testsrc (enough bits per GOP for ffmpeg's muxer to start a cluster at each key
// frame). Colours are ffmpeg colour names or 0xRRGGBB.
inline std::string TwoColourSource(const std::string& left, const std::string& right) {
  return "-f lavfi -i 'color=c=" + left + ":s=160x120:r=25:d=3[l];color=c=" + right +
         ":s=160x120:r=25:d=3[r];testsrc=s=320x120:r=25:d=3[t];[l][r]hstack[top];[top][t]vstack["
         "out0]'";
}

// Media made once per test binary, in MediaFiles' folder; "" when ffmpeg fails. Names:
//   nob        testsrc 320x240 25 fps 3 s, libx264 without B-frames, 1 s GOP
//   redblue    TwoColourSource(red, blue), libx264 (B-frames), 1 s GOP
//   redblue265 the same with libx265
//   greys      TwoColourSource(0xC0C0C0, 0x404040), libx264, limited range (yuv420p)
//   greysfull  the same from full-range yuvj420p (decodes to full range): greys tell the
//              ranges apart, where saturated colours clip to the same values
//   h264open   testsrc 320x240 25 fps 3 s, libx264 with open GOPs (recovery-point I frames)
//   h265closed testsrc 320x240 25 fps 3 s, libx265 with closed GOPs (IDR key frames), 1 s GOP
//   cut        testsrc 320x240 25 fps 4 s, libx264, 2 s GOP, clusters cut every ~400 ms
//   hd         testsrc2 1280x720 30 fps 2 s, libx264 (B-frames), 1 s GOP
inline std::string DecoderMedia(const std::string& name) {
  const std::string path = MediaFiles::Dir() + "/decoder_" + name + ".mkv";
  if (std::ifstream(path).good()) return path;
  const std::string x264 = " -c:v libx264 -pix_fmt yuv420p ";
  const std::string x265 =
      " -c:v libx265 -pix_fmt yuv420p -x265-params keyint=25:min-keyint=25:log-level=error ";
  std::string cmd;
  if (name == "nob") {
    cmd = "-f lavfi -i testsrc=size=320x240:rate=25 -t 3" + x264 + "-bf 0 -g 25 -keyint_min 25";
  }
  const std::string red_blue = TwoColourSource("red", "blue");
  const std::string greys = TwoColourSource("0xC0C0C0", "0x404040");
  if (name == "redblue") cmd = red_blue + x264 + "-g 25 -keyint_min 25";
  if (name == "redblue265") cmd = red_blue + x265;
  if (name == "greys") cmd = greys + x264 + "-g 25 -keyint_min 25";
  if (name == "greysfull") {
    cmd = greys + " -c:v libx264 -pix_fmt yuvj420p -color_range pc -g 25 -keyint_min 25";
  }
  if (name == "h264open") {
    cmd = "-f lavfi -i testsrc=size=320x240:rate=25 -t 3" + x264 +
          "-g 25 -keyint_min 25 -x264-params open-gop=1";
  }
  if (name == "h265closed") {
    cmd = "-f lavfi -i testsrc=size=320x240:rate=25 -t 3" + x265;
    cmd.replace(cmd.find("keyint="), 7, "open-gop=0:keyint=");
  }
  if (name == "cut") {
    cmd = "-f lavfi -i testsrc=size=320x240:rate=25 -t 4" + x264 +
          "-g 50 -keyint_min 50 -cluster_time_limit 400";
  }
  if (name == "hd") {
    cmd = "-f lavfi -i testsrc2=size=1280x720:rate=30 -t 2" + x264 + "-g 30 -keyint_min 30";
  }
  if (cmd.empty()) return "";
  if (Run("ffmpeg -nostdin -v error -y " + cmd + " -f matroska '" + path + "' 2>/dev/null") != 0) {
    return "";
  }
  return path;
}

// A file as a reader of the store sees it: the TrackHeader, and each fragment re-read from its
// stored cluster bytes by ReadStoredCluster.
struct StoredMedia {
  TrackHeader header;
  std::vector<Fragment> fragments;

  size_t video_frames(const Fragment& f) const {
    size_t n = 0;
    for (const Frame& fr : f.frames) n += fr.track_number == header.VideoTrack()->number ? 1 : 0;
    return n;
  }
};

inline StoredMedia LoadStored(const std::string& path) {
  Recorder r;
  MkvFragmenter fragmenter(&r, {});
  fragmenter.Feed(ReadFile(path));
  fragmenter.Finish();
  StoredMedia m;
  EXPECT_TRUE(r.errors.empty()) << path;
  EXPECT_EQ(r.headers.size(), 1u) << path;
  if (r.headers.empty()) return m;
  m.header = r.headers[0];
  for (const Fragment& f : r.fragments) {
    Result<Fragment> stored = ReadStoredCluster(m.header, f.cluster);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    if (stored.ok()) m.fragments.push_back(std::move(stored).value());
  }
  return m;
}

struct Bgr {
  int b = 0, g = 0, r = 0;
};

inline Bgr PixelAt(const DecodedFrame& f, uint32_t x, uint32_t y) {
  const size_t at = size_t{y} * f.stride + size_t{x} * 3;
  const auto* p = reinterpret_cast<const uint8_t*>(f.bgr.data()) + at;
  return {p[0], p[1], p[2]};
}

inline void ExpectNear(Bgr got, Bgr want, int tolerance, const std::string& where) {
  EXPECT_NEAR(got.b, want.b, tolerance) << where;
  EXPECT_NEAR(got.g, want.g, tolerance) << where;
  EXPECT_NEAR(got.r, want.r, tolerance) << where;
}

// A picture file's first stream as ffprobe reads it: "codec,width,height" ("" on failure).
inline std::string ProbePicture(const std::string& path) {
  std::string out;
  if (Run("ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 '" + path +
              "'",
          &out) != 0) {
    return "";
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A picture file decoded back to a packed BGR frame by ffmpeg (empty frame on failure).
inline DecodedFrame ReadPicture(const std::string& path, uint32_t width, uint32_t height) {
  DecodedFrame f;
  std::string raw;
  if (Run("ffmpeg -nostdin -v error -i '" + path + "' -f rawvideo -pix_fmt bgr24 -", &raw) != 0 ||
      raw.size() != size_t{width} * height * 3) {
    return f;
  }
  f.width = width;
  f.height = height;
  f.stride = width * 3;
  f.bgr = std::move(raw);
  return f;
}

}  // namespace sluice::media::testing

// SPDX-License-Identifier: Apache-2.0
// Test helpers for media/: a listener that records fragmenter events, chunked feeding, running
// ffmpeg/ffprobe/gst-launch, and a builder for small synthetic MKV streams (exact error cases).
// Header-only because tests/media globs only *_test.cc files.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "media/ebml_codec.h"
#include "media/mkv_fragmenter.h"
#include "media/mkv_ids.h"
#include "media/mkv_writer.h"

namespace sluice::media::testing {

// Records every event in order; `log` holds one letter per event (H, S, C, E) for order checks.
struct Recorder : FragmenterListener {
  std::vector<TrackHeader> headers;
  std::vector<FragmentStart> starts;
  std::vector<Fragment> fragments;
  std::vector<MkvError> errors;
  std::string log;

  void OnHeaderChanged(const TrackHeader& h) override {
    headers.push_back(h);
    log += 'H';
  }
  void OnFragmentStarted(const FragmentStart& s) override {
    starts.push_back(s);
    log += 'S';
  }
  void OnFragmentComplete(Fragment f) override {
    fragments.push_back(std::move(f));
    log += 'C';
  }
  void OnError(const MkvError& e) override {
    errors.push_back(e);
    log += 'E';
  }
  size_t total_frames() const {
    size_t n = 0;
    for (const Fragment& f : fragments) n += f.frame_count();
    return n;
  }
};

// Feeds `data` in pieces whose sizes come from `next_size` (called until the data is used up).
template <typename F>
void FeedPieces(MkvFragmenter* f, std::string_view data, F next_size) {
  while (!data.empty()) {
    size_t n = std::min<size_t>(data.size(), std::max<size_t>(1, next_size()));
    f->Feed(data.substr(0, n));
    data.remove_prefix(n);
  }
}

// Runs the whole input through a fresh fragmenter, in pieces of random size (1..max_piece).
inline void FeedRandom(MkvFragmenter* f, std::string_view data, size_t max_piece, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> dist(1, max_piece);
  FeedPieces(f, data, [&] { return dist(rng); });
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

inline bool HaveTool(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

// Runs a shell command; returns its exit status, stdout in *out (if given).
inline int Run(const std::string& cmd, std::string* out = nullptr) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
    if (out != nullptr) out->append(buf, n);
  }
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Number of video frames ffprobe decodes from `path` (-1 when ffprobe fails).
inline int DecodedVideoFrames(const std::string& path) {
  std::string out;
  int rc =
      Run("ffprobe -v quiet -count_frames -select_streams v:0 -show_entries "
          "stream=nb_read_frames -of csv=p=0 '" +
              path + "'",
          &out);
  if (rc != 0 || out.empty()) return -1;
  return std::atoi(out.c_str());
}

// --- synthetic streams
// -----------------------------------------------------------------------------

struct TestBlock {
  uint64_t track = 1;
  int16_t timecode = 0;
  bool key = true;
  std::string payload = "frame";
};

// A header for `tracks` video tracks (numbers 1..n) with fake avcC bytes.
inline TrackHeader VideoHeader(int tracks = 1) {
  TrackHeader h;
  for (int i = 1; i <= tracks; ++i) {
    TrackInfo t;
    t.number = static_cast<uint64_t>(i);
    t.uid = 100 + static_cast<uint64_t>(i);
    t.type = TrackType::kVideo;
    t.codec_id = "V_MPEG4/ISO/AVC";
    t.codec_private = std::string("\x01\x64\x00\x1f", 4);
    t.width = 64;
    t.height = 64;
    h.tracks.push_back(t);
  }
  return h;
}

// EBML header + unknown-size Segment + Info + Tracks, as a producer sends at session start.
inline std::string StreamStart(const TrackHeader& h) {
  std::string out;
  AppendEbmlHeader(&out, "matroska");
  AppendSegmentStart(&out);
  AppendInfo(&out, h);
  AppendTracks(&out, h);
  return out;
}

inline std::string SimpleBlock(const TestBlock& b) {
  std::string body;
  PutSize(&body, b.track);
  body.push_back(static_cast<char>(static_cast<uint16_t>(b.timecode) >> 8));
  body.push_back(static_cast<char>(b.timecode & 0xFF));
  body.push_back(static_cast<char>(b.key ? 0x80 : 0x00));
  body += b.payload;
  std::string out;
  PutBytes(&out, mkv::kSimpleBlock, body);
  return out;
}

// An unknown-size Cluster (as the KVS producer sends) with Timecode, Position 0 and the blocks.
inline std::string LiveCluster(uint64_t timecode, const std::vector<TestBlock>& blocks) {
  std::string out;
  PutId(&out, mkv::kCluster);
  PutUnknownSize(&out);
  PutUInt(&out, mkv::kTimecode, timecode);
  PutUInt(&out, mkv::kPosition, 0);
  for (const TestBlock& b : blocks) out += SimpleBlock(b);
  return out;
}

// One key frame then `n - 1` delta frames, 40 ms apart.
inline std::vector<TestBlock> Gop(int n, uint64_t track = 1) {
  std::vector<TestBlock> v;
  for (int i = 0; i < n; ++i) {
    v.push_back({track, static_cast<int16_t>(40 * i), i == 0, "frame" + std::to_string(i)});
  }
  return v;
}

inline std::string EndOfFragmentTags() {
  std::string out;
  AppendTags(&out, {{std::string(kvs_tag::kEndOfFragment), "1"}});
  return out;
}

}  // namespace sluice::media::testing

namespace sluice::media::testing {

// Media files made once per test binary in a temporary folder, by name:
//   h264      ffmpeg testsrc 320x240 25 fps, 6 s, libx264, one key frame per second
//   h264_b    the same starting at 6 s (for a restart that keeps timecodes increasing)
//   h264_640  640x480 starting at 12 s (resolution change)
//   h265      libx265, keyint 25
//   gst       GStreamer videotestsrc 150 buffers ! x264enc key-int-max=25 ! matroskamux
//   gst_live  the same with matroskamux streamable=true (unknown sizes)
//   vp9       WebM, libvpx-vp9
//   aac       h264 video + AAC audio
//   small     testsrc 64x64, 1 s (the fuzz seed)
// Path() returns "" when the file could not be made (tool missing or failed).
class MediaFiles {
 public:
  static const std::string& Dir() {
    // Never destroyed, so the exit handler that removes the folder can still read it.
    static const std::string* dir = [] {
      char tmpl[] = "/tmp/sluice-media-test-XXXXXX";
      const char* d = mkdtemp(tmpl);
      if (d == nullptr) return new std::string("/tmp");
      std::atexit([] {
        int rc = std::system(("rm -rf '" + Dir() + "'").c_str());
        (void)rc;
      });
      return new std::string(d);
    }();
    return *dir;
  }

  static std::string Path(const std::string& name) {
    const std::string path = Dir() + "/" + name + ".mkv";
    if (std::ifstream(path).good()) return path;
    const std::string src = "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=";
    const std::string h264 = " -c:v libx264 -g 25 -keyint_min 25 -pix_fmt yuv420p -f matroska ";
    std::string cmd;
    if (name == "h264") cmd = src + "320x240:rate=25 -t 6" + h264;
    if (name == "h264_b") cmd = src + "320x240:rate=25 -t 6" + h264 + "-output_ts_offset 6 ";
    if (name == "h264_640") cmd = src + "640x480:rate=25 -t 6" + h264 + "-output_ts_offset 12 ";
    if (name == "small") cmd = src + "64x64:rate=25 -t 1" + h264;
    if (name == "h265") {
      cmd = src +
            "320x240:rate=25 -t 6 -c:v libx265 -x265-params keyint=25:log-level=error "
            "-pix_fmt yuv420p -f matroska ";
    }
    if (name == "aac") {
      cmd = src + "320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 -t 6" + h264 +
            "-c:a aac ";
    }
    if (name == "vp9") {
      cmd = src +
            "320x240:rate=25 -t 6 -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -g 25 "
            "-keyint_min 25 -f webm ";
    }
    if (name == "gst_live") {  // streamable: unknown-size Segment and Clusters, like kvssink
      cmd =
          "gst-launch-1.0 -q videotestsrc num-buffers=150 ! video/x-raw,width=320,height=240 ! "
          "x264enc key-int-max=25 ! h264parse ! matroskamux streamable=true ! filesink "
          "location=";
    }
    if (name == "gst") {
      cmd =
          "gst-launch-1.0 -q videotestsrc num-buffers=150 ! video/x-raw,width=320,height=240 ! "
          "x264enc key-int-max=25 ! h264parse ! matroskamux ! filesink location=";
    }
    if (cmd.empty() || Run(cmd + "'" + path + "' 2>/dev/null") != 0) return "";
    return path;
  }
};

}  // namespace sluice::media::testing

// SPDX-License-Identifier: Apache-2.0
// Test helpers for the remuxer: short real streams made with ffmpeg (epoch-based timecodes, as KVS
// producers send), cut by MkvFragmenter and re-read with ReadStoredCluster exactly as playback
// reads the store; and ffprobe/ffmpeg wrappers that read the remuxed output back.
// Header-only because tests/media globs only *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "media/remux.h"
#include "media/stored_format.h"
#include "tests/media/media_test_util.h"

namespace sluice::media::testing {

// Seconds added to every test stream so that timecodes look like a KVS producer's (epoch ms).
inline constexpr int64_t kEpochOffsetS = 1'700'000'000;

struct StoredStream {
  TrackHeader header;
  std::vector<Fragment> fragments;  // as ReadStoredCluster returns them
};

// Streams by name (made once per test binary, in MediaFiles::Dir()); 320x240 at 25 fps, 4 s,
// one key frame per second (so 4 fragments), timecodes starting at kEpochOffsetS:
//   h264      libx264 defaults (B-frames, b-pyramid)
//   h264_nob  libx264 -bf 0
//   h265      libx265 (B-frames)
//   h264_aac  h264 + AAC-LC 44.1 kHz mono (sine)
//   h264_ulaw h264 + G.711 mu-law 8 kHz (A_MS/ACM)
//   h264_720p 1280x720, 1 s, noisy: about 10 Mbit/s (one fragment; for timings)
//   zero      h264 with timecodes from 0 (a RELATIVE producer's timeline)
inline std::string RemuxMediaPath(const std::string& name) {
  const std::string path = MediaFiles::Dir() + "/remux_" + name + ".mkv";
  if (std::ifstream(path).good()) return path;
  const std::string offset = " -output_ts_offset " + std::to_string(kEpochOffsetS);
  const std::string src = "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=";
  const std::string x264 = " -c:v libx264 -g 25 -keyint_min 25 -pix_fmt yuv420p";
  std::string cmd;
  if (name == "h264") cmd = src + "320x240:rate=25 -t 4" + x264 + offset;
  if (name == "h264_nob") cmd = src + "320x240:rate=25 -t 4" + x264 + " -bf 0" + offset;
  if (name == "zero") cmd = src + "320x240:rate=25 -t 4" + x264;
  if (name == "h264_720p") {  // noise keeps the frames at least as large as a camera's
    cmd =
        "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=1280x720:rate=25,"
        "noise=alls=12:allf=t -t 1 -c:v libx264 -preset ultrafast -b:v 4M -g 25 -pix_fmt "
        "yuv420p" +
        offset;
  }
  if (name == "h265") {
    cmd = src + "320x240:rate=25 -t 4 -c:v libx265 -x265-params keyint=25:min-keyint=25:" +
          "scenecut=0:open-gop=0:log-level=error -pix_fmt yuv420p" + offset;
  }
  if (name == "h264_aac") {
    cmd = src + "320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 -t 4" + x264 +
          " -c:a aac -ac 1" + offset;
  }
  if (name == "h264_ulaw") {
    cmd = src + "320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=8000 -t 4" + x264 +
          " -c:a pcm_mulaw" + offset;
  }
  if (cmd.empty() || Run(cmd + " -f matroska '" + path + "' 2>&1") != 0) return "";
  return path;
}

// Fragments `name` and re-reads every cluster from its bytes, as playback does.
inline StoredStream LoadStream(const std::string& name) {
  StoredStream s;
  const std::string path = RemuxMediaPath(name);
  EXPECT_FALSE(path.empty()) << "could not make test media " << name;
  if (path.empty()) return s;
  Recorder r;
  MkvFragmenter f(&r);
  f.Feed(ReadFile(path));
  f.Finish();
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].message;
  EXPECT_EQ(r.headers.size(), 1u);
  if (r.headers.empty()) return s;
  s.header = r.headers[0];
  for (const Fragment& frag : r.fragments) {
    Result<Fragment> back = ReadStoredCluster(s.header, frag.cluster);
    EXPECT_TRUE(back.ok()) << back.status().ToString();
    if (back.ok()) s.fragments.push_back(std::move(*back));
  }
  return s;
}

#define REQUIRE_FFMPEG()                                \
  if (!::sluice::media::testing::HaveTool("ffmpeg") ||  \
      !::sluice::media::testing::HaveTool("ffprobe")) { \
    GTEST_SKIP() << "ffmpeg/ffprobe not installed";     \
  }

// A scratch file in the media folder; returns its path.
inline std::string WriteTemp(const std::string& name, std::string_view data) {
  const std::string path = MediaFiles::Dir() + "/" + name;
  WriteFile(path, data);
  return path;
}

struct ProbePacket {
  int stream = 0;
  int64_t pts = 0;
  int64_t dts = 0;
  int64_t duration = 0;
  bool key = false;
};

// ffprobe -show_packets of `path` (stream index, pts, dts, duration, key flag), in file order.
inline std::vector<ProbePacket> ProbePackets(const std::string& path) {
  std::string out;
  Run("ffprobe -v error -show_entries packet=stream_index,pts,dts,duration,flags -of csv=p=0 '" +
          path + "'",
      &out);
  std::vector<ProbePacket> packets;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) f.push_back(field);
    if (f.size() < 5) continue;
    ProbePacket p;
    p.stream = std::atoi(f[0].c_str());
    p.pts = std::atoll(f[1].c_str());
    p.dts = std::atoll(f[2].c_str());
    p.duration = std::atoll(f[3].c_str());
    p.key = f[4].find('K') != std::string::npos;
    packets.push_back(p);
  }
  return packets;
}

// ffprobe's stream fields of `path` ("codec_name", "width", ...) for stream `index`.
inline std::map<std::string, std::string> ProbeStream(const std::string& path, int index) {
  std::string out;
  Run("ffprobe -v error -select_streams " + std::to_string(index) +
          " -show_entries stream=codec_name,codec_tag_string,width,height,sample_rate,channels,"
          "time_base,start_time,nb_read_frames -count_frames -of default=noprint_wrappers=1 '" +
          path + "'",
      &out);
  std::map<std::string, std::string> fields;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) fields[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return fields;
}

// What ffmpeg prints at level error while decoding all of `path` (empty: clean) plus ffprobe's
// own complaints about the container.
inline std::string DecodeErrors(const std::string& path) {
  std::string out;
  Run("ffmpeg -nostdin -v error -i '" + path + "' -f null - 2>&1", &out);
  Run("ffprobe -v error -show_packets '" + path + "' 2>&1 >/dev/null", &out);
  return out;
}

// The frames of `track` in a fragment.
inline std::vector<Frame> TrackFrames(const Fragment& f, uint64_t track) {
  std::vector<Frame> out;
  for (const Frame& fr : f.frames) {
    if (fr.track_number == track) out.push_back(fr);
  }
  return out;
}

// --- ISO BMFF boxes
// -----------------------------------------------------------------------------

struct Box {
  std::string type;
  size_t offset = 0;  // of the box header
  size_t size = 0;    // whole box
  std::string_view body;
};

// The boxes directly inside `data` (32-bit and 64-bit sizes).
inline std::vector<Box> Boxes(std::string_view data) {
  std::vector<Box> out;
  size_t pos = 0;
  while (pos + 8 <= data.size()) {
    uint64_t size = 0;
    for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<uint8_t>(data[pos + i]);
    size_t header = 8;
    if (size == 1 && pos + 16 <= data.size()) {
      size = 0;
      for (int i = 8; i < 16; ++i) size = (size << 8) | static_cast<uint8_t>(data[pos + i]);
      header = 16;
    }
    if (size < header || size > data.size() - pos) break;
    out.push_back({std::string(data.substr(pos + 4, 4)), pos, size,
                   data.substr(pos + header, size - header)});
    pos += size;
  }
  return out;
}

// The first box of `type` among Boxes(data); an empty Box when absent.
inline Box FindChild(std::string_view data, const std::string& type) {
  for (const Box& b : Boxes(data)) {
    if (b.type == type) return b;
  }
  return {};
}

inline uint64_t BigEndian(std::string_view b, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes && pos + i < b.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(b[pos + i]);
  }
  return v;
}

// What a media segment's moof says: mfhd sequence, tfhd track id, tfdt base decode time.
struct MoofInfo {
  uint32_t sequence = 0;
  uint32_t track_id = 0;
  uint64_t base_decode_time = 0;
  bool ok = false;
};

inline MoofInfo ReadMoof(std::string_view segment) {
  MoofInfo m;
  const Box moof = FindChild(segment, "moof");
  const Box mfhd = FindChild(moof.body, "mfhd");
  const Box traf = FindChild(moof.body, "traf");
  const Box tfhd = FindChild(traf.body, "tfhd");
  const Box tfdt = FindChild(traf.body, "tfdt");
  if (mfhd.body.size() < 8 || tfhd.body.size() < 8 || tfdt.body.size() < 8) return m;
  m.sequence = static_cast<uint32_t>(BigEndian(mfhd.body, 4, 4));
  m.track_id = static_cast<uint32_t>(BigEndian(tfhd.body, 4, 4));
  m.base_decode_time = tfdt.body[0] == 1 ? BigEndian(tfdt.body, 4, 8) : BigEndian(tfdt.body, 4, 4);
  m.ok = true;
  return m;
}

// ns -> ticks, rounded to nearest (the remuxer's conversion).
inline int64_t Ticks(int64_t ns, int64_t timescale) {
  return static_cast<int64_t>((static_cast<__int128>(ns) * timescale + 500'000'000) /
                              1'000'000'000);
}

}  // namespace sluice::media::testing

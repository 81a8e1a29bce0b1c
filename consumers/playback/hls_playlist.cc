// SPDX-License-Identifier: Apache-2.0
// RenderMediaPlaylist and RenderMasterPlaylist (see hls_playlist.h).
#include "consumers/playback/hls_playlist.h"

#include <algorithm>
#include <cstdio>

#include "consumers/playback/time_format.h"

namespace sluice::consumers::playback {
namespace {

std::string Query(const std::string& token) { return "?SessionToken=" + token; }

int Version(ContainerFormat c) { return c == ContainerFormat::kMpegTs ? 3 : 7; }

std::string Codecs(const HlsVariant& v) {
  std::string codecs;
  if (v.video) codecs = v.video->codecs;
  if (v.audio) codecs += (codecs.empty() ? "" : ",") + v.audio->codecs;
  return codecs;
}

std::string FrameRate(double fps) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", fps);
  return buf;
}

}  // namespace

bool IsDiscontinuity(DiscontinuityMode mode, const HlsSegment& prev, const HlsSegment& next) {
  if (prev.header_version != next.header_version) return true;
  switch (mode) {
    case DiscontinuityMode::kAlways:
      return true;
    case DiscontinuityMode::kNever:
      return false;
    case DiscontinuityMode::kOnDiscontinuity: {
      const int64_t gap = next.time.value() - (prev.time.value() + prev.duration_ms);
      return gap > kDiscontinuityToleranceMs || gap < -kDiscontinuityToleranceMs;
    }
  }
  return false;
}

std::string RenderMediaPlaylist(const HlsMediaPlaylist& p) {
  int64_t longest_ms = 0;
  for (const HlsSegment& s : p.segments) longest_ms = std::max(longest_ms, s.duration_ms);
  const int64_t target = std::max<int64_t>(1, (longest_ms + 999) / 1000);
  const bool ts = p.container == ContainerFormat::kMpegTs;
  const std::string query = Query(p.session_token);
  const std::string track = "&TrackNumber=" + std::to_string(p.track);

  std::string out = "#EXTM3U\n";
  out += "#EXT-X-VERSION:" + std::to_string(Version(p.container)) + "\n";
  out += "#EXT-X-TARGETDURATION:" + std::to_string(target) + "\n";
  out += "#EXT-X-MEDIA-SEQUENCE:" + std::to_string(p.media_sequence) + "\n";
  out += "#EXT-X-DISCONTINUITY-SEQUENCE:" + std::to_string(p.discontinuity_sequence) + "\n";
  if (p.vod) out += "#EXT-X-PLAYLIST-TYPE:VOD\n";
  if (p.can_block_reload && !p.vod) out += "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n";
  out += "#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (size_t i = 0; i < p.segments.size(); ++i) {
    const HlsSegment& s = p.segments[i];
    const bool header_changed = i == 0 || p.segments[i - 1].header_version != s.header_version;
    if (i > 0 && IsDiscontinuity(p.discontinuity, p.segments[i - 1], s)) {
      out += "#EXT-X-DISCONTINUITY\n";
    }
    if (!ts && header_changed) {
      out += "#EXT-X-MAP:URI=\"getMP4InitFragment.mp4" + query + track +
             "&SequenceNumber=" + std::to_string(s.header_version) + "\"\n";
    }
    if (p.program_date_time) out += "#EXT-X-PROGRAM-DATE-TIME:" + IsoTime(s.time) + "\n";
    out += "#EXTINF:" + Seconds3(s.duration_ms) + ",\n";
    if (ts) {
      out += "getTSFragment.ts" + query + "&FragmentNumber=" + s.fragment_number + "\n";
    } else {
      out +=
          "getMP4MediaFragment.mp4" + query + track + "&FragmentNumber=" + s.fragment_number + "\n";
    }
  }
  if (p.vod || p.ended) out += "#EXT-X-ENDLIST\n";
  return out;
}

std::string RenderMasterPlaylist(const HlsVariant& v) {
  const std::string query = Query(v.session_token);
  std::string out = "#EXTM3U\n";
  out += "#EXT-X-VERSION:" + std::to_string(Version(v.container)) + "\n";
  out += "#EXT-X-INDEPENDENT-SEGMENTS\n";
  // fMP4 carries audio in its own playlist (one track per init segment); TS muxes both.
  const bool audio_rendition = v.video && v.audio && v.container == ContainerFormat::kFragmentedMp4;
  if (audio_rendition) {
    out += "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"audio\",DEFAULT=YES,AUTOSELECT=YES";
    if (v.audio->channels > 0) out += ",CHANNELS=\"" + std::to_string(v.audio->channels) + "\"";
    out += ",URI=\"getHLSMediaPlaylist.m3u8" + query + "&TrackNumber=2\"\n";
  }
  out += "#EXT-X-STREAM-INF:BANDWIDTH=" + std::to_string(v.bandwidth);
  const std::string codecs = Codecs(v);
  if (!codecs.empty()) out += ",CODECS=\"" + codecs + "\"";
  if (v.video && v.video->width > 0 && v.video->height > 0) {
    out += ",RESOLUTION=" + std::to_string(v.video->width) + "x" + std::to_string(v.video->height);
  }
  if (v.video && v.video->frame_rate > 0) out += ",FRAME-RATE=" + FrameRate(v.video->frame_rate);
  if (audio_rendition) out += ",AUDIO=\"audio\"";
  out += "\ngetHLSMediaPlaylist.m3u8" + query + "&TrackNumber=1\n";
  return out;
}

}  // namespace sluice::consumers::playback

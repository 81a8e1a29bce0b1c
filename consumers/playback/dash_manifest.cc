// SPDX-License-Identifier: Apache-2.0
// RenderMpd (see dash_manifest.h): XML text written directly; every value is a number or a
// token of URL-safe characters, so only '&' needs escaping.
#include "consumers/playback/dash_manifest.h"

#include <algorithm>
#include <cmath>

#include "consumers/playback/time_format.h"

namespace sluice::consumers::playback {
namespace {

constexpr std::string_view kKvsNamespace = "https://kinesisvideo.amazonaws.com/dash/kvs";

std::string Attr(std::string_view name, const std::string& value) {
  return " " + std::string(name) + "=\"" + value + "\"";
}

// FrameRateType wants an integer or a ratio.
std::string FrameRate(double fps) {
  const auto milli = static_cast<int64_t>(std::llround(fps * 1000));
  if (milli % 1000 == 0) return std::to_string(milli / 1000);
  return std::to_string(milli) + "/1000";
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

struct TimelineEntry {
  const DashSegment* segment;
  int64_t t;
  int64_t d;
};

// The S entries of one track: segments that hold the track, each with its own t; d reaches the
// next entry's t when the two are contiguous within 50 ms, else the fragment's own duration.
std::vector<TimelineEntry> Timeline(const DashManifest& m, const DashTrack& track) {
  std::vector<TimelineEntry> out;
  const size_t slot = track.output_track == 2 ? 1 : 0;
  for (const DashSegment& s : m.segments) {
    if (s.start_ns[slot] == media::kUnknownTime) continue;
    const int64_t t = ToTimescale(s.start_ns[slot], track.timescale);
    const int64_t d = std::max<int64_t>(1, s.duration_ms * track.timescale / 1000);
    out.push_back({&s, t, d});
  }
  const int64_t tolerance = int64_t{track.timescale} * 50 / 1000;
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    const int64_t to_next = out[i + 1].t - out[i].t;
    if (to_next > 0 && std::abs(to_next - out[i].d) <= tolerance) out[i].d = to_next;
  }
  return out;
}

std::string Representation(const DashManifest& m, const DashTrack& track,
                           const std::vector<TimelineEntry>& timeline) {
  const std::string query =
      "?SessionToken=" + m.session_token + "&amp;TrackNumber=" + std::to_string(track.output_track);
  std::string out = "      <Representation";
  out += Attr("id", std::to_string(track.output_track));
  out += Attr("codecs", track.description.codecs);
  out += Attr("bandwidth", std::to_string(std::max<uint64_t>(1, track.bandwidth)));
  if (track.video) {
    if (track.description.width > 0) out += Attr("width", std::to_string(track.description.width));
    if (track.description.height > 0) {
      out += Attr("height", std::to_string(track.description.height));
    }
    if (track.description.frame_rate > 0) {
      out += Attr("frameRate", FrameRate(track.description.frame_rate));
    }
  } else if (track.description.sample_rate > 0) {
    out += Attr("audioSamplingRate", std::to_string(track.description.sample_rate));
  }
  out += ">\n";
  if (!track.video && track.description.channels > 0) {
    out +=
        "        <AudioChannelConfiguration "
        "schemeIdUri=\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\"" +
        Attr("value", std::to_string(track.description.channels)) + "/>\n";
  }
  out += "        <SegmentList" + Attr("timescale", std::to_string(track.timescale));
  if (!m.dynamic && !timeline.empty()) {
    out += Attr("presentationTimeOffset", std::to_string(timeline.front().t));
  }
  out += ">\n";
  out += "          <Initialization sourceURL=\"getMP4InitFragment.mp4" + query +
         "&amp;SequenceNumber=" + std::to_string(track.header_version) + "\"/>\n";
  out += "          <SegmentTimeline>\n";
  for (const TimelineEntry& e : timeline) {
    out += "            <S" + Attr("t", std::to_string(e.t)) + Attr("d", std::to_string(e.d));
    if (m.display_timestamp) out += Attr("kvs:ts", std::to_string(e.segment->time.value()));
    if (m.display_number) out += Attr("kvs:fn", e.segment->fragment_number);
    out += "/>\n";
  }
  out += "          </SegmentTimeline>\n";
  for (const TimelineEntry& e : timeline) {
    out += "          <SegmentURL media=\"getMP4MediaFragment.mp4" + query +
           "&amp;FragmentNumber=" + e.segment->fragment_number + "\"/>\n";
  }
  out += "        </SegmentList>\n      </Representation>\n";
  return out;
}

}  // namespace

int64_t ToTimescale(int64_t ns, uint32_t timescale) {
  // Split to keep ns * timescale inside 64 bits for epoch-based times.
  const int64_t seconds = FloorDiv(ns, 1'000'000'000);
  const int64_t rest = ns - seconds * 1'000'000'000;
  return seconds * timescale + rest * timescale / 1'000'000'000;
}

std::string RenderMpd(const DashManifest& m) {
  std::vector<std::vector<TimelineEntry>> timelines;
  int64_t longest_ms = 0;
  int64_t window_ms = 0;
  for (const DashSegment& s : m.segments) {
    longest_ms = std::max(longest_ms, s.duration_ms);
    window_ms += s.duration_ms;
  }
  int64_t presentation_ms = 0;  // static: from the first S start to the last S end
  for (const DashTrack& track : m.tracks) {
    timelines.push_back(Timeline(m, track));
    const auto& tl = timelines.back();
    if (!tl.empty()) {
      const int64_t span = tl.back().t + tl.back().d - tl.front().t;
      presentation_ms = std::max(presentation_ms, span * 1000 / track.timescale);
    }
  }
  const int64_t target_ms = std::max<int64_t>(1000, longest_ms);

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"";
  out += Attr("xmlns:kvs", std::string(kKvsNamespace));
  out += Attr("profiles", "urn:mpeg:dash:profile:full:2011");
  if (m.dynamic) {
    out += Attr("type", "dynamic");
    out += Attr("availabilityStartTime", IsoTime(m.availability_start));
    out += Attr("publishTime", IsoTime(m.publish_time));
    out += Attr("minimumUpdatePeriod", DashDuration(m.minimum_update_period_ms));
    out += Attr("timeShiftBufferDepth", DashDuration(std::max(window_ms, target_ms)));
    out += Attr("suggestedPresentationDelay", DashDuration(3 * target_ms));
  } else {
    out += Attr("type", "static");
    out += Attr("mediaPresentationDuration", DashDuration(presentation_ms));
  }
  out += Attr("minBufferTime", DashDuration(target_ms));
  out += ">\n";
  out += "  <Period id=\"0\" start=\"PT0S\">\n";
  for (size_t i = 0; i < m.tracks.size(); ++i) {
    const DashTrack& track = m.tracks[i];
    out += "    <AdaptationSet" + Attr("id", std::to_string(track.output_track)) +
           Attr("contentType", track.video ? "video" : "audio") +
           Attr("mimeType", track.video ? "video/mp4" : "audio/mp4") +
           Attr("segmentAlignment", "true") + Attr("startWithSAP", "1") + ">\n";
    out += Representation(m, track, timelines[i]);
    out += "    </AdaptationSet>\n";
  }
  out += "  </Period>\n</MPD>\n";
  return out;
}

}  // namespace sluice::consumers::playback

// SPDX-License-Identifier: Apache-2.0
// Which tracks of a stream playback can serve (the first video and first audio track, when their
// codecs are supported and their codec private data parses) and what a playlist says about them.
#include "media/remux.h"
#include "media/remux_codec_config.h"

namespace sluice::media {

using remux::Codec;
using remux::CodecConfig;
using remux::CodecOf;
using remux::ParseCodecConfig;

namespace {

Status Unsupported(std::string what) {
  return FailedPreconditionError(std::string(kUnsupportedMediaPrefix) + std::move(what));
}

std::string Name(const TrackInfo& t) {
  return "track " + std::to_string(t.number) + " (" + t.codec_id + ")";
}

const TrackInfo* FirstOfType(const TrackHeader& header, TrackType type) {
  for (const TrackInfo& t : header.tracks) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

}  // namespace

const TrackInfo* PlayableTracks::Output(uint64_t output_track) const {
  if (video != nullptr) {
    if (output_track == 1) return video;
    if (output_track == 2) return audio;
    return nullptr;
  }
  return output_track == 1 ? audio : nullptr;
}

Result<PlayableTracks> SelectPlayableTracks(const TrackHeader& header, TrackSelectOptions options) {
  PlayableTracks out;
  if (const TrackInfo* v = FirstOfType(header, TrackType::kVideo)) {
    const std::optional<Codec> codec = CodecOf(*v, options.allow_g711);
    if (!codec) return Unsupported("video " + Name(*v) + ": only H.264 and H.265 play");
    RETURN_IF_ERROR(ParseCodecConfig(*v, *codec).status());
    out.video = v;
  }
  if (const TrackInfo* a = FirstOfType(header, TrackType::kAudio)) {
    if (const std::optional<Codec> codec = CodecOf(*a, options.allow_g711)) {
      RETURN_IF_ERROR(ParseCodecConfig(*a, *codec).status());
      out.audio = a;
    } else if (out.video == nullptr) {
      return Unsupported("audio " + Name(*a) +
                         (options.allow_g711 ? ": only AAC and G.711 play" : ": only AAC plays"));
    }
  }
  if (out.count() == 0) return Unsupported("no video or audio track");
  return out;
}

Result<TrackDescription> DescribeTrack(const TrackInfo& track) {
  const std::optional<Codec> codec = CodecOf(track, /*allow_g711=*/true);
  if (!codec) return Unsupported(Name(track));
  ASSIGN_OR_RETURN(CodecConfig c, ParseCodecConfig(track, *codec));
  TrackDescription d;
  d.codecs = c.codecs;
  if (remux::IsVideo(c.codec)) {
    d.width = c.width;
    d.height = c.height;
    d.frame_rate = c.frame_rate;
  } else {
    d.sample_rate = c.output_sample_rate;
    d.channels = c.channels;
  }
  return d;
}

}  // namespace sluice::media

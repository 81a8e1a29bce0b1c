// SPDX-License-Identifier: Apache-2.0
// fMP4/CMAF: the init segment (ftyp + moov, one track) and the media segment of one fragment
// (styp + moof + mdat) with libavformat's mp4 muxer in fragmented mode. Each call runs its own
// muxer; a media segment's muxer starts with frag_discont, so its tfdt is the first sample's decode
// time on the output timeline (not 0), and the moov it must write first is dropped.
#include "media/remux.h"
#include "media/remux_internal.h"

namespace sluice::media {

using remux::Codec;
using remux::Muxer;
using remux::OutputTrack;

namespace {

// Segment type box: major brand msdh (a DASH/CMAF media segment), compatible msdh.
constexpr std::string_view kStyp(
    "\0\0\0\x14styp"
    "msdh"
    "\0\0\0\0"
    "msdh",
    20);

struct Fmp4Muxer {
  std::unique_ptr<Muxer> muxer;
  AVStream* stream = nullptr;
};

// A fragmenting muxer for one track, its header (ftyp + empty moov) written. Track id = the output
// track number; no edit list and no timestamp shifting, so the stored times pass through.
Result<Fmp4Muxer> OpenFmp4(const OutputTrack& t, uint64_t output_track) {
  // libavformat's mp4 muxer has no G.711 sample entry; its QuickTime muxer ("mov") writes the
  // ulaw/alaw ones, with the same fragment boxes, under an ISO brand.
  const bool g711 = t.config.codec == Codec::kAlaw || t.config.codec == Codec::kMulaw;
  Fmp4Muxer m;
  ASSIGN_OR_RETURN(m.muxer, Muxer::Open(g711 ? "mov" : "mp4", /*seekable=*/false));
  ASSIGN_OR_RETURN(m.stream, m.muxer->AddStream(t, static_cast<int>(output_track), /*iso=*/true));
  remux::MuxerOptions options = {
      {"movflags", "empty_moov+default_base_moof+frag_custom+frag_discont+skip_trailer"},
      {"use_editlist", "0"},
      {"use_stream_ids_as_track_ids", "1"},
      {"avoid_negative_ts", "disabled"},
  };
  if (g711) options.push_back({"brand", "iso6"});
  RETURN_IF_ERROR(m.muxer->WriteHeader(options));
  return m;
}

void PutU32(std::string* s, size_t pos, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    (*s)[pos + static_cast<size_t>(i)] = static_cast<char>(v >> (24 - 8 * i));
}

}  // namespace

Result<std::string> Fmp4InitSegment(const TrackHeader& header, const PlayableTracks& tracks,
                                    uint64_t output_track) {
  ASSIGN_OR_RETURN(OutputTrack t, remux::ResolveOutputTrack(tracks, output_track));
  ASSIGN_OR_RETURN(Fmp4Muxer m, OpenFmp4(t, output_track));
  return std::move(m.muxer->Output());
}

Result<std::string> Fmp4MediaSegment(const TrackHeader& header, const PlayableTracks& tracks,
                                     const Fragment& fragment, uint64_t output_track,
                                     uint32_t sequence) {
  ASSIGN_OR_RETURN(OutputTrack t, remux::ResolveOutputTrack(tracks, output_track));
  const int64_t timescale = remux::TimescaleOf(t.config);
  remux::TrackSamples samples = remux::CollectSamples(fragment, *t.track, t.config, timescale, 0);
  if (samples.frames.empty()) {
    return InvalidArgumentError("the fragment has no sample of output track " +
                                std::to_string(output_track));
  }
  remux::ClampDtsToZero(&samples.times);
  ASSIGN_OR_RETURN(Fmp4Muxer m, OpenFmp4(t, output_track));
  m.muxer->RestartOutput(kStyp);
  for (size_t i = 0; i < samples.frames.size(); ++i) {
    RETURN_IF_ERROR(
        m.muxer->WriteFrame(m.stream, fragment, *samples.frames[i], samples.times[i], timescale));
  }
  RETURN_IF_ERROR(m.muxer->Flush());
  std::string& out = m.muxer->Output();
  // The muxer numbers its fragments from 1; mfhd carries the caller's sequence number.
  const size_t moof = remux::FindBox(out, "moof", kStyp.size());
  if (moof == std::string::npos || out.size() < moof + 24 || out.substr(moof + 12, 4) != "mfhd") {
    return InternalError("fMP4 muxer wrote no moof/mfhd");
  }
  PutU32(&out, moof + 20, sequence);
  return std::move(out);
}

}  // namespace sluice::media

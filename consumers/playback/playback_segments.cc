// SPDX-License-Identifier: Apache-2.0
// Session media: MP4 init segments (by header version), fMP4 media segments (one track of one
// fragment) and MPEG-TS segments (all tracks of one fragment), remuxed by media/remux.h and kept
// in the segment cache under (stream, kind, version or entry counter, track). A fragment is
// served only to a session of its stream whose range holds it.
#include "consumers/playback/playback_internal.h"

namespace sluice::consumers::playback {
namespace {

constexpr std::string_view kMp4 = "video/mp4";
constexpr std::string_view kTs = "video/mp2t";
// A segment's bytes never change; the URL (with its token) is unique to the session.
constexpr std::string_view kSegmentCacheControl = "max-age=86400";

// HLS plays AAC only; DASH also G.711. The variant is part of the cache key (track 2 differs).
bool AllowG711(const SessionParams& p) { return p.kind == TokenKind::kDashSession; }

Status NotInSession(std::string_view number) {
  return NotFoundError("Fragment " + std::string(number) +
                       " is not part of the streaming session.");
}

}  // namespace

Result<std::unique_ptr<ParsedFragment>> PlaybackService::Impl::Parse(
    const engine::StreamInfo& stream, const index::FragmentRow& row, bool allow_g711) {
  ASSIGN_OR_RETURN(ingest::StoredFragment stored, reader->Read(stream.name, row));
  auto f = std::make_unique<ParsedFragment>();
  f->row = stored.row;
  f->header = std::move(stored.header);
  ASSIGN_OR_RETURN(f->tracks, media::SelectPlayableTracks(f->header, {.allow_g711 = allow_g711}));
  ASSIGN_OR_RETURN(f->fragment, media::ReadStoredCluster(f->header, stored.cluster));
  f->fragment.header_version = stored.meta.header_version;
  f->fragment.producer_timestamp = stored.meta.producer_timestamp;
  f->fragment.duration_ms = stored.meta.duration_ms;
  return f;
}

Result<PlaybackResource> PlaybackService::Impl::InitSegment(const OpenSession& s,
                                                            const PlaybackRequest& request) {
  ASSIGN_OR_RETURN(uint64_t track, TrackNumber(request));
  ASSIGN_OR_RETURN(std::optional<uint64_t> version, OptionalNumber(request, "SequenceNumber"));
  if (!version) {
    // No SequenceNumber: the header of the newest fragment the session lists.
    ASSIGN_OR_RETURN(SessionListing listing, List(s.params, clock->Now()));
    if (listing.rows.empty()) {
      return NotFoundError("No fragments found in the stream for the streaming request.");
    }
    version = listing.rows.back().header_version;
  }
  const bool g711 = AllowG711(s.params);
  const SegmentKey key{.stream = s.stream.id.value(),
                       .kind = SegmentKind::kInit,
                       .id = *version,
                       .track = track | (g711 ? 0x100u : 0u)};
  const StreamId stream = s.stream.id;
  bool produced = false;
  ASSIGN_OR_RETURN(SegmentCache::Bytes bytes, segments.Get(key, [&]() -> Result<std::string> {
    produced = true;
    metric_misses->Add();
    ASSIGN_OR_RETURN(media::TrackHeader header, reader->Header(stream, *version));
    ASSIGN_OR_RETURN(media::PlayableTracks tracks,
                     media::SelectPlayableTracks(header, {.allow_g711 = g711}));
    if (tracks.Output(track) == nullptr) {
      return NotFoundError("The stream has no track " + std::to_string(track) + ".");
    }
    return media::Fmp4InitSegment(header, tracks, track);
  }));
  if (!produced) metric_hits->Add();
  return PlaybackResource{std::string(kMp4), *bytes, std::string(kSegmentCacheControl)};
}

Result<PlaybackResource> PlaybackService::Impl::MediaSegment(const OpenSession& s,
                                                             const PlaybackRequest& request,
                                                             bool ts) {
  const SessionParams& p = s.params;
  auto number = request.query.find("FragmentNumber");
  if (number == request.query.end() || number->second.empty()) {
    return InvalidArgumentError("FragmentNumber must be specified.");
  }
  uint64_t track = 0;
  if (!ts) {
    ASSIGN_OR_RETURN(track, TrackNumber(request));
  }
  ASSIGN_OR_RETURN(index::FragmentRow row, reader->Find(p.stream, number->second));
  const int64_t t = AxisTime(row, p.axis);
  if ((p.start && t < p.start->value()) || (p.end && t > p.end->value())) {
    return NotInSession(number->second);
  }
  const bool g711 = AllowG711(p);
  const SegmentKey key{.stream = s.stream.id.value(),
                       .kind = ts ? SegmentKind::kTs : SegmentKind::kFmp4,
                       .id = row.counter.value(),
                       .track = track | (g711 ? 0x100u : 0u)};
  bool produced = false;
  ASSIGN_OR_RETURN(SegmentCache::Bytes bytes, segments.Get(key, [&]() -> Result<std::string> {
    produced = true;
    metric_misses->Add();
    ASSIGN_OR_RETURN(std::unique_ptr<ParsedFragment> f, Parse(s.stream, row, g711));
    // Numbers derived from the fragment's log position, so every session gets the same bytes.
    const auto position = static_cast<uint32_t>(row.counter.value());
    if (ts) return media::TsSegment(f->header, f->tracks, f->fragment, position);
    if (f->tracks.Output(track) == nullptr) {
      return NotFoundError("The stream has no track " + std::to_string(track) + ".");
    }
    return media::Fmp4MediaSegment(f->header, f->tracks, f->fragment, track, position + 1);
  }));
  if (!produced) metric_hits->Add();
  return PlaybackResource{std::string(ts ? kTs : kMp4), *bytes, std::string(kSegmentCacheControl)};
}

}  // namespace sluice::consumers::playback

// SPDX-License-Identifier: Apache-2.0
// GetClip: the fragments starting in [start, end] on the selector axis, at most the first 200
// fragments or 100 MB, cut where the codec private data changes, remuxed into one progressive
// MP4 by media::Mp4Clip.
#include <vector>

#include "consumers/playback/playback_internal.h"
#include "consumers/playback/playback_validation.h"

namespace sluice::consumers::playback {
namespace {

constexpr size_t kMaxClipFragments = 200;
constexpr uint64_t kMaxClipBytes = 100ull << 20;

// Whether two headers play the same way: same playable tracks with the same codec data.
bool SameCodecs(const media::PlayableTracks& a, const media::PlayableTracks& b) {
  const auto same = [](const media::TrackInfo* x, const media::TrackInfo* y) {
    if (x == nullptr || y == nullptr) return x == y;
    return x->codec_id == y->codec_id && x->codec_private == y->codec_private;
  };
  return same(a.video, b.video) && same(a.audio, b.audio);
}

}  // namespace

Result<Clip> PlaybackService::GetClip(const ClipRequest& request) {
  RETURN_IF_ERROR(ValidateClipRequest(request));
  ASSIGN_OR_RETURN(engine::StreamInfo info, impl_->PlayableStream(request.stream));
  const FragmentSelector& sel = request.selector;
  ASSIGN_OR_RETURN(std::vector<index::FragmentRow> rows,
                   OldestFragments(impl_->Lister(request.stream), sel.axis, *sel.start, *sel.end,
                                   kMaxClipFragments));
  if (rows.empty()) return NotFoundError(std::string(msg::kNoFragmentsClip));

  std::vector<std::unique_ptr<ParsedFragment>> parsed;
  uint64_t bytes = 0;
  for (const index::FragmentRow& row : rows) {
    if (!parsed.empty() && bytes + row.size_bytes > kMaxClipBytes) break;
    Result<std::unique_ptr<ParsedFragment>> f = impl_->Parse(info, row, /*allow_g711=*/true);
    // A later fragment whose header cannot be played ends the clip, like a codec change.
    if (!f.ok() && !parsed.empty() && f.status().code() == StatusCode::kFailedPrecondition) break;
    if (!f.ok()) return f.status();
    if (!parsed.empty() && !SameCodecs(parsed.front()->tracks, (*f)->tracks)) break;
    bytes += row.size_bytes;
    parsed.push_back(std::move(*f));
  }
  std::vector<const media::TrackHeader*> headers;
  std::vector<media::Fragment> fragments;
  headers.reserve(parsed.size());
  fragments.reserve(parsed.size());
  for (std::unique_ptr<ParsedFragment>& f : parsed) {
    headers.push_back(&f->header);
    fragments.push_back(std::move(f->fragment));
  }
  Clip clip;
  ASSIGN_OR_RETURN(clip.body, media::Mp4Clip(headers, fragments));
  ++impl_->clips;
  return clip;
}

}  // namespace sluice::consumers::playback

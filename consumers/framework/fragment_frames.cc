// SPDX-License-Identifier: Apache-2.0
// FrameExtractor: one VideoDecoder per track-header version, fed parsed fragments.
#include "consumers/framework/fragment_frames.h"

#include "consumers/framework/fragment_iterator.h"

namespace sluice::consumers {

FrameExtractor::FrameExtractor() = default;
FrameExtractor::~FrameExtractor() = default;

Result<std::vector<media::DecodedFrame>> FrameExtractor::Decode(
    const ingest::StoredFragment& stored, const media::DecodeOptions& options) {
  if (decoder_ == nullptr || header_version_ != stored.header.version) {
    const media::TrackInfo* video = stored.header.VideoTrack();
    if (video == nullptr) return FailedPreconditionError("the stream has no video track");
    decoder_.reset();
    ASSIGN_OR_RETURN(decoder_, media::VideoDecoder::Create(*video));
    header_version_ = stored.header.version;
  }
  ASSIGN_OR_RETURN(media::Fragment fragment, FragmentIterator::ToFragment(stored));
  Result<std::vector<media::DecodedFrame>> frames = decoder_->DecodeFragment(fragment, options);
  if (!frames.ok()) decoder_->Reset();  // the next fragment starts clean at its key frame
  return frames;
}

}  // namespace sluice::consumers

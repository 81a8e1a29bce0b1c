// SPDX-License-Identifier: Apache-2.0
// FrameExtractor: decoded pictures from stored video fragments, for detection consumers. Wraps
// media::VideoDecoder (media/frame_decoder.h), creating it from the fragment's track header and
// again whenever the header version changes (a producer restart or a new resolution).
// Lifecycle: one per fragment reader; feed fragments in log order.
// Thread-safety: one thread at a time.
// Example:
//   FrameExtractor frames;
//   for (const ingest::StoredFragment& f : batch) {
//     ASSIGN_OR_RETURN(auto pictures, frames.Decode(f, {.key_frames_only = true}));
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ingest/fragment_reader.h"
#include "media/frame_decoder.h"

namespace sluice::consumers {

class FrameExtractor {
 public:
  FrameExtractor();
  ~FrameExtractor();
  FrameExtractor(const FrameExtractor&) = delete;
  FrameExtractor& operator=(const FrameExtractor&) = delete;

  // The wanted frames of the fragment's video track in presentation order. FailedPrecondition
  // when the stream has no video track; the decoder's errors otherwise (see frame_decoder.h).
  Result<std::vector<media::DecodedFrame>> Decode(const ingest::StoredFragment& stored,
                                                  const media::DecodeOptions& options);

 private:
  uint64_t header_version_ = 0;  // the header decoder_ was made for
  std::unique_ptr<media::VideoDecoder> decoder_;
};

}  // namespace sluice::consumers

// SPDX-License-Identifier: Apache-2.0
// GetMediaParser: turns a Kinesis Video GetMedia response body (a sequence of MKV chunks, each an
// EBML header and a Segment with Info, Tracks, Tags, one Cluster and more Tags, as Sluice's
// mkv_writer.h and AWS write them) into SourceFragments, incrementally, as bytes arrive. Each
// fragment is handed out as soon as its Cluster is complete (not when the next chunk begins), so
// a live stream is not delayed by a fragment. The fragment number and the server and producer
// timestamps come from the AWS_KINESISVIDEO_* tags before the cluster; frames are parsed by
// media's MkvFragmenter over the segment's header elements plus that cluster, one fragmenter per
// cluster, so producer restarts (timecodes going back) between chunks do not matter.
// Thread-safety: one thread at a time. Example:
//   GetMediaParser parser;
//   std::vector<SourceFragment> ready;
//   RETURN_IF_ERROR(parser.Feed(bytes, &ready));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "consumers/face_detect/face_detect_ports.h"
#include "media/fragment.h"

namespace sluice::consumers::face_detect {

class GetMediaParser {
 public:
  // Appends the fragments completed by `bytes` to *out. DataLoss when the bytes are not MKV or a
  // cluster lacks its fragment number tag; Unavailable when the server sent an error chunk
  // (AWS_KINESISVIDEO_ERROR_CODE / _ERROR_ID, both in the message). After an error, start over
  // with a new parser (a new GetMedia request).
  Status Feed(std::string_view bytes, std::vector<SourceFragment>* out);
  // End of the response: completes a cluster of unknown size.
  Status Finish(std::vector<SourceFragment>* out);

  uint64_t bytes_fed() const { return bytes_fed_; }

 private:
  enum class Step { kDone, kNeedMore };
  Result<Step> ParseOne(std::vector<SourceFragment>* out);
  Status CompleteCluster(std::string_view cluster, std::vector<SourceFragment>* out);
  Status TakeTags(std::string_view body);

  std::string buffer_;  // bytes fed and not yet parsed, from pos_ on
  size_t pos_ = 0;
  uint64_t bytes_fed_ = 0;
  // The current segment's elements before its clusters (EBML header, Segment start, Info,
  // Tracks, ...): what a fragmenter needs in front of each cluster.
  std::string head_;
  bool in_segment_ = false;
  std::vector<media::FragmentTag> tags_;  // fragment tags since the last cluster
  // A Cluster of unknown size being collected (its header, then children as they come).
  bool in_open_cluster_ = false;
  std::string open_cluster_;
};

// "1597730826.769" (epoch seconds with up to 9 decimals) -> 1597730826769 ms. InvalidArgument
// for anything else.
Result<TimestampMs> ParseEpochSecondsText(std::string_view text);

}  // namespace sluice::consumers::face_detect

// SPDX-License-Identifier: Apache-2.0
// MKV writer: builds the self-contained MKV "chunk" that GetMedia and GetMediaForFragmentList
// return for one stored fragment: EBML header, Segment (unknown size), Info and Tracks from the
// TrackHeader, Tags with the AWS_KINESISVIDEO_* SimpleTags, the stored Cluster, trailing Tags.
// Chunks can be concatenated into one response body. Example:
//   std::string chunk = WriteGetMediaChunk(header, stored_cluster, fragment_tags,
//                                          {.fragment_number = "9134...", ...});
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"
#include "media/fragment.h"

namespace sluice::media {

// SimpleTag names KVS puts in its output (kinesis-wire.md B6, B7).
namespace kvs_tag {
constexpr std::string_view kFragmentNumber = "AWS_KINESISVIDEO_FRAGMENT_NUMBER";
constexpr std::string_view kServerTimestamp = "AWS_KINESISVIDEO_SERVER_TIMESTAMP";
constexpr std::string_view kProducerTimestamp = "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP";
constexpr std::string_view kMillisBehindNow = "AWS_KINESISVIDEO_MILLIS_BEHIND_NOW";
constexpr std::string_view kContinuationToken = "AWS_KINESISVIDEO_CONTINUATION_TOKEN";
constexpr std::string_view kErrorCode = "AWS_KINESISVIDEO_ERROR_CODE";
constexpr std::string_view kErrorId = "AWS_KINESISVIDEO_ERROR_ID";
// GetMediaForFragmentList.
constexpr std::string_view kServerSideTimestamp = "AWS_KINESISVIDEO_SERVER_SIDE_TIMESTAMP";
constexpr std::string_view kProducerSideTimestamp = "AWS_KINESISVIDEO_PRODUCER_SIDE_TIMESTAMP";
constexpr std::string_view kExceptionErrorCode = "AWS_KINESISVIDEO_EXCEPTION_ERROR_CODE";
constexpr std::string_view kExceptionMessage = "AWS_KINESISVIDEO_EXCEPTION_MESSAGE";
// Sent by producers.
constexpr std::string_view kEndOfFragment = "AWS_KINESISVIDEO_END_OF_FRAGMENT";
}  // namespace kvs_tag

// Epoch milliseconds as decimal seconds with three decimals: 1597730826769 -> "1597730826.769".
std::string FormatEpochSeconds(TimestampMs t);

// The building blocks, each appending one complete element to *out.
void AppendEbmlHeader(std::string* out, std::string_view doc_type);
void AppendSegmentStart(std::string* out);  // Segment id + unknown size; children follow
void AppendInfo(std::string* out, const TrackHeader& header);
void AppendTracks(std::string* out, const TrackHeader& header);
void AppendTags(std::string* out, const std::vector<FragmentTag>& tags);  // nothing if empty

// A whole chunk: header elements, `before` tags, the stored Cluster element bytes as they are,
// `after` tags.
std::string WriteChunk(const TrackHeader& header, const std::vector<FragmentTag>& before,
                       std::string_view cluster, const std::vector<FragmentTag>& after);

struct GetMediaChunkInfo {
  std::string fragment_number;
  TimestampMs server_timestamp;
  TimestampMs producer_timestamp;
  int64_t millis_behind_now = 0;
  std::string continuation_token;  // usually the fragment number
};
// GetMedia: fragment number and timestamps (then the producer's own tags) before the cluster,
// MILLIS_BEHIND_NOW and CONTINUATION_TOKEN after it.
std::string WriteGetMediaChunk(const TrackHeader& header, std::string_view cluster,
                               const std::vector<FragmentTag>& producer_tags,
                               const GetMediaChunkInfo& info);
// GetMediaForFragmentList: *_SERVER_SIDE_TIMESTAMP / *_PRODUCER_SIDE_TIMESTAMP names.
std::string WriteFragmentListChunk(const TrackHeader& header, std::string_view cluster,
                                   const std::vector<FragmentTag>& producer_tags,
                                   std::string_view fragment_number, TimestampMs server_timestamp,
                                   TimestampMs producer_timestamp);

// Error chunks (EBML header, Segment, Tags only). GetMedia: ERROR_CODE text + ERROR_ID (e.g. 4000
// fragment not found, 5000 internal). GetMediaForFragmentList: EXCEPTION_ERROR_CODE + MESSAGE.
std::string WriteGetMediaErrorChunk(int error_id, std::string_view error_code);
std::string WriteFragmentListErrorChunk(int error_code, std::string_view message);

}  // namespace sluice::media

// SPDX-License-Identifier: Apache-2.0
// The stored form of one video fragment in the engine: the entry's data is the MKV Cluster, its
// meta is VideoRecordMeta (the server timestamp plus media's FragmentMeta). Also builds the
// fragment index row for such an entry. Used by the PutMedia session (writer), the index repair
// scan and the fragment reader.
// Example:
//   record.meta = EncodeVideoRecordMeta({.server_timestamp = t, .fragment = FragmentMeta::Of(f)});
//   ASSIGN_OR_RETURN(VideoRecordMeta m, DecodeVideoRecordMeta(stored.meta));
#pragma once

#include <string>
#include <string_view>

#include "base/ids.h"
#include "base/result.h"
#include "engine/types.h"
#include "index/fragment_index.h"
#include "media/stored_format.h"

namespace sluice::ingest {

struct VideoRecordMeta {
  TimestampMs server_timestamp;  // arrival of the fragment's first byte
  media::FragmentMeta fragment;  // fragment.header_version is the stream-wide header version
  friend bool operator==(const VideoRecordMeta&, const VideoRecordMeta&) = default;
};

std::string EncodeVideoRecordMeta(const VideoRecordMeta& meta);
// DataLoss when the bytes are not a video fragment meta record.
Result<VideoRecordMeta> DecodeVideoRecordMeta(std::string_view bytes);

// The index row of a stored fragment entry.
index::FragmentRow FragmentRowOf(StreamId stream, ShardIndex shard, EntryCounter counter,
                                 std::string fragment_number, uint64_t cluster_bytes,
                                 const VideoRecordMeta& meta);

}  // namespace sluice::ingest

// SPDX-License-Identifier: Apache-2.0
// Video fragment entry meta (format.h; grammar in README.md, "Stored fragment entries").
#include "ingest/video_record.h"

#include "base/coding.h"
#include "ingest/format.h"

namespace sluice::ingest {

std::string EncodeVideoRecordMeta(const VideoRecordMeta& meta) {
  std::string out(format::kVideoMetaMagic);
  out.push_back(static_cast<char>(format::kVideoMetaVersion1));
  const int64_t t = meta.server_timestamp.value();
  PutVarint64(&out, (static_cast<uint64_t>(t) << 1) ^ static_cast<uint64_t>(t >> 63));
  PutLengthPrefixed(&out, media::EncodeFragmentMeta(meta.fragment));
  return out;
}

Result<VideoRecordMeta> DecodeVideoRecordMeta(std::string_view in) {
  const std::string_view magic = format::kVideoMetaMagic;
  if (in.size() < magic.size() + 1 || in.substr(0, magic.size()) != magic ||
      static_cast<uint8_t>(in[magic.size()]) != format::kVideoMetaVersion1) {
    return DataLossError("not a video fragment entry (bad meta magic or version)");
  }
  in.remove_prefix(magic.size() + 1);
  uint64_t zz = 0;
  std::string_view fragment;
  if (!GetVarint64(&in, &zz) || !GetLengthPrefixed(&in, &fragment)) {
    return DataLossError("video fragment meta is truncated");
  }
  VideoRecordMeta meta;
  meta.server_timestamp =
      TimestampMs(static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1));
  ASSIGN_OR_RETURN(meta.fragment, media::DecodeFragmentMeta(fragment));
  return meta;
}

index::FragmentRow FragmentRowOf(StreamId stream, ShardIndex shard, EntryCounter counter,
                                 std::string fragment_number, uint64_t cluster_bytes,
                                 const VideoRecordMeta& meta) {
  index::FragmentRow row;
  row.stream = stream;
  row.shard = shard;
  row.counter = counter;
  row.fragment_number = std::move(fragment_number);
  row.producer_time = meta.fragment.producer_timestamp;
  row.server_time = meta.server_timestamp;
  row.duration_ms = meta.fragment.duration_ms;
  row.size_bytes = cluster_bytes;
  row.header_version = meta.fragment.header_version;
  row.key_frame = meta.fragment.key_frame;
  return row;
}

}  // namespace sluice::ingest

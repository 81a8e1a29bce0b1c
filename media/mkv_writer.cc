// SPDX-License-Identifier: Apache-2.0
// MKV chunk writer: header elements from a TrackHeader, KVS tags, stored cluster bytes.
#include "media/mkv_writer.h"

#include <cstdio>

#include "media/ebml_codec.h"
#include "media/mkv_ids.h"

namespace sluice::media {
namespace {

constexpr std::string_view kAppName = "sluice";

void AppendTrackEntry(std::string* out, const TrackInfo& t) {
  std::string e;
  PutUInt(&e, mkv::kTrackNumber, t.number);
  PutUInt(&e, mkv::kTrackUid, t.uid != 0 ? t.uid : t.number);  // TrackUID must not be 0
  PutUInt(&e, mkv::kTrackType, static_cast<uint64_t>(t.type));
  PutUInt(&e, mkv::kFlagLacing, 0);
  if (t.default_duration_ns != kUnknownTime && t.default_duration_ns > 0) {
    PutUInt(&e, mkv::kDefaultDuration, static_cast<uint64_t>(t.default_duration_ns));
  }
  if (!t.name.empty()) PutBytes(&e, mkv::kName, t.name);
  if (!t.language.empty()) PutBytes(&e, mkv::kLanguage, t.language);
  PutBytes(&e, mkv::kCodecId, t.codec_id);
  if (!t.codec_private.empty()) PutBytes(&e, mkv::kCodecPrivate, t.codec_private);
  if (t.width != 0 || t.height != 0) {
    std::string v;
    PutUInt(&v, mkv::kPixelWidth, t.width);
    PutUInt(&v, mkv::kPixelHeight, t.height);
    PutMaster(&e, mkv::kVideo, v);
  }
  if (t.sampling_rate > 0 || t.channels != 0) {
    std::string a;
    if (t.sampling_rate > 0) PutFloat(&a, mkv::kSamplingFrequency, t.sampling_rate);
    if (t.channels != 0) PutUInt(&a, mkv::kChannels, t.channels);
    if (t.bit_depth != 0) PutUInt(&a, mkv::kBitDepth, t.bit_depth);
    PutMaster(&e, mkv::kAudio, a);
  }
  PutMaster(out, mkv::kTrackEntry, e);
}

std::string TagsOnlyChunk(const std::vector<FragmentTag>& tags) {
  std::string out;
  AppendEbmlHeader(&out, "matroska");
  AppendSegmentStart(&out);
  AppendTags(&out, tags);
  return out;
}

}  // namespace

std::string FormatEpochSeconds(TimestampMs t) {
  int64_t ms = t.value();
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {  // floor for times before 1970
    frac += 1000;
    secs -= 1;
  }
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%lld.%03lld", static_cast<long long>(secs),
                static_cast<long long>(frac));
  return buf;
}

void AppendEbmlHeader(std::string* out, std::string_view doc_type) {
  std::string h;
  PutUInt(&h, mkv::kEbmlVersion, 1);
  PutUInt(&h, mkv::kEbmlReadVersion, 1);
  PutUInt(&h, mkv::kEbmlMaxIdLength, 4);
  PutUInt(&h, mkv::kEbmlMaxSizeLength, 8);
  PutBytes(&h, mkv::kDocType, doc_type);
  PutUInt(&h, mkv::kDocTypeVersion, 4);
  PutUInt(&h, mkv::kDocTypeReadVersion, 2);
  PutMaster(out, mkv::kEbml, h);
}

void AppendSegmentStart(std::string* out) {
  PutId(out, mkv::kSegment);
  PutUnknownSize(out);
}

void AppendInfo(std::string* out, const TrackHeader& header) {
  std::string info;
  PutUInt(&info, mkv::kTimecodeScale, header.timecode_scale_ns);
  PutBytes(&info, mkv::kMuxingApp, kAppName);
  PutBytes(&info, mkv::kWritingApp, kAppName);
  PutMaster(out, mkv::kInfo, info);
}

void AppendTracks(std::string* out, const TrackHeader& header) {
  std::string tracks;
  for (const TrackInfo& t : header.tracks) AppendTrackEntry(&tracks, t);
  PutMaster(out, mkv::kTracks, tracks);
}

void AppendTags(std::string* out, const std::vector<FragmentTag>& tags) {
  if (tags.empty()) return;
  std::string tag;
  PutMaster(&tag, mkv::kTargets, "");
  for (const FragmentTag& t : tags) {
    std::string simple;
    PutBytes(&simple, mkv::kTagName, t.name);
    PutBytes(&simple, mkv::kTagString, t.value);
    PutMaster(&tag, mkv::kSimpleTag, simple);
  }
  std::string body;
  PutMaster(&body, mkv::kTag, tag);
  PutMaster(out, mkv::kTags, body);
}

std::string WriteChunk(const TrackHeader& header, const std::vector<FragmentTag>& before,
                       std::string_view cluster, const std::vector<FragmentTag>& after) {
  std::string out;
  out.reserve(cluster.size() + 1024);
  AppendEbmlHeader(&out, header.doc_type.empty() ? "matroska" : header.doc_type);
  AppendSegmentStart(&out);
  AppendInfo(&out, header);
  AppendTracks(&out, header);
  AppendTags(&out, before);
  out.append(cluster);
  AppendTags(&out, after);
  return out;
}

std::string WriteGetMediaChunk(const TrackHeader& header, std::string_view cluster,
                               const std::vector<FragmentTag>& producer_tags,
                               const GetMediaChunkInfo& info) {
  std::vector<FragmentTag> before = {
      {std::string(kvs_tag::kFragmentNumber), info.fragment_number},
      {std::string(kvs_tag::kServerTimestamp), FormatEpochSeconds(info.server_timestamp)},
      {std::string(kvs_tag::kProducerTimestamp), FormatEpochSeconds(info.producer_timestamp)},
  };
  before.insert(before.end(), producer_tags.begin(), producer_tags.end());
  std::vector<FragmentTag> after = {
      {std::string(kvs_tag::kMillisBehindNow), std::to_string(info.millis_behind_now)},
      {std::string(kvs_tag::kContinuationToken), info.continuation_token},
  };
  return WriteChunk(header, before, cluster, after);
}

std::string WriteFragmentListChunk(const TrackHeader& header, std::string_view cluster,
                                   const std::vector<FragmentTag>& producer_tags,
                                   std::string_view fragment_number, TimestampMs server_timestamp,
                                   TimestampMs producer_timestamp) {
  std::vector<FragmentTag> before = {
      {std::string(kvs_tag::kFragmentNumber), std::string(fragment_number)},
      {std::string(kvs_tag::kServerSideTimestamp), FormatEpochSeconds(server_timestamp)},
      {std::string(kvs_tag::kProducerSideTimestamp), FormatEpochSeconds(producer_timestamp)},
  };
  before.insert(before.end(), producer_tags.begin(), producer_tags.end());
  return WriteChunk(header, before, cluster, {});
}

std::string WriteGetMediaErrorChunk(int error_id, std::string_view error_code) {
  return TagsOnlyChunk({{std::string(kvs_tag::kErrorCode), std::string(error_code)},
                        {std::string(kvs_tag::kErrorId), std::to_string(error_id)}});
}

std::string WriteFragmentListErrorChunk(int error_code, std::string_view message) {
  return TagsOnlyChunk({{std::string(kvs_tag::kExceptionErrorCode), std::to_string(error_code)},
                        {std::string(kvs_tag::kExceptionMessage), std::string(message)}});
}

}  // namespace sluice::media

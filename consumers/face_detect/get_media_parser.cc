// SPDX-License-Identifier: Apache-2.0
// GetMediaParser (get_media_parser.h): an element-level walk over the response (ids and sizes
// only, descending into Segment and unknown-size Cluster), the tags read by hand, the frames by
// MkvFragmenter.
#include "consumers/face_detect/get_media_parser.h"

#include <charconv>

#include "media/ebml_codec.h"
#include "media/mkv_fragmenter.h"
#include "media/mkv_ids.h"
#include "media/mkv_writer.h"

namespace sluice::consumers::face_detect {
namespace {

namespace mkv = media::mkv;

constexpr uint64_t kUnknownSize = ~uint64_t{0};
// Larger elements than this outside a cluster are not a GetMedia response.
constexpr uint64_t kMaxHeadElement = 16 << 20;
constexpr uint64_t kMaxCluster = uint64_t{1} << 32;

struct ElementHeader {
  uint32_t id = 0;
  uint64_t size = 0;  // kUnknownSize for "unknown"
  size_t header_bytes = 0;
};

// Reads an element header at the front of `in`: kNeedMore when it is cut short, DataLoss when
// the bytes cannot be one.
Result<bool> ReadHeader(std::string_view in, ElementHeader* h) {
  if (in.empty()) return false;
  const auto first = static_cast<uint8_t>(in[0]);
  int id_len = 1;
  while (id_len <= 4 && (first & (0x80 >> (id_len - 1))) == 0) ++id_len;
  if (id_len > 4) return DataLossError("not MKV: bad element id");
  if (in.size() < static_cast<size_t>(id_len) + 1) return false;
  h->id = 0;
  for (int i = 0; i < id_len; ++i) h->id = (h->id << 8) | static_cast<uint8_t>(in[i]);
  std::string_view rest = in.substr(id_len);
  const auto s0 = static_cast<uint8_t>(rest[0]);
  if (s0 == 0) return DataLossError("not MKV: bad element size");
  int size_len = 1;
  while ((s0 & (0x80 >> (size_len - 1))) == 0) ++size_len;
  if (rest.size() < static_cast<size_t>(size_len)) return false;
  uint64_t value = 0;
  int length = 0;
  if (!media::GetVint(&rest, &value, &length)) return DataLossError("not MKV: bad element size");
  const uint64_t all_ones = (uint64_t{1} << (7 * length)) - 1;
  h->size = value == all_ones ? kUnknownSize : value;
  h->header_bytes = static_cast<size_t>(id_len + length);
  return true;
}

bool IsSegmentChild(uint32_t id) {
  switch (id) {
    case mkv::kSeekHead:
    case mkv::kInfo:
    case mkv::kTracks:
    case mkv::kCluster:
    case mkv::kCues:
    case mkv::kChapters:
    case mkv::kAttachments:
    case mkv::kTags:
    case mkv::kEbml:
    case mkv::kSegment:
      return true;
    default:
      return false;
  }
}

// Calls fn(id, body) for each child of an element body with known sizes.
template <typename Fn>
Status ForEachChild(std::string_view body, Fn&& fn) {
  while (!body.empty()) {
    ElementHeader h;
    ASSIGN_OR_RETURN(bool complete, ReadHeader(body, &h));
    if (!complete || h.size == kUnknownSize || h.size > body.size() - h.header_bytes) {
      return DataLossError("not MKV: a tag element is cut short");
    }
    RETURN_IF_ERROR(fn(h.id, body.substr(h.header_bytes, h.size)));
    body.remove_prefix(h.header_bytes + h.size);
  }
  return OkStatus();
}

// Collects the fragment (the only) cluster of one chunk.
struct OneFragment : media::FragmenterListener {
  media::TrackHeader header;
  std::vector<media::Fragment> fragments;
  std::string error;
  void OnHeaderChanged(const media::TrackHeader& h) override { header = h; }
  void OnFragmentStarted(const media::FragmentStart&) override {}
  void OnFragmentComplete(media::Fragment f) override { fragments.push_back(std::move(f)); }
  void OnError(const media::MkvError& e) override {
    if (error.empty()) error = std::string(media::MkvErrorCodeName(e.id)) + ": " + e.message;
  }
};

const std::string* FindTag(const std::vector<media::FragmentTag>& tags, std::string_view name) {
  const std::string* found = nullptr;
  for (const media::FragmentTag& t : tags) {
    if (t.name == name) found = &t.value;  // the last one wins
  }
  return found;
}

}  // namespace

Result<TimestampMs> ParseEpochSecondsText(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
  if (ec != std::errc() || end != whole.data() + whole.size() || whole.empty() || seconds < 0 ||
      frac.size() > 9 || frac.find_first_not_of("0123456789") != std::string_view::npos) {
    return InvalidArgumentError("not epoch seconds: '" + std::string(text) + "'");
  }
  int64_t ms = 0;
  for (size_t i = 0; i < 3; ++i) ms = ms * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  return TimestampMs(seconds * 1000 + ms);
}

Status GetMediaParser::TakeTags(std::string_view body) {
  std::vector<media::FragmentTag> found;
  RETURN_IF_ERROR(ForEachChild(body, [&](uint32_t id, std::string_view tag) -> Status {
    if (id != mkv::kTag) return OkStatus();
    return ForEachChild(tag, [&](uint32_t cid, std::string_view simple) -> Status {
      if (cid != mkv::kSimpleTag) return OkStatus();  // Targets: track tags are skipped too
      media::FragmentTag t;
      RETURN_IF_ERROR(ForEachChild(simple, [&](uint32_t sid, std::string_view v) -> Status {
        if (sid == mkv::kTagName) t.name = media::ParseString(v);
        if (sid == mkv::kTagString) t.value = media::ParseString(v);
        return OkStatus();
      }));
      found.push_back(std::move(t));
      return OkStatus();
    });
  }));
  const std::string* code = FindTag(found, media::kvs_tag::kErrorCode);
  const std::string* error_id = FindTag(found, media::kvs_tag::kErrorId);
  if (code != nullptr || error_id != nullptr) {
    return UnavailableError("GetMedia error " + (error_id ? *error_id : std::string("?")) + " " +
                            (code ? *code : std::string("")));
  }
  for (media::FragmentTag& t : found) tags_.push_back(std::move(t));
  return OkStatus();
}

Status GetMediaParser::CompleteCluster(std::string_view cluster, std::vector<SourceFragment>* out) {
  std::vector<media::FragmentTag> tags = std::move(tags_);
  tags_.clear();
  if (!in_segment_) return DataLossError("not a GetMedia response: a cluster before its header");
  const std::string* number = FindTag(tags, media::kvs_tag::kFragmentNumber);
  if (number == nullptr) return DataLossError("a GetMedia cluster without its fragment number");
  SourceFragment f;
  f.fragment_number = *number;
  for (const auto& [name, target] :
       {std::pair{media::kvs_tag::kServerTimestamp, &f.server_timestamp},
        std::pair{media::kvs_tag::kProducerTimestamp, &f.producer_timestamp}}) {
    const std::string* text = FindTag(tags, name);
    if (text == nullptr) return DataLossError("a GetMedia cluster without " + std::string(name));
    ASSIGN_OR_RETURN(*target, ParseEpochSecondsText(*text));
  }
  OneFragment listener;
  media::MkvFragmenter fragmenter(&listener, {.timecode_type = media::TimecodeType::kAbsolute,
                                              .max_fragment_bytes = kMaxCluster,
                                              .max_fragment_duration_ms = int64_t{24} * 3600 * 1000,
                                              .max_tracks = 64});
  fragmenter.Feed(head_);
  fragmenter.Feed(cluster);
  fragmenter.Finish();
  if (listener.fragments.size() != 1) {
    return DataLossError("fragment " + f.fragment_number + " does not parse: " +
                         (listener.error.empty() ? "no cluster" : listener.error));
  }
  f.header = std::move(listener.header);
  f.fragment = std::move(listener.fragments.front());
  f.fragment.tags = std::move(tags);
  out->push_back(std::move(f));
  return OkStatus();
}

Result<GetMediaParser::Step> GetMediaParser::ParseOne(std::vector<SourceFragment>* out) {
  const std::string_view at = std::string_view(buffer_).substr(pos_);
  ElementHeader h;
  ASSIGN_OR_RETURN(bool complete, ReadHeader(at, &h));
  if (!complete) return Step::kNeedMore;
  if (in_open_cluster_ && IsSegmentChild(h.id)) {  // the cluster of unknown size ended
    in_open_cluster_ = false;
    RETURN_IF_ERROR(CompleteCluster(open_cluster_, out));
    open_cluster_.clear();
  }
  if (h.size == kUnknownSize) {  // Segment or Cluster still being sent: walk its children
    if (h.id == mkv::kSegment) {
      in_segment_ = true;
      media::PutId(&head_, mkv::kSegment);
      media::PutUnknownSize(&head_);
    } else if (h.id == mkv::kCluster) {
      in_open_cluster_ = true;
      open_cluster_.assign(at.substr(0, h.header_bytes));
    } else if (in_open_cluster_) {
      open_cluster_.append(at.substr(0, h.header_bytes));
    } else {
      return DataLossError("not a GetMedia response: element of unknown size");
    }
    pos_ += h.header_bytes;
    return Step::kDone;
  }
  if (h.id == mkv::kSegment) {  // a known-size Segment: its children follow just the same
    in_segment_ = true;
    media::PutId(&head_, mkv::kSegment);
    media::PutUnknownSize(&head_);
    pos_ += h.header_bytes;
    return Step::kDone;
  }
  const uint64_t limit = h.id == mkv::kCluster || in_open_cluster_ ? kMaxCluster : kMaxHeadElement;
  if (h.size > limit) return DataLossError("not a GetMedia response: element too large");
  const size_t total = h.header_bytes + static_cast<size_t>(h.size);
  if (at.size() < total) return Step::kNeedMore;
  const std::string_view element = at.substr(0, total);
  if (in_open_cluster_) {
    open_cluster_.append(element);
  } else if (h.id == mkv::kEbml) {  // a new chunk
    head_.assign(element);
    in_segment_ = false;
    tags_.clear();
  } else if (h.id == mkv::kCluster) {
    RETURN_IF_ERROR(CompleteCluster(element, out));
  } else if (h.id == mkv::kTags) {
    RETURN_IF_ERROR(TakeTags(element.substr(h.header_bytes)));
  } else if (in_segment_) {
    head_.append(element);  // Info, Tracks, and whatever else precedes the clusters
  }
  pos_ += total;
  return Step::kDone;
}

Status GetMediaParser::Feed(std::string_view bytes, std::vector<SourceFragment>* out) {
  bytes_fed_ += bytes.size();
  buffer_.append(bytes);
  for (;;) {
    ASSIGN_OR_RETURN(Step step, ParseOne(out));
    if (step == Step::kNeedMore) break;
  }
  buffer_.erase(0, pos_);  // once per feed: elements are walked by offset
  pos_ = 0;
  return OkStatus();
}

Status GetMediaParser::Finish(std::vector<SourceFragment>* out) {
  if (in_open_cluster_) {
    in_open_cluster_ = false;
    RETURN_IF_ERROR(CompleteCluster(open_cluster_, out));
    open_cluster_.clear();
  }
  return OkStatus();
}

}  // namespace sluice::consumers::face_detect

// SPDX-License-Identifier: Apache-2.0
// MkvFragmenter, header side: dispatch of reader events, the EBML header, Segment, Info, Tracks
// and Tags, stream errors and resynchronisation. The cluster side is in mkv_cluster.cc.
#include "media/mkv_fragmenter.h"

#include <set>

#include "media/ebml_codec.h"
#include "media/mkv_ids.h"

namespace sluice::media {

std::string_view MkvErrorCodeName(MkvErrorId id) {
  switch (id) {
    case MkvErrorId::kMaxFragmentSizeReached:
      return "MAX_FRAGMENT_SIZE_REACHED";
    case MkvErrorId::kMaxFragmentDurationReached:
      return "MAX_FRAGMENT_DURATION_REACHED";
    case MkvErrorId::kFragmentTimecodeLesserThanPrevious:
      return "FRAGMENT_TIMECODE_LESSER_THAN_PREVIOUS";
    case MkvErrorId::kInvalidMkvData:
      return "INVALID_MKV_DATA";
    case MkvErrorId::kFragmentMetadataLimitReached:
      return "FRAGMENT_METADATA_LIMIT_REACHED";
    case MkvErrorId::kTrackNumberMismatch:
      return "TRACK_NUMBER_MISMATCH";
    case MkvErrorId::kMoreThanAllowedTracksFound:
      return "MORE_THAN_ALLOWED_TRACKS_FOUND";
  }
  return "INVALID_MKV_DATA";
}

namespace {

constexpr std::string_view kEndOfFragmentTag = "AWS_KINESISVIDEO_END_OF_FRAGMENT";
// Largest TimecodeScale accepted (1000 s per tick); keeps timestamp arithmetic far from overflow.
constexpr uint64_t kMaxTimecodeScale = 1'000'000'000'000;

std::string Hex(uint32_t id) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s = "0x";
  bool started = false;
  for (int shift = 28; shift >= 0; shift -= 4) {
    int d = static_cast<int>((id >> shift) & 0xF);
    if (d != 0 || started || shift == 0) {
      s.push_back(kDigits[d]);
      started = true;
    }
  }
  return s;
}

bool NeedsCodecPrivate(const std::string& codec_id) {
  return codec_id == "V_MPEG4/ISO/AVC" || codec_id == "V_MPEGH/ISO/HEVC";
}

}  // namespace

MkvFragmenter::MkvFragmenter(FragmenterListener* listener, FragmenterOptions options)
    : listener_(listener),
      options_(options),
      reader_(this, EbmlReaderOptions{.max_value_bytes = options.max_value_bytes}) {}

// --- input ---------------------------------------------------------------------------------------

void MkvFragmenter::Feed(std::string_view bytes) {
  bytes_fed_ += bytes.size();
  while (!bytes.empty() && mode_ != Mode::kFinished) {
    if (mode_ == Mode::kResync) {
      FeedResync(&bytes);
      continue;
    }
    size_t used = 0;
    Status s = reader_.Feed(bytes, &used);
    if (s.ok()) return;
    EnterResync(s);
    bytes.remove_prefix(used);
  }
}

void MkvFragmenter::Finish() {
  if (mode_ == Mode::kParsing) {
    Status s = reader_.Finish();
    if (!s.ok()) EnterResync(s);
  }
  mode_ = Mode::kFinished;
}

// Looks for the EBML magic; when found, restarts the reader at it.
void MkvFragmenter::FeedResync(std::string_view* bytes) {
  static constexpr uint8_t kMagic[4] = {0x1A, 0x45, 0xDF, 0xA3};
  for (size_t i = 0; i < bytes->size(); ++i) {
    auto b = static_cast<uint8_t>((*bytes)[i]);
    if (b != kMagic[magic_matched_]) {
      magic_matched_ = b == kMagic[0] ? 1 : 0;
      continue;
    }
    if (++magic_matched_ < 4) continue;
    magic_matched_ = 0;
    uint64_t magic_offset = bytes_fed_ - bytes->size() + i + 1 - 4;
    bytes->remove_prefix(i + 1);
    reader_.Reset(magic_offset);
    mode_ = Mode::kParsing;
    Status s = reader_.Feed(std::string_view(reinterpret_cast<const char*>(kMagic), 4));
    if (!s.ok()) EnterResync(s);
    return;
  }
  bytes->remove_prefix(bytes->size());
}

Status MkvFragmenter::StreamError(std::string message, MkvErrorId id) {
  pending_error_ = MkvError{id, message, std::nullopt};
  if (in_cluster_ && have_timecode_) pending_error_->fragment_timecode = frag_.cluster_timecode;
  return InvalidArgumentError(std::move(message));
}

void MkvFragmenter::EnterResync(const Status& status) {
  MkvError e = pending_error_.value_or(MkvError{MkvErrorId::kInvalidMkvData, status.message(), {}});
  if (!e.fragment_timecode && in_cluster_ && have_timecode_) {
    e.fragment_timecode = frag_.cluster_timecode;
  }
  pending_error_.reset();
  ResetCluster();
  pending_tags_.clear();
  ebml_seen_ = false;
  building_ready_ = false;
  segment_has_tracks_ = false;
  discontinuity_ = true;
  mode_ = Mode::kResync;
  magic_matched_ = 0;
  listener_->OnError(e);
}

// --- reader events -------------------------------------------------------------------------------

Result<BodyAction> MkvFragmenter::OnStart(const ElementHeader& h) {
  if (h.depth == 0) return StartTopLevel(h);
  if (in_cluster_ && h.depth >= 2) return StartClusterChild(h);
  switch (h.parent_id) {
    case mkv::kEbml:
      return h.id == mkv::kDocType || h.id == mkv::kEbmlReadVersion ||
                     h.id == mkv::kEbmlMaxIdLength || h.id == mkv::kEbmlMaxSizeLength
                 ? BodyAction::kBuffer
                 : BodyAction::kSkip;
    case mkv::kSegment:
      return StartSegmentChild(h);
    case mkv::kInfo:
      return h.id == mkv::kTimecodeScale ? BodyAction::kBuffer : BodyAction::kSkip;
    case mkv::kTracks:
      if (h.id != mkv::kTrackEntry) return BodyAction::kSkip;
      track_ = TrackInfo();
      return BodyAction::kMaster;
    case mkv::kTrackEntry:
      if (h.id == mkv::kVideo || h.id == mkv::kAudio) return BodyAction::kMaster;
      if (h.id == mkv::kContentEncodings) {
        return StreamError("track content encoding (compression or encryption) is not supported");
      }
      return BodyAction::kBuffer;
    case mkv::kVideo:
    case mkv::kAudio:
    case mkv::kTargets:
      return BodyAction::kBuffer;
    case mkv::kTags:
      if (h.id != mkv::kTag) return BodyAction::kSkip;
      tag_.clear();
      tag_targeted_ = false;
      tag_dropped_ = 0;
      return BodyAction::kMaster;
    case mkv::kTag:
      if (h.id == mkv::kSimpleTag) {
        simple_tag_ = FragmentTag();
        simple_tag_oversize_ = false;
      }
      return h.id == mkv::kTargets || h.id == mkv::kSimpleTag ? BodyAction::kMaster
                                                              : BodyAction::kSkip;
    case mkv::kSimpleTag:
      if (h.id != mkv::kTagName && h.id != mkv::kTagString) return BodyAction::kSkip;
      // Too long to keep: do not even buffer it (the SimpleTag is dropped when it ends).
      if (h.size >
          (h.id == mkv::kTagName ? options_.max_tag_name_bytes : options_.max_tag_value_bytes)) {
        simple_tag_oversize_ = true;
        return BodyAction::kSkip;
      }
      return BodyAction::kBuffer;
    default:
      return BodyAction::kSkip;
  }
}

Result<BodyAction> MkvFragmenter::StartTopLevel(const ElementHeader& h) {
  switch (h.id) {
    case mkv::kEbml:
      ebml_seen_ = false;
      doc_type_ = "matroska";  // the default when DocType is absent
      return BodyAction::kMaster;
    case mkv::kSegment:
      if (!ebml_seen_) return StreamError("Segment without an EBML header");
      ebml_seen_ = false;
      building_ = TrackHeader();
      building_.doc_type = doc_type_;
      building_ready_ = false;
      segment_has_tracks_ = false;
      discontinuity_ = true;
      return BodyAction::kMaster;
    case mkv::kVoid:
    case mkv::kCrc32:
      return BodyAction::kSkip;
    default:
      return StreamError("unexpected top-level element " + Hex(h.id));
  }
}

Result<BodyAction> MkvFragmenter::StartSegmentChild(const ElementHeader& h) {
  switch (h.id) {
    case mkv::kInfo:
    case mkv::kTags:
      return BodyAction::kMaster;
    case mkv::kTracks:
      building_.tracks.clear();
      return BodyAction::kMaster;
    case mkv::kCluster:
      return StartCluster(h);
    default:
      return BodyAction::kSkip;  // SeekHead, Cues, Chapters, Attachments, Void, unknown
  }
}

Status MkvFragmenter::OnValue(const ElementHeader& h, std::string_view body) {
  if (in_cluster_ && h.depth >= 2) return ClusterValue(h, body);
  switch (h.parent_id) {
    case mkv::kTrackEntry:
    case mkv::kVideo:
    case mkv::kAudio:
      return TrackValue(h, body);
    case mkv::kSimpleTag:
      (h.id == mkv::kTagName ? simple_tag_.name : simple_tag_.value) = ParseString(body);
      return OkStatus();
    case mkv::kTargets: {
      uint64_t uid = 0;
      // TargetTypeValue and TargetType do not narrow a Tag; any *UID does.
      if (h.id == mkv::kTagTrackUid || h.id == mkv::kTagEditionUid || h.id == mkv::kTagChapterUid ||
          h.id == mkv::kTagAttachmentUid) {
        if (ParseUInt(body, &uid) && uid != 0) tag_targeted_ = true;
      }
      return OkStatus();
    }
    default:
      return HeaderValue(h, body);
  }
}

// EBML header and Info values.
Status MkvFragmenter::HeaderValue(const ElementHeader& h, std::string_view body) {
  if (h.id == mkv::kDocType) {
    doc_type_ = ParseString(body);
    if (doc_type_ != "matroska" && doc_type_ != "webm") {
      return StreamError("DocType '" + doc_type_ + "' is not matroska or webm");
    }
    return OkStatus();
  }
  uint64_t v = 0;
  if (!ParseUInt(body, &v)) return StreamError("bad integer in element " + Hex(h.id));
  switch (h.id) {
    case mkv::kEbmlReadVersion:
      if (v > 1) return StreamError("EBMLReadVersion " + std::to_string(v) + " not supported");
      return OkStatus();
    case mkv::kEbmlMaxIdLength:
      if (v > 4) return StreamError("EBMLMaxIDLength above 4");
      return OkStatus();
    case mkv::kEbmlMaxSizeLength:
      if (v > 8) return StreamError("EBMLMaxSizeLength above 8");
      return OkStatus();
    case mkv::kTimecodeScale:
      if (v == 0 || v > kMaxTimecodeScale) return StreamError("TimecodeScale out of range");
      building_.timecode_scale_ns = v;
      return OkStatus();
    default:
      return OkStatus();
  }
}

Status MkvFragmenter::TrackValue(const ElementHeader& h, std::string_view body) {
  uint64_t v = 0;
  switch (h.id) {
    case mkv::kCodecId:
      track_.codec_id = ParseString(body);
      return OkStatus();
    case mkv::kCodecPrivate:
      track_.codec_private = std::string(body);
      return OkStatus();
    case mkv::kName:
      track_.name = ParseString(body);
      return OkStatus();
    case mkv::kLanguage:
      track_.language = ParseString(body);
      return OkStatus();
    case mkv::kSamplingFrequency:
      if (!ParseFloat(body, &track_.sampling_rate)) return StreamError("bad SamplingFrequency");
      return OkStatus();
    case mkv::kTrackNumber:
    case mkv::kTrackUid:
    case mkv::kTrackType:
    case mkv::kDefaultDuration:
    case mkv::kPixelWidth:
    case mkv::kPixelHeight:
    case mkv::kChannels:
    case mkv::kBitDepth:
      if (!ParseUInt(body, &v)) return StreamError("bad integer in track element " + Hex(h.id));
      break;
    default:
      return OkStatus();  // FlagLacing, CodecDelay, display sizes, ...: not needed
  }
  auto u32 = [](uint64_t x) { return static_cast<uint32_t>(std::min<uint64_t>(x, UINT32_MAX)); };
  switch (h.id) {
    case mkv::kTrackNumber:
      track_.number = v;
      break;
    case mkv::kTrackUid:
      track_.uid = v;
      break;
    case mkv::kTrackType:
      track_.type = v <= 0xFF ? static_cast<TrackType>(v) : TrackType::kUnknown;
      break;
    case mkv::kDefaultDuration:
      track_.default_duration_ns = v <= INT64_MAX ? static_cast<int64_t>(v) : kUnknownTime;
      break;
    case mkv::kPixelWidth:
      track_.width = u32(v);
      break;
    case mkv::kPixelHeight:
      track_.height = u32(v);
      break;
    case mkv::kChannels:
      track_.channels = u32(v);
      break;
    case mkv::kBitDepth:
      track_.bit_depth = u32(v);
      break;
    default:
      break;
  }
  return OkStatus();
}

Status MkvFragmenter::OnData(const ElementHeader& h, std::string_view piece) {
  if (in_cluster_ && !discard_) frag_.cluster.append(piece);
  return OkStatus();
}

Status MkvFragmenter::OnEnd(const ElementHeader& h) {
  if (in_cluster_ && h.depth >= 2) {
    // Only where StartClusterChild treated them as blocks; strays elsewhere were kept verbatim.
    const bool top = h.parent_id == mkv::kCluster;
    if ((top && h.id == mkv::kSimpleBlock) ||
        (h.parent_id == mkv::kBlockGroup && h.id == mkv::kBlock)) {
      return EndBlock(h);
    }
    if (top && h.id == mkv::kBlockGroup) EndBlockGroup();
    return OkStatus();
  }
  return EndHeaderElement(h);
}

Status MkvFragmenter::EndHeaderElement(const ElementHeader& h) {
  switch (h.id) {
    case mkv::kEbml:
      ebml_seen_ = true;
      return OkStatus();
    case mkv::kCluster:
      EndCluster();
      return OkStatus();
    case mkv::kInfo:
      // Info after Tracks (or a second Info) is announced with the next cluster.
      if (segment_has_tracks_) building_ready_ = true;
      return OkStatus();
    case mkv::kTrackEntry:
      if (track_.number == 0) return StreamError("TrackEntry without a TrackNumber");
      if (track_.codec_id.empty()) return StreamError("TrackEntry without a CodecID");
      building_.tracks.push_back(std::move(track_));
      if (building_.tracks.size() > options_.max_tracks) {
        return StreamError("more than " + std::to_string(options_.max_tracks) + " tracks",
                           MkvErrorId::kMoreThanAllowedTracksFound);
      }
      return OkStatus();
    case mkv::kTracks:
      return EndTracks();
    case mkv::kSimpleTag:
      if (h.parent_id == mkv::kTag) KeepSimpleTag();
      return OkStatus();
    case mkv::kTag:
      EndTag();
      return OkStatus();
    default:
      return OkStatus();
  }
}

Status MkvFragmenter::EndTracks() {
  if (building_.tracks.empty()) return StreamError("Tracks without a TrackEntry");
  std::set<uint64_t> numbers;
  for (const TrackInfo& t : building_.tracks) {
    if (!numbers.insert(t.number).second) {
      return StreamError("duplicate track number " + std::to_string(t.number));
    }
    if (NeedsCodecPrivate(t.codec_id) && t.codec_private.empty()) {
      return StreamError("missing codec private data for " + t.codec_id + " track " +
                         std::to_string(t.number));
    }
  }
  building_ready_ = true;
  segment_has_tracks_ = true;
  return OkStatus();
}

// SimpleTags over the limits are dropped as they end, so a Tag holds at most max_fragment_tags
// short strings however large the element is.
void MkvFragmenter::KeepSimpleTag() {
  const FragmentTag& t = simple_tag_;
  if (t.name == kEndOfFragmentTag) return;  // a marker (the Tags element closed the cluster)
  if (simple_tag_oversize_ || t.name.size() > options_.max_tag_name_bytes ||
      t.value.size() > options_.max_tag_value_bytes || tag_.size() >= options_.max_fragment_tags) {
    ++tag_dropped_;
    return;
  }
  tag_.push_back(std::move(simple_tag_));
}

// A Tag that targets nothing in particular is fragment metadata for the next cluster.
void MkvFragmenter::EndTag() {
  if (tag_targeted_) return;
  for (FragmentTag& t : tag_) {
    if (pending_tags_.size() >= options_.max_fragment_tags) {
      ++tag_dropped_;
      continue;
    }
    pending_tags_.push_back(std::move(t));
  }
  tag_.clear();
  if (tag_dropped_ > 0) {
    listener_->OnError({MkvErrorId::kFragmentMetadataLimitReached,
                        std::to_string(tag_dropped_) + " fragment metadata tags over the limits (" +
                            std::to_string(options_.max_fragment_tags) + " tags, names " +
                            std::to_string(options_.max_tag_name_bytes) + " and values " +
                            std::to_string(options_.max_tag_value_bytes) + " bytes)",
                        std::nullopt});
  }
}

}  // namespace sluice::media

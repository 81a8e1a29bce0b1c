// SPDX-License-Identifier: Apache-2.0
// MkvFragmenter, cluster side: collects one Cluster into Fragment::cluster (children verbatim
// behind a rewritten 8-byte-size Cluster header), turns blocks into Frames, applies the fragment
// limits and completes the fragment. The header side is in mkv_fragmenter.cc.
#include <algorithm>

#include "media/ebml_codec.h"
#include "media/mkv_block.h"
#include "media/mkv_fragmenter.h"
#include "media/mkv_ids.h"

namespace sluice::media {
namespace {

// Cluster id (4 bytes) + 8-byte size, patched when the cluster completes.
constexpr size_t kClusterHeaderBytes = 12;
constexpr uint64_t kMaxClusterBytes = UINT32_MAX;  // Frame offsets are 32-bit
constexpr int64_t kNsPerMs = 1'000'000;
// Most memory reserved before the bytes arrive: a peer that announces a large cluster and sends
// nothing holds at most this much. Larger clusters grow the buffer as their bytes come in.
constexpr uint64_t kMaxReserveBytes = 8 << 20;

// Time of the index-th frame of a laced block: block time + index * DefaultDuration, or unknown
// without a DefaultDuration (or if that overflows).
int64_t LacedPts(int64_t pts, size_t index, int64_t default_duration) {
  int64_t offset = 0;
  int64_t out = 0;
  if (default_duration == kUnknownTime ||
      __builtin_mul_overflow(static_cast<int64_t>(index), default_duration, &offset) ||
      __builtin_add_overflow(pts, offset, &out)) {
    return kUnknownTime;
  }
  return out;
}

}  // namespace

void MkvFragmenter::ResetCluster() {
  frag_ = Fragment();
  in_cluster_ = false;
  discard_ = false;
  have_timecode_ = false;
  started_ = false;
  video_seen_ = false;
  block_body_ = 0;
  group_first_frame_ = 0;
  group_has_reference_ = false;
  group_duration_.reset();
}

void MkvFragmenter::FragmentError(MkvErrorId id, std::string message) {
  MkvError e{id, std::move(message), std::nullopt};
  if (have_timecode_) e.fragment_timecode = frag_.cluster_timecode;
  discard_ = true;
  discontinuity_ = true;
  frag_.cluster = std::string();  // give the memory back now; the rest of the cluster is skipped
  frag_.frames.clear();
  listener_->OnError(e);
}

Result<BodyAction> MkvFragmenter::StartCluster(const ElementHeader& h) {
  if (!segment_has_tracks_) return StreamError("Cluster before Tracks");
  if (building_ready_) {
    building_.version = next_version_++;
    header_ = building_;
    building_ready_ = false;
    discontinuity_ = true;
    listener_->OnHeaderChanged(header_);
  }
  ResetCluster();
  const uint64_t max = std::min(options_.max_fragment_bytes, kMaxClusterBytes);
  if (!h.unknown_size() && h.size + kClusterHeaderBytes > max) {
    listener_->OnError({MkvErrorId::kMaxFragmentSizeReached,
                        "cluster of " + std::to_string(h.size) + " bytes", std::nullopt});
    discontinuity_ = true;
    return BodyAction::kSkip;
  }
  in_cluster_ = true;
  // Size the buffer once: exactly for a known size, else a little over the previous cluster.
  uint64_t hint = h.unknown_size() ? last_cluster_bytes_ + last_cluster_bytes_ / 4 + 4096
                                   : kClusterHeaderBytes + h.size;
  frag_.cluster.reserve(std::min({hint, max, kMaxReserveBytes}));
  PutId(&frag_.cluster, mkv::kCluster);
  PutSize(&frag_.cluster, 0, 8);
  frag_.header_version = header_.version;
  return BodyAction::kMaster;
}

Result<BodyAction> MkvFragmenter::StartClusterChild(const ElementHeader& h) {
  if (discard_) return BodyAction::kSkip;
  if (h.unknown_size()) return StreamError("Cluster nested in a Cluster");
  const bool top = h.parent_id == mkv::kCluster;
  if (top && (h.id == mkv::kSimpleBlock || h.id == mkv::kBlockGroup) && !BeginFragment()) {
    return BodyAction::kSkip;
  }
  const uint64_t max = std::min(options_.max_fragment_bytes, kMaxClusterBytes);
  if (h.size > max || frag_.cluster.size() + h.header_size + h.size > max) {
    FragmentError(MkvErrorId::kMaxFragmentSizeReached,
                  "fragment over " + std::to_string(max) + " bytes");
    return BodyAction::kSkip;
  }
  frag_.cluster.append(h.raw_header());
  if ((top && h.id == mkv::kSimpleBlock) || (!top && h.id == mkv::kBlock)) {
    block_body_ = frag_.cluster.size();
    return BodyAction::kStream;
  }
  if (top && h.id == mkv::kBlockGroup) {
    group_first_frame_ = frag_.frames.size();
    group_has_reference_ = false;
    group_duration_.reset();
    return BodyAction::kMaster;
  }
  if ((top && h.id == mkv::kTimecode) ||
      (!top && (h.id == mkv::kBlockDuration || h.id == mkv::kReferenceBlock))) {
    return BodyAction::kBuffer;
  }
  return BodyAction::kStream;  // Position, PrevSize, Void, CRC-32, ...: kept verbatim
}

// Sends BUFFERING (OnFragmentStarted) at the cluster's first block.
bool MkvFragmenter::BeginFragment() {
  if (started_) return true;
  if (!have_timecode_) {
    FragmentError(MkvErrorId::kInvalidMkvData, "block before the cluster's Timecode");
    return false;
  }
  started_ = true;
  listener_->OnFragmentStarted(
      {frag_.cluster_timecode, frag_.producer_timestamp, frag_.header_version});
  return true;
}

Status MkvFragmenter::ClusterValue(const ElementHeader& h, std::string_view body) {
  if (discard_) return OkStatus();
  frag_.cluster.append(body);
  uint64_t v = 0;
  if (!ParseUInt(body, &v)) {
    FragmentError(MkvErrorId::kInvalidMkvData, "bad integer in cluster element");
    return OkStatus();
  }
  if (h.id == mkv::kBlockDuration) {
    group_duration_ = v;
    return OkStatus();
  }
  if (h.id == mkv::kReferenceBlock) {
    group_has_reference_ = true;
    return OkStatus();
  }
  // Timecode.
  if (have_timecode_) {
    FragmentError(MkvErrorId::kInvalidMkvData, "second Timecode in a cluster");
    return OkStatus();
  }
  int64_t start_ns = 0;
  int64_t abs_ns = 0;
  int64_t base_ms =
      options_.timecode_type == TimecodeType::kRelative ? options_.producer_start.value() : 0;
  if (v > static_cast<uint64_t>(INT64_MAX) ||
      __builtin_mul_overflow(static_cast<int64_t>(v),
                             static_cast<int64_t>(header_.timecode_scale_ns), &start_ns) ||
      __builtin_mul_overflow(base_ms, kNsPerMs, &abs_ns) ||
      __builtin_add_overflow(abs_ns, start_ns, &abs_ns)) {
    FragmentError(MkvErrorId::kInvalidMkvData, "cluster timecode out of range");
    return OkStatus();
  }
  have_timecode_ = true;
  frag_.cluster_timecode = v;
  frag_.start_ns = start_ns;
  frag_.producer_timestamp = TimestampMs(abs_ns / kNsPerMs);
  abs_start_ns_ = abs_ns;
  if (last_abs_start_ns_ && abs_ns <= *last_abs_start_ns_) {
    FragmentError(MkvErrorId::kFragmentTimecodeLesserThanPrevious,
                  "cluster timecode " + std::to_string(v) + " is not after the previous one");
  }
  return OkStatus();
}

Status MkvFragmenter::EndBlock(const ElementHeader& h) {
  if (discard_) return OkStatus();
  std::string_view body = std::string_view(frag_.cluster).substr(block_body_);
  ParsedBlock b;
  std::string why;
  if (!ParseBlock(body, &b, &why)) {
    FragmentError(MkvErrorId::kInvalidMkvData, why);
    return OkStatus();
  }
  const TrackInfo* track = header_.FindTrack(b.track);
  if (track == nullptr) {
    FragmentError(MkvErrorId::kTrackNumberMismatch,
                  "block for track " + std::to_string(b.track) + ", which Tracks does not declare");
    return OkStatus();
  }
  // |timecode| <= 2^15 and the scale <= 1e12, so the product fits; the sum may not.
  int64_t pts = 0;
  if (__builtin_add_overflow(frag_.start_ns,
                             int64_t{b.timecode} * static_cast<int64_t>(header_.timecode_scale_ns),
                             &pts)) {
    FragmentError(MkvErrorId::kInvalidMkvData, "block timecode out of range");
    return OkStatus();
  }
  const bool simple = h.id == mkv::kSimpleBlock;
  uint32_t flags = 0;
  if (simple && (b.flags & kBlockFlagKey) != 0) flags |= kFrameKey;
  if ((b.flags & kBlockFlagInvisible) != 0) flags |= kFrameInvisible;
  if (simple && (b.flags & kBlockFlagDiscardable) != 0) flags |= kFrameDiscardable;
  const int64_t dd = track->default_duration_ns;
  const size_t first = frag_.frames.size();
  for (size_t i = 0; i < b.frames.size(); ++i) {
    Frame f;
    f.track_number = b.track;
    // Laced frames after the first have a time only when the track has a default duration.
    f.pts_ns = i == 0 ? pts : LacedPts(pts, i, dd);
    f.duration_ns = dd;
    f.flags = flags;
    f.offset = static_cast<uint32_t>(block_body_ + b.frames[i].offset);
    f.size = b.frames[i].size;
    frag_.frames.push_back(f);
  }
  if (simple) CheckNewFrames(first);
  return OkStatus();
}

// A Block's frames are key frames unless the group has a ReferenceBlock.
void MkvFragmenter::EndBlockGroup() {
  if (discard_) return;
  for (size_t i = group_first_frame_; i < frag_.frames.size(); ++i) {
    Frame& f = frag_.frames[i];
    if (!group_has_reference_) f.flags |= kFrameKey;
    if (group_duration_ && frag_.frames.size() - group_first_frame_ == 1 &&
        *group_duration_ <= static_cast<uint64_t>(INT64_MAX / header_.timecode_scale_ns)) {
      f.duration_ns = static_cast<int64_t>(*group_duration_ * header_.timecode_scale_ns);
    }
  }
  CheckNewFrames(group_first_frame_);
}

// Duration limit, the key-frame flag of the fragment, and the discontinuity mark.
void MkvFragmenter::CheckNewFrames(size_t first) {
  int64_t max_ns = INT64_MAX;
  if (__builtin_mul_overflow(options_.max_fragment_duration_ms, kNsPerMs, &max_ns)) {
    max_ns = INT64_MAX;
  }
  for (size_t i = first; i < frag_.frames.size(); ++i) {
    Frame& f = frag_.frames[i];
    if (f.pts_ns != kUnknownTime && f.pts_ns - frag_.start_ns > max_ns) {
      FragmentError(MkvErrorId::kMaxFragmentDurationReached,
                    "frame at " + std::to_string((f.pts_ns - frag_.start_ns) / kNsPerMs) +
                        " ms into the fragment; the limit is " +
                        std::to_string(options_.max_fragment_duration_ms) + " ms");
      return;
    }
    const TrackInfo* t = header_.FindTrack(f.track_number);
    if (t != nullptr && t->type == TrackType::kVideo && !video_seen_) {
      video_seen_ = true;
      frag_.key_frame = f.key();
    }
    if (i == 0 && discontinuity_) f.flags |= kFrameDiscontinuity;
  }
}

// 128-bit arithmetic: frame times and durations come from the producer and may be extreme.
int64_t MkvFragmenter::FragmentDurationNs() const {
  using I128 = __int128;
  // With a video track, its frames alone say how long the fragment is (audio runs a little ahead).
  bool video_only = false;
  for (const Frame& f : frag_.frames) {
    const TrackInfo* t = header_.FindTrack(f.track_number);
    if (t != nullptr && t->type == TrackType::kVideo) video_only = true;
  }
  I128 end = frag_.start_ns;
  I128 min_pts = INT64_MAX;
  I128 max_pts = INT64_MIN;
  int64_t timed = 0;
  for (const Frame& f : frag_.frames) {
    if (f.pts_ns == kUnknownTime) continue;
    const TrackInfo* t = header_.FindTrack(f.track_number);
    if (video_only && (t == nullptr || t->type != TrackType::kVideo)) continue;
    end = std::max(end, I128{f.pts_ns} + (f.duration_ns == kUnknownTime ? 0 : f.duration_ns));
    min_pts = std::min(min_pts, I128{f.pts_ns});
    max_pts = std::max(max_pts, I128{f.pts_ns});
    ++timed;
  }
  // Without durations, the last frame is assumed to last as long as the average frame gap.
  if (timed > 1 && end <= max_pts) end = max_pts + (max_pts - min_pts) / (timed - 1);
  return static_cast<int64_t>(std::clamp<I128>(end - frag_.start_ns, 0, INT64_MAX / 2));
}

void MkvFragmenter::EndCluster() {
  in_cluster_ = false;
  if (discard_ || !started_) {
    ResetCluster();
    return;
  }
  if (frag_.frames.empty()) {
    FragmentError(MkvErrorId::kInvalidMkvData, "cluster without frames");
    ResetCluster();
    return;
  }
  // Patch the 8-byte size of the Cluster header now that the body is complete.
  std::string size;
  PutSize(&size, frag_.cluster.size() - kClusterHeaderBytes, 8);
  frag_.cluster.replace(4, 8, size);
  if (header_.VideoTrack() == nullptr) frag_.key_frame = frag_.frames.front().key();
  frag_.duration_ms = (FragmentDurationNs() + kNsPerMs / 2) / kNsPerMs;
  frag_.tags = std::move(pending_tags_);
  pending_tags_.clear();
  last_abs_start_ns_ = abs_start_ns_;
  last_cluster_bytes_ = frag_.cluster.size();
  discontinuity_ = false;
  Fragment out = std::move(frag_);
  ResetCluster();
  listener_->OnFragmentComplete(std::move(out));
}

}  // namespace sluice::media

// SPDX-License-Identifier: Apache-2.0
// MkvFragmenter: the streaming state machine that turns a PutMedia body (an endless MKV byte
// stream) into Fragments, one per Cluster, and reports what KVS acks need. Feed() takes chunks of
// any size; events arrive on a FragmenterListener during Feed()/Finish(). No I/O, no threads.
// Example (one PutMedia session in ingest/):
//   MkvFragmenter f(&listener, {.timecode_type = TimecodeType::kAbsolute});
//   for (chunk : body) f.Feed(chunk);   // OnFragmentStarted -> BUFFERING, OnFragmentComplete ->
//   RECEIVED f.Finish();                         // end of body closes the last cluster
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ids.h"
#include "media/ebml_reader.h"
#include "media/fragment.h"

namespace sluice::media {

// KVS PutMedia ack error ids the fragmenter can raise (values are the wire ErrorId).
// Missing codec private data for H.264/H.265 is reported as kInvalidMkvData: the ack protocol has
// no dedicated id, and 4006 is one the producer already handles (it restarts with a new header).
enum class MkvErrorId : int {
  kMaxFragmentSizeReached = 4001,
  kMaxFragmentDurationReached = 4002,
  kFragmentTimecodeLesserThanPrevious = 4004,
  kInvalidMkvData = 4006,
  kFragmentMetadataLimitReached = 4009,
  kTrackNumberMismatch = 4010,
  kMoreThanAllowedTracksFound = 4012,
};
// The ack ErrorCode string, e.g. "INVALID_MKV_DATA".
std::string_view MkvErrorCodeName(MkvErrorId id);

struct MkvError {
  MkvErrorId id = MkvErrorId::kInvalidMkvData;
  std::string message;
  std::optional<uint64_t> fragment_timecode;  // the Cluster it concerns, when known
};

// x-amzn-fragment-timecode-type.
enum class TimecodeType {
  kAbsolute,  // cluster timecode * TimecodeScale is the producer timestamp (epoch)
  kRelative,  // producer_start + cluster timecode * TimecodeScale
};

struct FragmenterOptions {
  TimecodeType timecode_type = TimecodeType::kAbsolute;
  TimestampMs producer_start;                 // x-amzn-producer-start-timestamp (RELATIVE)
  uint64_t max_fragment_bytes = 50ull << 20;  // 4001 above this (capped at 4 GiB)
  int64_t max_fragment_duration_ms = 10'000;  // 4002 when a frame starts later than this
  size_t max_tracks = 3;                      // 4012 above this
  size_t max_fragment_tags = 10;              // 4009 above this, or a long name/value
  size_t max_tag_name_bytes = 128;
  size_t max_tag_value_bytes = 256;
  size_t max_value_bytes = 8 << 20;  // largest header value (codec private data)
};

struct FragmentStart {
  uint64_t cluster_timecode = 0;  // as sent; what the BUFFERING ack echoes
  TimestampMs producer_timestamp;
  uint64_t header_version = 0;
};

// Callbacks run synchronously inside Feed()/Finish(), on the caller's thread; they must not call
// back into the fragmenter.
class FragmenterListener {
 public:
  virtual ~FragmenterListener() = default;
  // A new header (first one, producer restart, new tracks or codec private data) applies to the
  // fragments that follow. Always called before the first fragment that needs it.
  virtual void OnHeaderChanged(const TrackHeader& header) = 0;
  // The first block of a cluster arrived.
  virtual void OnFragmentStarted(const FragmentStart& start) = 0;
  // A whole cluster arrived (next Cluster or Tags, a new EBML header, end of Segment, Finish()).
  virtual void OnFragmentComplete(Fragment fragment) = 0;
  // See the class comment for what each kind of error drops and where parsing resumes.
  virtual void OnError(const MkvError& error) = 0;
};

// Lifecycle: construct, Feed() body chunks, Finish() at end of body. One session, one thread.
//
// Errors come in three kinds:
//  - Tag errors (4009): the offending fragment metadata tags are dropped; nothing else changes.
//  - Fragment errors (4001, 4002, 4004, 4010; 4006 for a bad block or a block before Timecode):
//    the current cluster is dropped (its remaining bytes are skipped without buffering) and
//    parsing goes on with the next cluster.
//  - Stream errors (4006 malformed EBML, bad header, unsupported data; 4012; truncated input):
//    the fragment in progress is dropped and the fragmenter resynchronises: it discards bytes
//    until the next EBML header magic (1A 45 DF A3), as a restarting producer sends, and parses
//    from there. No further errors are reported while it searches.
// Memory: the header plus the cluster being collected; payload bytes are copied once, into
// Fragment::cluster (sized up front from a known cluster size or the previous fragment's size).
class MkvFragmenter : private EbmlHandler {
 public:
  enum class Mode { kParsing, kResync, kFinished };

  // `listener` must outlive the fragmenter.
  MkvFragmenter(FragmenterListener* listener, FragmenterOptions options = {});
  MkvFragmenter(const MkvFragmenter&) = delete;
  MkvFragmenter& operator=(const MkvFragmenter&) = delete;

  void Feed(std::string_view bytes);
  // End of body: completes an unknown-size cluster; an element cut short is a 4006 error.
  void Finish();

  Mode mode() const { return mode_; }
  // The last header announced through OnHeaderChanged (version 0 before the first).
  const TrackHeader& header() const { return header_; }
  uint64_t bytes_fed() const { return bytes_fed_; }

 private:
  // EbmlHandler.
  Result<BodyAction> OnStart(const ElementHeader& h) override;
  Status OnValue(const ElementHeader& h, std::string_view body) override;
  Status OnData(const ElementHeader& h, std::string_view piece) override;
  Status OnEnd(const ElementHeader& h) override;

  // Header side (mkv_fragmenter.cc).
  Result<BodyAction> StartTopLevel(const ElementHeader& h);
  Result<BodyAction> StartSegmentChild(const ElementHeader& h);
  Status HeaderValue(const ElementHeader& h, std::string_view body);
  Status TrackValue(const ElementHeader& h, std::string_view body);
  Status EndHeaderElement(const ElementHeader& h);
  Status EndTracks();
  void KeepSimpleTag();
  void EndTag();
  Status StreamError(std::string message, MkvErrorId id = MkvErrorId::kInvalidMkvData);
  void EnterResync(const Status& status);
  void FeedResync(std::string_view* bytes);

  // Cluster side (mkv_cluster.cc).
  Result<BodyAction> StartCluster(const ElementHeader& h);
  Result<BodyAction> StartClusterChild(const ElementHeader& h);
  Status ClusterValue(const ElementHeader& h, std::string_view body);
  Status EndBlock(const ElementHeader& h);
  void EndBlockGroup();
  void EndCluster();
  void CheckNewFrames(size_t first);
  bool BeginFragment();
  void FragmentError(MkvErrorId id, std::string message);
  void ResetCluster();
  int64_t FragmentDurationNs() const;

  // Constant after construction.
  FragmenterListener* const listener_;
  const FragmenterOptions options_;

  EbmlReader reader_;
  Mode mode_ = Mode::kParsing;
  uint64_t bytes_fed_ = 0;
  std::optional<MkvError> pending_error_;  // set by a handler before it stops the reader
  int magic_matched_ = 0;                  // resync: bytes of the EBML magic seen so far

  // Header state.
  bool ebml_seen_ = false;  // an EBML header ended; a Segment may follow
  std::string doc_type_;
  TrackHeader building_;         // Info + Tracks of the current Segment
  bool building_ready_ = false;  // building_ has Tracks not yet announced
  bool segment_has_tracks_ = false;
  TrackInfo track_;     // TrackEntry being read
  TrackHeader header_;  // last announced
  uint64_t next_version_ = 1;
  bool discontinuity_ = true;  // mark the next fragment's first frame

  // Tags state.
  std::vector<FragmentTag> pending_tags_;  // metadata for the next fragment
  std::vector<FragmentTag> tag_;           // SimpleTags of the Tag being read
  bool tag_targeted_ = false;              // the Tag targets a track/edition: not fragment metadata
  FragmentTag simple_tag_;
  bool simple_tag_oversize_ = false;  // its name or value was too long to buffer
  size_t tag_dropped_ = 0;            // SimpleTags of this Tag over the limits

  // Cluster state.
  bool in_cluster_ = false;
  bool discard_ = false;  // the cluster had a fragment error: skip the rest
  bool have_timecode_ = false;
  bool started_ = false;     // OnFragmentStarted sent
  bool video_seen_ = false;  // a video frame was seen in this cluster
  Fragment frag_;
  int64_t abs_start_ns_ = 0;  // start on the absolute (epoch) axis, for 4004
  std::optional<int64_t> last_abs_start_ns_;
  size_t block_body_ = 0;  // offset in frag_.cluster of the block body being streamed
  size_t group_first_frame_ = 0;
  bool group_has_reference_ = false;
  std::optional<uint64_t> group_duration_;
  size_t last_cluster_bytes_ = 0;
};

}  // namespace sluice::media

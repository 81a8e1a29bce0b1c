// SPDX-License-Identifier: Apache-2.0
// The video read path shared by GetMedia, GetMediaForFragmentList, ListFragments and HLS: find
// fragments through the fragment index (number, time, earliest, now), read their entries from
// the engine, and write the self-contained MKV chunks with media's writer. FragmentFollower
// follows a stream's log from a start selector onwards, live tail included (GetMedia).
// Thread-safety: FragmentReader is safe to share between threads; a FragmentFollower belongs to
// one reader at a time (its on_data callback may fire on an engine thread).
// Example (GetMediaForFragmentList):
//   FragmentReader reader(store, index);
//   ASSIGN_OR_RETURN(StoredFragment f, reader.ReadNumber("cam1", "9134..."));
//   body += FragmentReader::FragmentListChunk(f);
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/thread_annotations.h"
#include "engine/stream_store.h"
#include "index/fragment_index.h"
#include "media/fragment.h"
#include "media/stored_format.h"

namespace sluice::ingest {

// One stored fragment, ready to serve alone.
struct StoredFragment {
  index::FragmentRow row;     // number, times, size, header version, log position
  media::FragmentMeta meta;   // producer tags, cluster timecode, frame count, ...
  media::TrackHeader header;  // the header version the cluster needs (header.version set)
  std::string cluster;        // the MKV Cluster element as received
};

// GetMedia's StartSelector (kinesis-wire.md B6).
struct StartSelector {
  enum class Type {
    kNow,                // the latest fragment, then everything after it
    kEarliest,           // the oldest retained fragment
    kFragmentNumber,     // after `fragment_number` (AfterFragmentNumber)
    kContinuationToken,  // after `fragment_number` (the token is the last fragment's number)
    kServerTimestamp,    // the fragment containing `timestamp` (else the next one)
    kProducerTimestamp,
  };
  Type type = Type::kNow;
  std::string fragment_number;
  TimestampMs timestamp;
};

class FragmentReader {
 public:
  // `store` and `index` must outlive the reader. `clock` null: SystemClock().
  FragmentReader(engine::StreamStore* store, index::FragmentIndex* index, Clock* clock = nullptr);

  // The index row of a fragment number. NotFound when the stream or fragment is unknown, the
  // number is malformed or belongs to another stream, or retention removed the fragment.
  Result<index::FragmentRow> Find(std::string_view stream, std::string_view fragment_number);
  Result<StoredFragment> Read(std::string_view stream, const index::FragmentRow& row);
  Result<StoredFragment> ReadNumber(std::string_view stream, std::string_view fragment_number);

  // ListFragments: one page of fragments starting in [start, end] on the axis, without rows
  // whose entries retention already removed. `query.stream` is filled in from the name.
  Result<index::FragmentPage> List(std::string_view stream, index::TimeRangeQuery query);

  // The header of a version (cached). NotFound if it was never stored.
  Result<media::TrackHeader> Header(StreamId stream, uint64_t version);

  // The log position GetMedia starts reading at.
  Result<EntryCounter> StartCounter(std::string_view stream, const StartSelector& selector);

  // A whole stored fragment from an engine entry of a video stream.
  Result<StoredFragment> FromRecord(const engine::StreamInfo& info, engine::StoredRecord record);

  // GetMedia chunk: FRAGMENT_NUMBER, SERVER/PRODUCER_TIMESTAMP and the producer's tags before the
  // cluster; MILLIS_BEHIND_NOW (now - server time) and CONTINUATION_TOKEN (the number) after it.
  static std::string GetMediaChunk(const StoredFragment& f, TimestampMs now);
  // GetMediaForFragmentList chunk (*_SIDE_TIMESTAMP tags, nothing after the cluster).
  static std::string FragmentListChunk(const StoredFragment& f);

  engine::StreamStore* store() const { return store_; }
  Clock* clock() const { return clock_; }

 private:
  Result<engine::StreamInfo> VideoStream(std::string_view stream);

  // Constant after construction.
  engine::StreamStore* const store_;
  index::FragmentIndex* const index_;
  Clock* const clock_;

  std::mutex mu_;
  // Decoded headers by (stream, version); headers never change once stored.
  std::map<std::pair<int64_t, uint64_t>, media::TrackHeader> headers_ GUARDED_BY(mu_);
};

// Reads a video stream's fragments in log order from a start selector on, then the live tail.
// Lifecycle: Open, then call Next() whenever on_data fired (or periodically) until it returns an
// empty batch; destroy to stop watching.
class FragmentFollower {
 public:
  // on_data runs (on an engine thread) whenever new fragments may be readable; keep it cheap.
  static Result<std::unique_ptr<FragmentFollower>> Open(FragmentReader* reader,
                                                        std::string_view stream,
                                                        const StartSelector& selector,
                                                        std::function<void()> on_data);
  ~FragmentFollower();
  FragmentFollower(const FragmentFollower&) = delete;
  FragmentFollower& operator=(const FragmentFollower&) = delete;

  // The next fragments (at most max_fragments, about max_bytes of clusters); empty when caught
  // up. NotFound once the stream was deleted.
  Result<std::vector<StoredFragment>> Next(size_t max_fragments = 16, size_t max_bytes = 8 << 20);
  EntryCounter position() const { return next_; }

 private:
  FragmentFollower(FragmentReader* reader, engine::StreamInfo info, EntryCounter start);

  FragmentReader* const reader_;
  const engine::StreamInfo info_;
  EntryCounter next_;
  std::optional<engine::WatchId> watch_;
};

}  // namespace sluice::ingest

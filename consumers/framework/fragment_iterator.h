// SPDX-License-Identifier: Apache-2.0
// FragmentIterator: the video counterpart of RecordIterator. Reads a video stream's stored
// fragments in log order from the earliest, the live tail (NOW), a fragment number (at or after
// it) or a server or producer time, through ingest's read path (FragmentFollower), and sleeps on
// the stream's tail watch while caught up. ToFragment() re-parses a stored fragment into frames
// (media::Fragment); FrameExtractor (fragment_frames.h) decodes them into pictures.
// Lifecycle: Open, Next until empty, WaitForData, Next ...; destroy to stop watching.
// Thread-safety: one reading thread; Interrupt() from any thread.
// Example:
//   ASSIGN_OR_RETURN(auto it, FragmentIterator::Open(&reader, "cam1", {.type = Type::kEarliest}));
//   ASSIGN_OR_RETURN(std::vector<ingest::StoredFragment> batch, it->Next());
//   ASSIGN_OR_RETURN(media::Fragment f, FragmentIterator::ToFragment(batch[0]));
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ingest/fragment_reader.h"
#include "media/fragment.h"

namespace sluice::consumers {

struct FragmentStart {
  enum class Type {
    kNow,                  // the latest fragment, then everything after it
    kEarliest,             // the oldest retained fragment
    kAtFragmentNumber,     // the fragment `fragment_number`, then the ones after it
    kAfterFragmentNumber,  // the fragments after `fragment_number` (resuming)
    kServerTimestamp,      // the fragment containing `timestamp` on the server axis, else the next
    kProducerTimestamp,    // the same on the producer axis
  };
  Type type = Type::kNow;
  std::string fragment_number;
  TimestampMs timestamp;
};

class FragmentIterator {
 public:
  // `reader` must outlive the iterator. NotFound for an unknown or non-video stream or an
  // unknown fragment number (kAtFragmentNumber); InvalidArgument for a malformed one.
  static Result<std::unique_ptr<FragmentIterator>> Open(ingest::FragmentReader* reader,
                                                        std::string_view stream,
                                                        const FragmentStart& start);
  ~FragmentIterator();
  FragmentIterator(const FragmentIterator&) = delete;
  FragmentIterator& operator=(const FragmentIterator&) = delete;

  // The next fragments (at most max_fragments, about max_bytes of clusters); empty when caught
  // up. NotFound once the stream was deleted.
  Result<std::vector<ingest::StoredFragment>> Next(size_t max_fragments = 16,
                                                   size_t max_bytes = 8 << 20);
  // Returns when fragments may have arrived since the last Next, after `timeout`, or at once
  // after Interrupt().
  void WaitForData(std::chrono::milliseconds timeout);
  void Interrupt();

  // The number of the last fragment returned (resume with kAfterFragmentNumber); empty before.
  const std::string& last_fragment_number() const { return last_fragment_number_; }

  // The fragment with its frames, tags and producer time (from the stored metadata).
  static Result<media::Fragment> ToFragment(const ingest::StoredFragment& stored);

 private:
  struct Wake {
    std::mutex mu;
    std::condition_variable cv;
    uint64_t generation = 0;
    bool interrupted = false;
  };
  FragmentIterator() = default;

  const std::shared_ptr<Wake> wake_ = std::make_shared<Wake>();
  std::unique_ptr<ingest::FragmentFollower> follower_;
  std::optional<ingest::StoredFragment> first_;  // kAtFragmentNumber: the named fragment
  uint64_t seen_generation_ = 0;
  std::string last_fragment_number_;
};

}  // namespace sluice::consumers

// SPDX-License-Identifier: Apache-2.0
// FragmentIterator: start selectors mapped onto FragmentFollower, tail waits, frame parsing.
#include "consumers/framework/fragment_iterator.h"

#include "media/stored_format.h"

namespace sluice::consumers {
namespace {

ingest::StartSelector SelectorFor(const FragmentStart& start) {
  using In = ingest::StartSelector::Type;
  using Out = FragmentStart::Type;
  ingest::StartSelector s;
  s.fragment_number = start.fragment_number;
  s.timestamp = start.timestamp;
  switch (start.type) {
    case Out::kNow:
      s.type = In::kNow;
      break;
    case Out::kEarliest:
      s.type = In::kEarliest;
      break;
    case Out::kAtFragmentNumber:  // the named fragment is read first, then the ones after it
    case Out::kAfterFragmentNumber:
      s.type = In::kFragmentNumber;
      break;
    case Out::kServerTimestamp:
      s.type = In::kServerTimestamp;
      break;
    case Out::kProducerTimestamp:
      s.type = In::kProducerTimestamp;
      break;
  }
  return s;
}

}  // namespace

Result<std::unique_ptr<FragmentIterator>> FragmentIterator::Open(ingest::FragmentReader* reader,
                                                                 std::string_view stream,
                                                                 const FragmentStart& start) {
  std::unique_ptr<FragmentIterator> it(new FragmentIterator());
  if (start.type == FragmentStart::Type::kAtFragmentNumber) {
    ASSIGN_OR_RETURN(ingest::StoredFragment first,
                     reader->ReadNumber(stream, start.fragment_number));
    it->first_ = std::move(first);
  }
  std::weak_ptr<Wake> weak = it->wake_;
  ASSIGN_OR_RETURN(it->follower_,
                   ingest::FragmentFollower::Open(reader, stream, SelectorFor(start), [weak] {
                     if (std::shared_ptr<Wake> w = weak.lock()) {
                       std::lock_guard<std::mutex> l(w->mu);
                       w->generation++;
                       w->cv.notify_all();
                     }
                   }));
  return it;
}

FragmentIterator::~FragmentIterator() = default;

Result<std::vector<ingest::StoredFragment>> FragmentIterator::Next(size_t max_fragments,
                                                                   size_t max_bytes) {
  {
    std::lock_guard<std::mutex> l(wake_->mu);
    seen_generation_ = wake_->generation;
  }
  std::vector<ingest::StoredFragment> out;
  if (first_) {
    max_bytes = first_->cluster.size() >= max_bytes ? 1 : max_bytes - first_->cluster.size();
    out.push_back(std::move(*first_));
    first_.reset();
    if (max_fragments <= 1) {
      last_fragment_number_ = out.back().row.fragment_number;
      return out;
    }
    max_fragments--;
  }
  ASSIGN_OR_RETURN(std::vector<ingest::StoredFragment> more,
                   follower_->Next(max_fragments, max_bytes));
  for (ingest::StoredFragment& f : more) out.push_back(std::move(f));
  if (!out.empty()) last_fragment_number_ = out.back().row.fragment_number;
  return out;
}

void FragmentIterator::WaitForData(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(wake_->mu);
  wake_->cv.wait_for(l, timeout,
                     [&] { return wake_->interrupted || wake_->generation != seen_generation_; });
}

void FragmentIterator::Interrupt() {
  std::lock_guard<std::mutex> l(wake_->mu);
  wake_->interrupted = true;
  wake_->cv.notify_all();
}

Result<media::Fragment> FragmentIterator::ToFragment(const ingest::StoredFragment& stored) {
  ASSIGN_OR_RETURN(media::Fragment f, media::ReadStoredCluster(stored.header, stored.cluster));
  f.header_version = stored.meta.header_version;
  f.cluster_timecode = stored.meta.cluster_timecode;
  f.producer_timestamp = stored.meta.producer_timestamp;
  f.duration_ms = stored.meta.duration_ms;
  f.key_frame = stored.meta.key_frame;
  f.tags = stored.meta.tags;
  return f;
}

}  // namespace sluice::consumers

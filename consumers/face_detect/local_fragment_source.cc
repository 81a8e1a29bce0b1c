// SPDX-License-Identifier: Apache-2.0
// LocalFragmentSource (local_fragment_source.h).
#include "consumers/face_detect/local_fragment_source.h"

#include "base/log.h"
#include "media/stored_format.h"

namespace sluice::consumers::face_detect {
namespace {

constexpr size_t kBatchFragments = 4;
constexpr size_t kBatchBytes = 32 << 20;

ingest::StartSelector SelectorOf(const StartPosition& p) {
  using Type = ingest::StartSelector::Type;
  ingest::StartSelector s;
  switch (p.type) {
    case StartPosition::Type::kEarliest:
      s.type = Type::kEarliest;
      break;
    case StartPosition::Type::kNow:
      s.type = Type::kNow;
      break;
    case StartPosition::Type::kAfterFragment:
      s.type = Type::kFragmentNumber;
      s.fragment_number = p.fragment_number;
      break;
    case StartPosition::Type::kServerTimestamp:
      s.type = Type::kServerTimestamp;
      s.timestamp = p.timestamp;
      break;
  }
  return s;
}

}  // namespace

SourceFragment ToSourceFragment(std::string_view stream, ingest::StoredFragment stored) {
  SourceFragment out;
  out.fragment_number = stored.row.fragment_number;
  out.producer_timestamp = stored.row.producer_time;
  out.server_timestamp = stored.row.server_time;
  auto parsed = media::ReadStoredCluster(stored.header, stored.cluster);
  if (parsed.ok()) {
    out.fragment = std::move(*parsed);
  } else {
    LOG_WARN("face_detect", "stored cluster does not parse",
             {{"stream", stream},
              {"fragment", out.fragment_number},
              {"error", parsed.status().ToString()}});
    out.fragment.start_ns = stored.meta.start_ns;
  }
  out.header = std::move(stored.header);
  return out;
}

LocalFragmentSource::LocalFragmentSource(ingest::FragmentReader* reader, std::string stream)
    : reader_(reader), stream_(std::move(stream)) {}

LocalFragmentSource::~LocalFragmentSource() { follower_.reset(); }

Status LocalFragmentSource::Open(const StartPosition& start) {
  follower_.reset();
  ASSIGN_OR_RETURN(follower_, ingest::FragmentFollower::Open(reader_, stream_, SelectorOf(start),
                                                             [this] { OnData(); }));
  return OkStatus();
}

void LocalFragmentSource::OnData() {
  std::lock_guard<std::mutex> lock(mu_);
  signalled_ = true;
  cv_.notify_all();
}

void LocalFragmentSource::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

Result<std::vector<SourceFragment>> LocalFragmentSource::ReadSome() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return CancelledError("fragment source stopped");
    signalled_ = false;  // anything appended from here on signals again
  }
  if (!follower_) return FailedPreconditionError("fragment source is not open");
  ASSIGN_OR_RETURN(std::vector<ingest::StoredFragment> stored,
                   follower_->Next(kBatchFragments, kBatchBytes));
  std::vector<SourceFragment> out;
  out.reserve(stored.size());
  for (ingest::StoredFragment& f : stored) out.push_back(ToSourceFragment(stream_, std::move(f)));
  return out;
}

Result<std::vector<SourceFragment>> LocalFragmentSource::Next(std::chrono::milliseconds wait) {
  ASSIGN_OR_RETURN(std::vector<SourceFragment> batch, ReadSome());
  if (!batch.empty()) return batch;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, wait, [this] { return signalled_ || stopped_; });
  }
  return ReadSome();
}

}  // namespace sluice::consumers::face_detect

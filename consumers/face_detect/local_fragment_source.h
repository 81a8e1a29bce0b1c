// SPDX-License-Identifier: Apache-2.0
// LocalFragmentSource: the FragmentSource of a consumer inside the server, over ingest's
// FragmentFollower (the read path GetMedia uses): stored fragments in log order, then the live
// tail, woken by the engine's shard watch.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "base/thread_annotations.h"
#include "consumers/face_detect/face_detect_ports.h"
#include "ingest/fragment_reader.h"

namespace sluice::consumers::face_detect {

class LocalFragmentSource : public FragmentSource {
 public:
  // `reader` must outlive the source.
  LocalFragmentSource(ingest::FragmentReader* reader, std::string stream);
  ~LocalFragmentSource() override;

  Status Open(const StartPosition& start) override;
  Result<std::vector<SourceFragment>> Next(std::chrono::milliseconds wait) override;
  void Stop() override;

 private:
  Result<std::vector<SourceFragment>> ReadSome();
  void OnData();

  // Constant after construction.
  ingest::FragmentReader* const reader_;
  const std::string stream_;

  std::unique_ptr<ingest::FragmentFollower> follower_;  // used by the consumer thread only

  std::mutex mu_;
  std::condition_variable cv_;
  bool signalled_ GUARDED_BY(mu_) = false;  // the shard's tip moved since the last read
  bool stopped_ GUARDED_BY(mu_) = false;
};

// The stored fragment with its frames parsed (media::ReadStoredCluster). A cluster that does not
// parse gives a fragment without frames (logged): nothing to analyse, but it is passed over.
SourceFragment ToSourceFragment(std::string_view stream, ingest::StoredFragment stored);

}  // namespace sluice::consumers::face_detect

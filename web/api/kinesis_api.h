// SPDX-License-Identifier: Apache-2.0
// KinesisApi: the Kinesis Data Streams operations (AWS JSON 1.1 / CBOR 1.1, target prefix
// Kinesis_20131202) over the engine's StreamStore. Transport-free: web/http hands it decoded
// ApiCalls; it answers ApiResults shaped as AWS shapes them. One file per operation group.
// Thread-safety: Handle may be called concurrently from any thread.
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "engine/stream_store.h"
#include "web/api/api_call.h"

namespace sluice::web::api {

class KinesisApi {
 public:
  struct Options {
    // Secret that signs shard iterators (HMAC-SHA256); 32+ random bytes, persisted by the caller
    // so that iterators survive a restart.
    std::string iterator_secret;
    Clock* clock = nullptr;           // null: SystemClock(). Not owned.
    int64_t iterator_ttl_ms = 300000;  // AWS: 5 minutes
    // fsync policy of new streams; a stream's tag `sluice:fsync-policy` (always | never |
    // interval:<ms>) overrides it, set at CreateStream or later with AddTagsToStream.
    engine::FsyncPolicy default_fsync;
  };

  // `store` must outlive this object.
  KinesisApi(engine::StreamStore* store, Options options);
  ~KinesisApi();

  // True when `operation` (e.g. "PutRecord") is one this service answers.
  bool Handles(std::string_view operation) const;
  // Answers through `reply` exactly once (possibly later, from an engine thread, for writes).
  void Handle(ApiCall call, ApiReply reply);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::web::api

// SPDX-License-Identifier: Apache-2.0
// Blocking test wrappers over StreamStore.
#include "tests/support/store_helpers.h"

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace sluice::testing {
namespace {

engine::PutResults Wait(const std::function<void(engine::PutDone)>& start) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  engine::PutResults out;
  start([&](engine::PutResults r) {
    std::lock_guard<std::mutex> l(mu);
    out = std::move(r);
    done = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> l(mu);
  if (!cv.wait_for(l, std::chrono::seconds(30), [&] { return done; })) {
    std::fprintf(stderr, "put callback never ran\n");
    std::abort();
  }
  return out;
}

}  // namespace

engine::RecordInput Rec(std::string key, std::string data, std::string meta) {
  engine::RecordInput r;
  r.partition_key = std::move(key);
  r.data = std::move(data);
  r.meta = std::move(meta);
  return r;
}

engine::PutResults PutAndWait(engine::StreamStore* store, std::string_view stream,
                              std::vector<engine::RecordInput> records) {
  return Wait(
      [&](engine::PutDone done) { store->Put(stream, std::move(records), std::move(done)); });
}

engine::PutResults PutToShardAndWait(engine::StreamStore* store, std::string_view stream,
                                     ShardIndex shard, std::vector<engine::RecordInput> records) {
  return Wait([&](engine::PutDone done) {
    store->PutToShard(stream, shard, std::move(records), std::move(done));
  });
}

std::vector<engine::StoredRecord> ReadAll(engine::StreamStore* store, std::string_view stream,
                                          ShardIndex shard, EntryCounter from) {
  std::vector<engine::StoredRecord> out;
  for (;;) {
    engine::ReadRequest req;
    req.stream = std::string(stream);
    req.shard = shard;
    req.from = from;
    auto batch = store->Read(req);
    if (!batch.ok() || batch->records.empty()) break;
    for (auto& r : batch->records) out.push_back(std::move(r));
    from = batch->next;
  }
  return out;
}

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pred();
}

}  // namespace sluice::testing

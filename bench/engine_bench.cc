// SPDX-License-Identifier: Apache-2.0
// engine_bench: appends N records of S bytes over K shards from T writer threads to the embedded
// store on the real disk (fsync policy "always" unless told otherwise) and prints records/s, MB/s,
// ack latency p50/p99 and fsyncs per second. Each writer keeps up to --inflight puts outstanding,
// as many concurrent clients would.
// Usage: engine_bench [--records N] [--size S] [--shards K] [--threads T] [--batch B]
//                     [--inflight W] [--sync-threads N] [--fsync always|never|interval:MS]
//                     [--dir PATH]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/metrics.h"
#include "engine/stream_store.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  long records = 200000;
  size_t size = 1024;
  uint32_t shards = 4;
  int threads = 2;
  int batch = 1;
  int inflight = 256;
  int sync_threads = 1;
  std::string fsync = "always";
  std::string dir;
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--records")
      a.records = std::atol(v.c_str());
    else if (k == "--size")
      a.size = static_cast<size_t>(std::atol(v.c_str()));
    else if (k == "--shards")
      a.shards = static_cast<uint32_t>(std::atol(v.c_str()));
    else if (k == "--threads")
      a.threads = std::atoi(v.c_str());
    else if (k == "--batch")
      a.batch = std::max(1, std::atoi(v.c_str()));
    else if (k == "--inflight")
      a.inflight = std::max(1, std::atoi(v.c_str()));
    else if (k == "--sync-threads")
      a.sync_threads = std::max(1, std::atoi(v.c_str()));
    else if (k == "--fsync")
      a.fsync = v;
    else if (k == "--dir")
      a.dir = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

// One writer: keeps up to `inflight` puts outstanding and records each put's ack latency.
void Writer(sluice::engine::StreamStore* store, const Args& a, int id, long puts,
            std::vector<double>* latencies_us, std::atomic<long>* failed) {
  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;
  std::string payload(a.size, 'x');
  latencies_us->reserve(static_cast<size_t>(puts));
  for (long p = 0; p < puts; p++) {
    std::vector<sluice::engine::RecordInput> recs(static_cast<size_t>(a.batch));
    for (int b = 0; b < a.batch; b++) {
      recs[b].partition_key = "w" + std::to_string(id) + "-" + std::to_string(p * a.batch + b);
      recs[b].data = payload;
    }
    {
      std::unique_lock<std::mutex> l(mu);
      cv.wait(l, [&] { return outstanding < a.inflight; });
      outstanding++;
    }
    auto start = Clock::now();
    store->Put("bench", std::move(recs), [&, start](sluice::engine::PutResults r) {
      double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
      for (auto& x : r) {
        if (!x.ok()) failed->fetch_add(1);
      }
      std::lock_guard<std::mutex> l(mu);
      latencies_us->push_back(us);
      outstanding--;
      cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> l(mu);
  cv.wait(l, [&] { return outstanding == 0; });
}

double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

uint64_t FsyncCount() {
  // Sums sluice_fsyncs_total over every series from the Prometheus text.
  std::string text = sluice::Metrics::Global().RenderPrometheus();
  uint64_t total = 0;
  size_t pos = 0;
  while ((pos = text.find("\nsluice_fsyncs_total{", pos)) != std::string::npos) {
    size_t sp = text.find(' ', text.find('}', pos));
    total += std::strtoull(text.c_str() + sp + 1, nullptr, 10);
    pos = sp;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = Parse(argc, argv);
  const bool own_dir = a.dir.empty();
  if (own_dir) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/engine-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return 1;
    a.dir = pattern;
  }
  auto policy = sluice::engine::FsyncPolicy::Parse(a.fsync);
  if (!policy.ok()) {
    std::fprintf(stderr, "%s\n", policy.status().ToString().c_str());
    return 2;
  }
  sluice::engine::EmbeddedStoreOptions o;
  o.data_dir = a.dir;
  o.sync_threads = a.sync_threads;
  auto store = sluice::engine::OpenEmbeddedStore(o);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  sluice::engine::StreamConfig c{.name = "bench", .shard_count = a.shards, .fsync = *policy};
  if (auto r = (*store)->CreateStream(c); !r.ok()) {
    std::fprintf(stderr, "create: %s\n", r.status().ToString().c_str());
    return 1;
  }
  const long puts_total = a.records / a.batch;
  std::vector<std::vector<double>> lat(static_cast<size_t>(a.threads));
  std::atomic<long> failed{0};
  const uint64_t fsyncs_before = FsyncCount();
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < a.threads; t++) {
    long share = puts_total / a.threads + (t < puts_total % a.threads ? 1 : 0);
    threads.emplace_back(Writer, store->get(), std::cref(a), t, share, &lat[t], &failed);
  }
  for (auto& th : threads) th.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const uint64_t fsyncs = FsyncCount() - fsyncs_before;
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  const double records = static_cast<double>(puts_total) * a.batch;
  std::printf(
      "engine_bench: %ld records x %zu B, %u shards, %d writers, %d records/put, "
      "inflight %d/writer, %d sync threads, fsync=%s\n",
      static_cast<long>(records), a.size, a.shards, a.threads, a.batch, a.inflight, a.sync_threads,
      a.fsync.c_str());
  std::printf("  records/s      %.0f\n", records / secs);
  std::printf("  MB/s           %.1f\n", records * static_cast<double>(a.size) / secs / 1e6);
  std::printf("  ack p50        %.0f us\n", Percentile(all, 0.50));
  std::printf("  ack p99        %.0f us\n", Percentile(all, 0.99));
  std::printf("  fsyncs/s       %.0f (%.1f records per fsync)\n",
              static_cast<double>(fsyncs) / secs,
              fsyncs ? records / static_cast<double>(fsyncs) : 0.0);
  std::printf("  failed         %ld\n", failed.load());
  (*store)->Close().IgnoreError();
  if (own_dir) std::filesystem::remove_all(a.dir);
  return failed.load() == 0 ? 0 : 1;
}

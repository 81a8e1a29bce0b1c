// SPDX-License-Identifier: Apache-2.0
// Metrics: a process-wide registry of counters and gauges with labels, rendered in the Prometheus
// text exposition format by web/ at /metrics. Hot paths keep the returned pointer and bump it with
// one relaxed atomic add; looking a series up takes a mutex, so do it once, not per record.
// Example:
//   static Counter* puts = Metrics::Global().GetCounter(
//       "sluice_records_in_total", "Records appended", {{"stream", name}, {"shard", "0"}});
//   puts->Add(n);
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Metrics {
 public:
  static Metrics& Global();

  // Returns the series for name+labels, creating it on first use. The pointer stays valid for the
  // registry's life (series are never freed, only removed from output by RemoveSeries).
  Counter* GetCounter(std::string_view name, std::string_view help, const MetricLabels& labels);
  Gauge* GetGauge(std::string_view name, std::string_view help, const MetricLabels& labels);
  // Hides every series whose labels include label=value (e.g. a deleted stream).
  void RemoveSeriesWithLabel(std::string_view label, std::string_view value);

  // Prometheus text format 0.0.4.
  std::string RenderPrometheus() const;

 private:
  struct Family {
    std::string help;
    bool is_counter = true;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // key: rendered label set
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
  };
  Family& FamilyLocked(std::string_view name, std::string_view help, bool is_counter);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;  // guarded by mu_
  // Series hidden by RemoveSeriesWithLabel: kept alive because callers may still hold them.
  std::vector<std::unique_ptr<Counter>> retired_counters_;  // guarded by mu_
  std::vector<std::unique_ptr<Gauge>> retired_gauges_;      // guarded by mu_
};

}  // namespace sluice

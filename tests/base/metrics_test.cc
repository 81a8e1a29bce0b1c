// SPDX-License-Identifier: Apache-2.0
// Prometheus rendering against golden text: ordering, escaping, counters and gauges, hidden series.
#include "base/metrics.h"

#include <gtest/gtest.h>

#include <string>

#include "base/clock.h"

namespace sluice {
namespace {

TEST(MetricsTest, RendersGoldenText) {
  Metrics m;
  m.GetCounter("sluice_records_in_total", "Records appended", {{"stream", "b"}, {"shard", "0"}})
      ->Add(5);
  m.GetCounter("sluice_records_in_total", "Records appended", {{"shard", "1"}, {"stream", "a"}})
      ->Add();
  m.GetGauge("sluice_open_files", "Open files", {})->Set(-3);
  m.GetGauge("sluice_lag", "Lag\nin \\ms", {{"consumer", "x\"y\\z\nw"}})->Set(7);
  EXPECT_EQ(
      "# HELP sluice_lag Lag\\nin \\\\ms\n"
      "# TYPE sluice_lag gauge\n"
      "sluice_lag{consumer=\"x\\\"y\\\\z\\nw\"} 7\n"
      "# HELP sluice_open_files Open files\n"
      "# TYPE sluice_open_files gauge\n"
      "sluice_open_files -3\n"
      "# HELP sluice_records_in_total Records appended\n"
      "# TYPE sluice_records_in_total counter\n"
      "sluice_records_in_total{shard=\"0\",stream=\"b\"} 5\n"
      "sluice_records_in_total{shard=\"1\",stream=\"a\"} 1\n",
      m.RenderPrometheus());
}

TEST(MetricsTest, SameLabelsSameSeries) {
  Metrics m;
  Counter* a = m.GetCounter("c", "h", {{"x", "1"}, {"y", "2"}});
  Counter* b = m.GetCounter("c", "h", {{"y", "2"}, {"x", "1"}});
  EXPECT_EQ(a, b);
  Gauge* g = m.GetGauge("g", "h", {});
  g->Add(4);
  g->Add(-1);
  EXPECT_EQ(3, m.GetGauge("g", "h", {})->Value());
}

TEST(MetricsTest, RemoveSeriesWithLabelHidesOnlyMatches) {
  Metrics m;
  Counter* gone = m.GetCounter("c", "h", {{"stream", "s1"}, {"shard", "0"}});
  m.GetCounter("c", "h", {{"stream", "s10"}})->Add(2);
  m.GetCounter("c", "h", {{"other", "stream=\"s1\""}})->Add(3);
  m.GetGauge("g", "h", {{"stream", "s1"}})->Set(1);
  gone->Add(9);
  m.RemoveSeriesWithLabel("stream", "s1");
  gone->Add(1);  // the pointer stays valid after removal
  EXPECT_EQ(
      "# HELP c h\n"
      "# TYPE c counter\n"
      "c{other=\"stream=\\\"s1\\\"\"} 3\n"
      "c{stream=\"s10\"} 2\n",
      m.RenderPrometheus());
  // Asking again starts a fresh series (a re-created stream starts from zero).
  EXPECT_NE(gone, m.GetCounter("c", "h", {{"stream", "s1"}, {"shard", "0"}}));
  EXPECT_EQ(0u, m.GetCounter("c", "h", {{"stream", "s1"}, {"shard", "0"}})->Value());
}

TEST(MetricsTest, GlobalIsOneRegistry) { EXPECT_EQ(&Metrics::Global(), &Metrics::Global()); }

TEST(ClockTest, SystemClockIsNearNow) {
  int64_t now = SystemClock()->Now().value();
  EXPECT_GT(now, 1'600'000'000'000);  // after 2020
  ManualClock manual(TimestampMs(100));
  manual.Advance(50);
  EXPECT_EQ(150, manual.Now().value());
}

}  // namespace
}  // namespace sluice

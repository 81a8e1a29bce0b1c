// SPDX-License-Identifier: Apache-2.0
// The metrics registry and its Prometheus text rendering (format 0.0.4): one `# HELP` and one
// `# TYPE` line per family, then its series; families by name and series by label set, so the
// output is stable and diffable.
#include "base/metrics.h"

#include <algorithm>

namespace sluice {
namespace {

// Label values escape backslash, double quote and newline; HELP text escapes backslash and newline.
void AppendEscaped(std::string* out, std::string_view v, bool escape_quote) {
  for (char c : v) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && escape_quote) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

// `{a="1",b="2"}` with labels sorted by name, or "" for no labels. This string is the series key,
// so the same labels given in another order name the same series.
std::string RenderLabels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  MetricLabels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  std::string out = "{";
  for (size_t i = 0; i < sorted.size(); i++) {
    if (i > 0) out.push_back(',');
    out.append(sorted[i].first);
    out.append("=\"");
    AppendEscaped(&out, sorted[i].second, /*escape_quote=*/true);
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// True when the rendered label set holds label="value". Inside a rendered value every quote is
// escaped, so `label="` preceded by '{' or ',' can only start a real label.
bool HasLabel(const std::string& rendered, const std::string& needle) {
  for (size_t pos = rendered.find(needle); pos != std::string::npos;
       pos = rendered.find(needle, pos + 1)) {
    bool starts = pos > 0 && (rendered[pos - 1] == '{' || rendered[pos - 1] == ',');
    size_t end = pos + needle.size();
    bool ends = end < rendered.size() && (rendered[end] == ',' || rendered[end] == '}');
    if (starts && ends) return true;
  }
  return false;
}

template <typename Series>
void RenderSeries(std::string* out, const std::string& name, const Series& series) {
  for (const auto& [labels, metric] : series) {
    out->append(name);
    out->append(labels);
    out->push_back(' ');
    out->append(std::to_string(metric->Value()));
    out->push_back('\n');
  }
}

// Moves the series of `series` whose labels match into `retired`, which keeps them alive.
template <typename T>
void Retire(std::map<std::string, std::unique_ptr<T>>* series, const std::string& needle,
            std::vector<std::unique_ptr<T>>* retired) {
  for (auto it = series->begin(); it != series->end();) {
    if (HasLabel(it->first, needle)) {
      retired->push_back(std::move(it->second));
      it = series->erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace

Metrics& Metrics::Global() {
  static Metrics* metrics = new Metrics();  // never destroyed: series outlive static teardown
  return *metrics;
}

Metrics::Family& Metrics::FamilyLocked(std::string_view name, std::string_view help,
                                       bool is_counter) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{}).first;
    it->second.help = std::string(help);
    it->second.is_counter = is_counter;
  }
  return it->second;
}

Counter* Metrics::GetCounter(std::string_view name, std::string_view help,
                             const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = FamilyLocked(name, help, /*is_counter=*/true).counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* Metrics::GetGauge(std::string_view name, std::string_view help, const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = FamilyLocked(name, help, /*is_counter=*/false).gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

void Metrics::RemoveSeriesWithLabel(std::string_view label, std::string_view value) {
  std::string needle(label);
  needle.append("=\"");
  AppendEscaped(&needle, value, /*escape_quote=*/true);
  needle.push_back('"');
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, family] : families_) {
    Retire(&family.counters, needle, &retired_counters_);
    Retire(&family.gauges, needle, &retired_gauges_);
  }
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    if (family.counters.empty() && family.gauges.empty()) continue;
    out.append("# HELP ").append(name).push_back(' ');
    AppendEscaped(&out, family.help, /*escape_quote=*/false);
    out.append("\n# TYPE ").append(name).append(family.is_counter ? " counter\n" : " gauge\n");
    RenderSeries(&out, name, family.counters);
    RenderSeries(&out, name, family.gauges);
  }
  return out;
}

}  // namespace sluice

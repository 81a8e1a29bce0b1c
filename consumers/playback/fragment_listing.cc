// SPDX-License-Identifier: Apache-2.0
// OldestFragments / AllFragments / NewestFragments over paged fragment listings.
#include "consumers/playback/fragment_listing.h"

#include <algorithm>

namespace sluice::consumers::playback {
namespace {

constexpr size_t kPageRows = 1000;
constexpr int64_t kFirstWindowMs = 60 * 1000;

// Pages through [start, end] until `enough(rows)` holds or the range is exhausted.
template <typename Enough>
Result<std::vector<index::FragmentRow>> Collect(const ListFn& list, index::TimeAxis axis,
                                                TimestampMs start, TimestampMs end, Enough enough) {
  std::vector<index::FragmentRow> rows;
  index::TimeRangeQuery q;
  q.axis = axis;
  q.start = start;
  q.end = end;
  q.limit = kPageRows;
  while (true) {
    ASSIGN_OR_RETURN(index::FragmentPage page, list(q));
    for (index::FragmentRow& r : page.rows) rows.push_back(std::move(r));
    if (!page.next || page.rows.empty() || enough(rows)) break;
    q.after = page.next;
  }
  return rows;
}

}  // namespace

int64_t AxisTime(const index::FragmentRow& row, index::TimeAxis axis) {
  return axis == index::TimeAxis::kServer ? row.server_time.value() : row.producer_time.value();
}

void DeduplicateStarts(std::vector<index::FragmentRow>* rows, index::TimeAxis axis) {
  if (axis != index::TimeAxis::kProducer || rows->size() < 2) return;
  std::vector<index::FragmentRow> out;
  out.reserve(rows->size());
  for (size_t i = 0; i < rows->size(); ++i) {
    const bool superseded =
        i + 1 < rows->size() && AxisTime((*rows)[i], axis) == AxisTime((*rows)[i + 1], axis);
    if (!superseded) out.push_back(std::move((*rows)[i]));
  }
  *rows = std::move(out);
}

Result<std::vector<index::FragmentRow>> OldestFragments(const ListFn& list, index::TimeAxis axis,
                                                        TimestampMs start, TimestampMs end,
                                                        size_t limit) {
  if (limit == 0) return std::vector<index::FragmentRow>();
  // Enough once limit + 1 distinct starts are in: the first `limit` can have no later duplicate.
  ASSIGN_OR_RETURN(auto rows, Collect(list, axis, start, end, [&](const auto& rows) {
                     if (rows.size() <= limit) return false;
                     if (axis == index::TimeAxis::kServer) return true;
                     size_t distinct = 1;
                     for (size_t i = 1; i < rows.size() && distinct <= limit; ++i) {
                       if (AxisTime(rows[i], axis) != AxisTime(rows[i - 1], axis)) ++distinct;
                     }
                     return distinct > limit;
                   }));
  DeduplicateStarts(&rows, axis);
  if (rows.size() > limit) rows.resize(limit);
  return rows;
}

Result<std::vector<index::FragmentRow>> AllFragments(const ListFn& list, index::TimeAxis axis,
                                                     TimestampMs start, TimestampMs end,
                                                     size_t cap) {
  return OldestFragments(list, axis, start, end, cap);
}

Result<std::vector<index::FragmentRow>> NewestFragments(const ListFn& list, index::TimeAxis axis,
                                                        TimestampMs floor, TimestampMs ceiling,
                                                        TimestampMs anchor, size_t limit) {
  std::vector<index::FragmentRow> rows;
  if (limit == 0 || ceiling < floor) return rows;
  anchor = std::min(anchor, ceiling);
  int64_t window = kFirstWindowMs;
  while (true) {
    const bool reaches_floor = anchor.value() - floor.value() <= window;
    const TimestampMs from = reaches_floor ? floor : TimestampMs(anchor.value() - window);
    ASSIGN_OR_RETURN(rows, Collect(list, axis, from, ceiling, [](const auto&) { return false; }));
    DeduplicateStarts(&rows, axis);
    if (rows.size() >= limit || reaches_floor) break;
    // Fourfold growth reaches any floor in a few dozen steps; stop doubling before overflow.
    window = window > (int64_t{1} << 56) ? anchor.value() - floor.value() : window * 4;
  }
  if (rows.size() > limit) rows.erase(rows.begin(), rows.end() - static_cast<ptrdiff_t>(limit));
  return rows;
}

}  // namespace sluice::consumers::playback

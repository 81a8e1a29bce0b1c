// SPDX-License-Identifier: Apache-2.0
// Which fragments a playlist, manifest or clip lists, composed from ListFragments-style pages
// (FragmentReader::List): the oldest N of a range (ON_DEMAND, clips), the newest N below a time
// (LIVE, LIVE_REPLAY), with PRODUCER_TIMESTAMP's de-duplication of equal start times (the highest
// fragment number wins). Rows come back ordered by (time on the axis, counter).
// The page source is a function so that the rules are tested on made-up rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "base/ids.h"
#include "base/result.h"
#include "index/fragment_index.h"

namespace sluice::consumers::playback {

// One page of fragments starting in [query.start, query.end] on query.axis (query.stream is the
// source's business), as FragmentReader::List answers it.
using ListFn = std::function<Result<index::FragmentPage>(const index::TimeRangeQuery&)>;

inline constexpr TimestampMs kEarliestTime{std::numeric_limits<int64_t>::min() / 4};
inline constexpr TimestampMs kLatestTime{std::numeric_limits<int64_t>::max() / 4};

// A fragment's start on the axis, in ms.
int64_t AxisTime(const index::FragmentRow& row, index::TimeAxis axis);

// Drops, on the producer axis, every row whose start equals the next row's (rows ordered by time,
// then counter: the last of equals has the highest fragment number).
void DeduplicateStarts(std::vector<index::FragmentRow>* rows, index::TimeAxis axis);

// The oldest `limit` fragments starting in [start, end].
Result<std::vector<index::FragmentRow>> OldestFragments(const ListFn& list, index::TimeAxis axis,
                                                        TimestampMs start, TimestampMs end,
                                                        size_t limit);

// Every fragment starting in [start, end] (all pages), de-duplicated; at most `cap` rows (the
// oldest), to bound the work of a huge range.
Result<std::vector<index::FragmentRow>> AllFragments(const ListFn& list, index::TimeAxis axis,
                                                     TimestampMs start, TimestampMs end,
                                                     size_t cap = 100000);

// The newest `limit` fragments starting in [floor, ceiling]. Looks in windows reaching back from
// `anchor` (<= ceiling; e.g. now), growing fourfold from a minute until enough rows are found or
// the window reaches `floor`, so a live stream costs one small query.
Result<std::vector<index::FragmentRow>> NewestFragments(const ListFn& list, index::TimeAxis axis,
                                                        TimestampMs floor, TimestampMs ceiling,
                                                        TimestampMs anchor, size_t limit);

}  // namespace sluice::consumers::playback

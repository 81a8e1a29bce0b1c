// SPDX-License-Identifier: Apache-2.0
// Keeps the fragment index consistent with the log, which is the truth: drops rows whose entries
// retention removed or a lost log tail never kept, indexes entries the index missed (a crash
// between the append and the row insert), and drops everything of streams that no longer exist.
// Run at startup before serving, and periodically (e.g. each retention period) afterwards.
// Example:
//   ASSIGN_OR_RETURN(RepairReport r, RepairFragmentIndex(store.get(), index.get()));
#pragma once

#include <cstdint>

#include "base/result.h"
#include "engine/stream_store.h"
#include "index/fragment_index.h"

namespace sluice::ingest {

struct RepairReport {
  uint64_t streams = 0;          // video streams checked
  uint64_t rows_added = 0;       // entries indexed from the log
  uint64_t rows_expired = 0;     // rows below the trim horizon removed
  uint64_t rows_past_tip = 0;    // rows at or past the log's end removed
  uint64_t streams_dropped = 0;  // streams gone from the store, their rows and headers removed
  uint64_t entries_skipped = 0;  // entries whose meta is not a video fragment (logged)
};

// Repairs one video stream.
Status RepairStream(engine::StreamStore* store, index::FragmentIndex* index,
                    const engine::StreamInfo& info, RepairReport* report);
// Repairs every video stream of the store and drops index data of deleted streams.
Result<RepairReport> RepairFragmentIndex(engine::StreamStore* store, index::FragmentIndex* index);

}  // namespace sluice::ingest

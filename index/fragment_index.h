// SPDX-License-Identifier: Apache-2.0
// FragmentIndex: the video fragment index — one row per stored fragment (number, producer and
// server time, duration, size, track-header version, log position) and the stream's track headers
// by version, in its own SQLite database (<data>/fragments.db). Lookups by time on either axis, by
// fragment counter, earliest/latest, with pagination, are O(log n) through SQL indexes.
// The log is the truth: rows are written after the fragment is durable and can always be rebuilt
// from the entries' meta (ingest/fragment_index_repair.h does that on open). Headers are the
// exception: they live only here, committed durably before any fragment that needs them.
// Base types only: this layer knows nothing of the engine or media classes.
// Thread-safety: every method is safe to call from any thread (one connection behind a mutex).
// Example:
//   ASSIGN_OR_RETURN(auto idx, index::FragmentIndex::Open(data_dir + "/fragments.db"));
//   RETURN_IF_ERROR(idx->Insert({row}));
//   ASSIGN_OR_RETURN(auto page, idx->ListByTime({.stream = id, .start = t0, .end = t1}));
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/ids.h"
#include "base/result.h"
#include "base/thread_annotations.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sluice::index {

// One stored fragment. (stream, counter) is the key.
struct FragmentRow {
  StreamId stream;
  ShardIndex shard;             // the stream's shard that holds the entry (video: always 0)
  EntryCounter counter;         // the entry's position in the shard's log
  std::string fragment_number;  // the wire form (the entry's sequence number)
  TimestampMs producer_time;    // fragment start, producer clock
  TimestampMs server_time;      // arrival of the fragment's first byte
  int64_t duration_ms = 0;
  uint64_t size_bytes = 0;      // stored cluster bytes
  uint64_t header_version = 0;  // track header (see PutHeader) the fragment needs
  bool key_frame = false;       // starts with a key frame of the video track

  friend bool operator==(const FragmentRow&, const FragmentRow&) = default;
};

enum class TimeAxis { kProducer, kServer };

// Rows ordered by (time on the axis, counter); a cursor is the last row of the previous page.
struct FragmentCursor {
  int64_t time_ms = 0;
  uint64_t counter = 0;
  friend bool operator==(const FragmentCursor&, const FragmentCursor&) = default;
};

struct TimeRangeQuery {
  StreamId stream;
  TimeAxis axis = TimeAxis::kProducer;
  TimestampMs start;                    // inclusive: fragments starting at or after this time
  TimestampMs end;                      // inclusive: ... and at or before this time
  std::optional<FragmentCursor> after;  // continue after this row
  size_t limit = 1000;
};

struct FragmentPage {
  std::vector<FragmentRow> rows;
  std::optional<FragmentCursor> next;  // set when more rows may follow
};

// A stored track header: opaque bytes (media's TrackHeader record) under a per-stream version.
struct HeaderRow {
  uint64_t version = 0;
  std::string bytes;
};

class FragmentIndex {
 public:
  // Opens (creating if needed) the database at `path`. DataLoss for a corrupt or foreign file,
  // FailedPrecondition for a newer schema.
  static Result<std::unique_ptr<FragmentIndex>> Open(const std::string& path);
  ~FragmentIndex();
  FragmentIndex(const FragmentIndex&) = delete;
  FragmentIndex& operator=(const FragmentIndex&) = delete;

  // --- fragments ------------------------------------------------------------------------------
  // Inserts (or replaces, by stream + counter) rows in one transaction.
  Status Insert(const std::vector<FragmentRow>& rows);
  Result<std::optional<FragmentRow>> ByCounter(StreamId stream, EntryCounter counter);
  // The first fragment with a counter > `counter` (GetMedia's AfterFragmentNumber).
  Result<std::optional<FragmentRow>> FirstAfter(StreamId stream, EntryCounter counter);
  // Up to `limit` fragments with counter >= `from`, in counter order.
  Result<std::vector<FragmentRow>> ListFromCounter(StreamId stream, EntryCounter from,
                                                   size_t limit);
  Result<std::optional<FragmentRow>> Earliest(StreamId stream);
  Result<std::optional<FragmentRow>> Latest(StreamId stream);
  // The first fragment starting at or after t on the axis (ties: lowest counter).
  Result<std::optional<FragmentRow>> FirstAtOrAfter(StreamId stream, TimeAxis axis, TimestampMs t);
  // The last fragment starting at or before t (the one "containing" t; ties: highest counter).
  Result<std::optional<FragmentRow>> LastAtOrBefore(StreamId stream, TimeAxis axis, TimestampMs t);
  // Fragments starting in [start, end] on the axis, ordered by (time, counter), one page.
  Result<FragmentPage> ListByTime(const TimeRangeQuery& query);
  Result<uint64_t> Count(StreamId stream);
  // Highest indexed counter of the stream, if any (where a repair scan resumes).
  Result<std::optional<EntryCounter>> LastCounter(StreamId stream);

  // Removes rows with counter < first_kept (retention) / counter >= from (a log that lost its
  // tail). Return the number of rows removed.
  Result<uint64_t> DeleteBefore(StreamId stream, EntryCounter first_kept);
  Result<uint64_t> DeleteFrom(StreamId stream, EntryCounter from);
  // Removes every row and header of the stream (the stream was deleted).
  Status DropStream(StreamId stream);
  // Every stream id that has rows or headers here.
  Result<std::vector<StreamId>> Streams();

  // --- track headers --------------------------------------------------------------------------
  // Returns the version under which `bytes` is stored: the stream's latest version if its bytes
  // are identical, else a new version (latest + 1, starting at 1), committed with a full fsync
  // before returning, so a fragment that refers to it can be acknowledged afterwards.
  Result<uint64_t> InternHeader(StreamId stream, const std::string& bytes);
  Result<std::optional<HeaderRow>> Header(StreamId stream, uint64_t version);
  Result<std::optional<HeaderRow>> LatestHeader(StreamId stream);

 private:
  explicit FragmentIndex(struct sqlite3* db);
  // Runs fn inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK when fn fails). Caller holds mu_.
  template <typename Fn>
  Status InTransaction(Fn&& fn) REQUIRES(mu_);
  Result<std::optional<FragmentRow>> QueryOne(const char* sql, StreamId stream, int64_t a);
  // The cached prepared statement for `sql`, which must have static storage (its address is
  // the key). Caller holds mu_.
  Result<struct sqlite3_stmt*> Prepare(const char* sql) REQUIRES(mu_);

  std::mutex mu_;
  struct sqlite3* const db_ GUARDED_BY(mu_);                                          // owned
  std::unordered_map<const char*, struct sqlite3_stmt*> statements_ GUARDED_BY(mu_);  // owned
};

}  // namespace sluice::index

// RowEvaluator: runs a parsed VQL query row at a time over EventBatches. Simple and
// obviously correct on purpose: it is the engine of `vigia query --file` (plain NDJSON
// logs) and the oracle the columnar engine is tested against.
//
// Feed it batches with Add() (in any order), then Finish(). Plain filter results are
// returned in time order (ties keep input order); `stats`/`top` results in group-key order
// unless a `sort` pipe says otherwise.
//
// Thread-safety: externally synchronized.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "event/event.h"
#include "query/filter_matcher.h"
#include "query/query_record.h"
#include "query/stats_aggregator.h"
#include "vql/vql_ast.h"

namespace vigia {

struct QueryOptions {
  int64_t now_ns = 0;  // resolves _time:5m; the caller passes the wall clock (or a fixed time)
  // Extra time bounds (the HTTP `since`/`until` parameters), intersected with the query's.
  TimeRange range;
  uint64_t max_groups = limits::kMaxQueryGroups;
  uint64_t max_memory_bytes = limits::kMaxQueryMemoryBytes;
  // Absolute deadline; nullopt = none.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // The caller keeps only the first `row_limit` result rows (0 = all): the columnar engine
  // stops scanning early when the query's order allows it. The row evaluator ignores it.
  uint64_t row_limit = 0;
};

struct QueryStats {
  uint64_t rows_scanned = 0;
  uint64_t rows_matched = 0;
  // Columnar engine only (the row evaluator reads in-memory batches: all zero).
  uint64_t blocks_total = 0;    // blocks of the parts whose time range intersects the query
  uint64_t blocks_read = 0;     // blocks decoded
  uint64_t blocks_skipped = 0;  // blocks pruned by time, min/max or bloom filters
  uint64_t bytes_read = 0;      // chunk + bloom bytes read from part files
};

struct QueryResult {
  std::vector<QueryRecord> rows;
  QueryStats stats;
};

class RowEvaluator {
 public:
  // REQUIRES: `query` outlives the evaluator.
  static Result<std::unique_ptr<RowEvaluator>> Create(const Query& query,
                                                      const QueryOptions& options);
  ~RowEvaluator();

  // Filters the batch and feeds the matching events to the first pipe. Fails with
  // ResourceExhausted / DeadlineExceeded when a limit is hit; the evaluator is then dead.
  Status Add(const EventBatch& batch);

  // Runs the remaining pipes and returns the rows.
  Result<QueryResult> Finish();

  // The effective time range (query ∩ options); engines use it to skip whole batches.
  const TimeRange& time_range() const { return range_; }

 private:
  RowEvaluator() = default;
  Status CheckLimits();

  const Query* query_ = nullptr;
  QueryOptions options_;
  std::optional<FilterMatcher> filter_;
  TimeRange range_;
  // The first pipe when it is stats/top: events are folded in directly.
  std::unique_ptr<StatsAggregator> first_stats_;
  std::vector<QueryRecord> rows_;
  uint64_t memory_ = 0;
  QueryStats stats_;
};

// Applies pipes [first, end) of `query` to `rows` (used after the scan by both engines).
Result<std::vector<QueryRecord>> ApplyPipes(const Query& query, size_t first,
                                            std::vector<QueryRecord> rows,
                                            const QueryOptions& options, TimeRange window);

}  // namespace vigia

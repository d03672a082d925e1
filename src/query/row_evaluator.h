// RowEvaluator: runs a parsed VQL query row at a time over EventBatches. Simple and
// obviously correct on purpose: it is the engine of `vigia query --file` (plain NDJSON
// logs) and the oracle the columnar engine is tested against.
//
// Feed it batches with Add() (in any order), then Finish(). Plain filter results are
// returned in time order (ties keep input order); `stats`/`top` results in group-key order
// unless a `sort` pipe says otherwise. Parallel scans give each share of the input its own
// evaluator and Merge() them (chunked_row_evaluator_backend.h); merged in input order, the
// rows come out exactly as from one evaluator fed everything.
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
#include "query/query_api.h"
#include "query/query_record.h"
#include "query/stats_aggregator.h"
#include "vql/vql_ast.h"

namespace vigia {

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

  // Folds in `other`, an evaluator of the same query and options fed a later share of the
  // input: its matched rows go after this one's (so ties keep input order when evaluators
  // are merged in input order), its first stats pipe's states are merged
  // (StatsAggregator::Merge: counts, min/max, exact percentiles and distinct sets as if one
  // evaluator had seen both; float sums are added per share, so they may differ from one
  // pass in the last bits), scan counters are summed. Fails like Add when a limit is hit.
  Status Merge(RowEvaluator&& other);

  // Bytes held by matched rows (the plain-filter case; the aggregator tracks its own).
  uint64_t memory_bytes() const { return memory_; }

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

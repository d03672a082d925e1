// StatsAggregator: the `stats` (and `top`) pipe — groups rows by the `by` keys and folds
// each group through the aggregate functions. Exact: percentiles keep every value and use
// the nearest-rank definition (the smallest value with at least q·n values ≤ it), so the
// row evaluator is a trustworthy oracle for the columnar engine.
//
// Output rows: the `by` keys (a `_time` bucket is the bucket start, ns) then one column per
// aggregate, groups ordered by key values. With no `by` and no input, one row is produced
// (count() = 0, other aggregates null), as SQL does.
//
// Thread-safety: externally synchronized.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "query/filter_matcher.h"
#include "query/query_record.h"
#include "query/vql_ast.h"

namespace vigia {

struct AggregatorLimits {
  uint64_t max_groups = 0;        // 0 = unlimited
  uint64_t max_memory_bytes = 0;  // 0 = unlimited; approximate (values kept for quantiles)
};

class StatsAggregator {
 public:
  // REQUIRES: pipe.kind is kStats or kTop; `pipe` outlives the aggregator.
  // `window` is the query's time range, used by rate() when there is no _time bucket.
  static Result<std::unique_ptr<StatsAggregator>> Create(const Pipe& pipe, int64_t now_ns,
                                                         TimeRange window, AggregatorLimits limits);
  ~StatsAggregator();

  // Folds one row in. Fails with ResourceExhausted when a limit is exceeded.
  Status Add(const RowAccessor& row);

  // The result rows (see the header comment). For `top`, sorted by hits descending and cut
  // to N.
  std::vector<QueryRecord> Finish();

 private:
  struct AggState;
  struct Group;
  StatsAggregator() = default;
  static std::string EncodeKey(const std::vector<OwnedValue>& key);

  const Pipe* pipe_ = nullptr;
  std::vector<const Aggregate*> aggs_;
  std::vector<Aggregate> top_aggs_;   // the implicit count() of `top`
  std::vector<FilterMatcher> conds_;  // per aggregate; index-aligned, unused when no cond
  std::vector<bool> has_cond_;
  TimeRange window_;
  int64_t min_ts_ = INT64_MAX;
  int64_t max_ts_ = INT64_MIN;
  AggregatorLimits limits_;
  uint64_t memory_ = 0;
  std::unordered_map<std::string, size_t> index_;
  std::vector<std::unique_ptr<Group>> groups_;
};

// Total order used by sort and group ordering: nulls last; numbers (ints, floats, bools as
// 0/1) before strings; numbers numerically, strings bytewise.
int CompareValues(const Value& a, const Value& b);

}  // namespace vigia

// StatsAggregator: the `stats` (and `top`) pipe — groups rows by the `by` keys and folds
// each group through the aggregate functions. Percentiles use the nearest-rank definition
// (the smallest value with at least q·n values ≤ it): exact while a group holds at most
// limits::kMaxExactQuantileValues values, beyond that from a QuantileSketch (≤ 1% relative
// error; exact p0/p100). The switch depends only on a group's value count, never on how
// rows were split between workers, so the row evaluator and the columnar engine agree.
//
// Output rows: the `by` keys (a `_time` bucket is the bucket start, ns) then one column per
// aggregate, groups ordered by key values. With no `by` and no input, one row is produced
// (count() = 0, other aggregates null), as SQL does.
//
// Thread-safety: externally synchronized.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/filter_matcher.h"
#include "query/group_key_index.h"
#include "query/query_record.h"
#include "vql/vql_ast.h"

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

  // The columnar engine's interface: the same states, filled a column at a time, and merged
  // across worker threads. Add(row) is built on these, so both paths share every rule.
  //
  // The group of `key` (the `by` values in order, _time already bucketed), created when new.
  // Fails with ResourceExhausted past max_groups.
  Result<size_t> GroupIndex(std::vector<OwnedValue> key);
  // GroupIndex for a key of views (strings not owned, valid for the call): a known group costs
  // no allocation; only a new group's key is copied. What a high-cardinality `by` (ip,
  // request_id) pays per block for every key it meets again.
  Result<size_t> GroupIndexOf(std::span<const Value> key);
  size_t num_aggregates() const { return aggs_.size(); }
  const Aggregate& aggregate(size_t i) const { return *aggs_[i]; }
  // count() / count(f) over present values / rate(): adds n rows.
  void AddCount(size_t group, size_t agg, uint64_t n);
  // sum/avg/min/max/quantile: one value (ignored unless it reads as a number).
  void AddNumber(size_t group, size_t agg, const Value& v);
  // The typed forms of AddNumber, for columns of known type (no Value per row). Integers
  // stay exact: min, max and quantiles of integers are integers even beyond 2^53.
  void AddInt(size_t group, size_t agg, int64_t x);
  void AddFloat(size_t group, size_t agg, double x);  // NaN is ignored
  // AddFloat for many values of one group (a block's values of that group): the state is
  // looked up once, so a percentile over millions of rows pays no call per value.
  void AddFloats(size_t group, size_t agg, std::span<const double> xs);
  // count_distinct: one present value.
  void AddDistinct(size_t group, size_t agg, const Value& v);
  // A row's timestamp (rate() without a bucket uses the span of the rows seen).
  void NoteTime(int64_t ts) {
    min_ts_ = std::min(min_ts_, ts);
    max_ts_ = std::max(max_ts_, ts);
  }
  Status CheckMemory() const;
  // Folds in `other`, an aggregator of the same pipe (a worker thread's partial result).
  Status Merge(StatsAggregator&& other);
  // A `_time` key value bucketed as the `by` clause does (floor to a multiple of bucket_ns).
  static int64_t Bucket(int64_t ts, int64_t bucket_ns) {
    int64_t b = ts / bucket_ns * bucket_ns;
    if (ts < 0 && b != ts) b -= bucket_ns;  // floor for pre-1970 timestamps
    return b;
  }

 private:
  struct AggState;
  struct Group;
  StatsAggregator() = default;
  // One value for a percentile: `d` as a number, `exact_int` when it is an integer.
  void AddQuantileValue(AggState& s, double d, std::optional<int64_t> exact_int);
  void SwitchToSketch(AggState& s);
  void MergeQuantiles(AggState& a, AggState& b);
  static int64_t SketchQuantileInt(const AggState& s, double q);
  static std::string EncodeKey(const std::vector<OwnedValue>& key);
  // Adds a group for `key` (not in index_; `enc` its encoding, `hash` the index's hash of it).
  Result<size_t> NewGroup(std::string_view enc, uint64_t hash, std::vector<OwnedValue> key);

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
  GroupKeyIndex index_;           // encoded key -> index in groups_
  std::deque<Group> groups_;      // a deque: no allocation per group, and stable addresses
  std::string key_scratch_;       // the encoded key of a lookup by views
  std::vector<Value> key_views_;  // Add's row key
};

// Total order used by sort and group ordering: nulls last; numbers (ints, floats, bools as
// 0/1) before strings; numbers numerically, strings bytewise.
int CompareValues(const Value& a, const Value& b);

}  // namespace vigia

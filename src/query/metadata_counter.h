// MetadataCounter: answers a `stats`/`top` pipe of plain count()s over one part block from the
// block's metadata (part format v2: the value counts of string chunks with few distinct
// values), without reading or decoding the block.
//
// A block is counted this way when it lies wholly inside the query's time range, every
// `_time` bucket of the `by` clause holds the whole block (its min and max timestamps fall in
// one bucket), and of the fields the filter and the `by` keys read at most one varies within
// the block — the others are absent or hold one value on every row — and the varying one has
// its value counts recorded. The filter is then evaluated once per distinct value of that
// field (and once for the rows without it) by the row matcher, the reference semantics
// (filter_matcher.h), on the values all those rows share: the counts are exactly what
// decoding and filtering every row would give. Typical: `level:error | stats count() by
// (_time:1h, service)` over blocks sorted by service, or a count by level over everything.
//
// Time in the filter: only top-level `_time` ranges, which the plan's range holds and every
// row of a block inside it satisfies; any other time leaf and the query is not counted here.
//
// Thread-safety: immutable after Create; Count may be called from many threads at once, each
// with its own ColumnStats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/column_stats.h"
#include "query/filter_matcher.h"
#include "query/part_block_reader.h"
#include "query/query_plan.h"
#include "vql/vql_ast.h"

namespace vigia {

class MetadataCounter {
 public:
  MetadataCounter(MetadataCounter&&) noexcept = default;
  MetadataCounter& operator=(MetadataCounter&&) noexcept = default;

  // A counter when the query's shape allows metadata counts (`stats` is a ColumnStats of the
  // query's first pipe), nothing otherwise. Fails only when the filter does not compile.
  // REQUIRES: plan.stats_first.
  static Result<std::optional<MetadataCounter>> Create(const Query& q, const QueryPlan& plan,
                                                       const ColumnStats& stats, int64_t now_ns);

  // Adds the block's counts to *stats and returns true (rows counted in *matched), or returns
  // false and adds nothing when the block's metadata does not decide them.
  Result<bool> Count(const PartBlockReader& reader, size_t block, ColumnStats* stats,
                     uint64_t* matched) const;

 private:
  MetadataCounter(FilterMatcher matcher, std::vector<ColumnStats::CountKey> keys,
                  std::vector<std::string> fields, const QueryPlan& plan);

  FilterMatcher matcher_;
  std::vector<ColumnStats::CountKey> keys_;
  std::vector<std::string> fields_;  // read by the filter or a key (time fields excluded)
  std::vector<int> key_slot_;        // per key: index in fields_, -1 for a time bucket
  int64_t min_ts_;
  int64_t max_ts_;
};

}  // namespace vigia

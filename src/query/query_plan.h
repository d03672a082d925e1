// QueryPlan: what the columnar engine (query_engine.h) derives from a query before touching
// any data — the effective time range, the block-pruning conditions, the columns to decode,
// and how the scan feeds the pipes.
//
// Pruning conditions only ever skip blocks that provably hold no matching row; every row of a
// block that is read is still checked against the whole filter (column_filter.h). So a
// condition may be weaker than the filter, never stronger. They come from the top-level
// conjunction of the filter: each conjunct that is a prunable leaf (field:value, :=, in(),
// numeric comparison, words/phrases/prefixes, field:*) or an `or` of prunable leaves
// becomes one PruneClause; `not` and everything else stay in the row filter only.
//
// Thread-safety: immutable after PlanQuery; may be read from many threads.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/query_api.h"
#include "store/format/part_scan.h"
#include "vql/vql_ast.h"

namespace vigia {

// One prunable condition on one field: "a block may match only if ...".
struct PruneLeaf {
  enum class Op : uint8_t {
    kValues,  // a chunk of the field may hold one of `values` (min/max, value or token bloom)
    kRange,   // a numeric chunk overlaps [lo, hi], or a non-numeric chunk exists (compared as text)
    kTokens,  // a string chunk's token bloom may hold all `tokens` (or it has no token bloom)
    kExists,  // the field has a non-null chunk in the block
  };
  Op op = Op::kExists;
  std::string column;
  std::vector<ScanValue> values;
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  std::vector<std::string> tokens;
  bool non_string_only = false;  // kExists: only non-string chunks count
};

// A disjunction: the block may match when any leaf may.
struct PruneClause {
  std::vector<PruneLeaf> any;
};

struct QueryPlan {
  // Rows with min_ts <= ts < max_ts (query filter ∩ since/until).
  int64_t min_ts = std::numeric_limits<int64_t>::min();
  int64_t max_ts = std::numeric_limits<int64_t>::max();
  TimeRange range;                 // the same as a TimeRange (for the aggregators' rate())
  std::vector<PruneClause> prune;  // conjunction
  // Columns to decode (by field name), unless all_columns.
  std::vector<std::string> columns;
  // The columns the filter reads: decoded first; the others only for blocks with a match.
  std::vector<std::string> filter_columns;
  bool all_columns = false;
  // The first pipe is stats/top: the scan folds rows into it.
  bool stats_first = false;
  // Some part of the query reads timestamps per row: the filter (a time leaf or a time field),
  // or the stats pipe (a time key or bucket, an aggregate of a time field, rate()). When
  // false, a block wholly inside [min_ts, max_ts) is scanned without its `_time` chunk.
  bool reads_time = true;
  // A plain filter whose pipes keep the time order and cut it (limit pipe, or the caller's
  // row_limit): only the first `row_cap` rows in time order are needed (0 = all).
  uint64_t row_cap = 0;
};

// The stored field a query's field name reads: `_msg` is `msg`, any other name itself.
std::string NormalizeField(const std::string& f);

// Names the filter reads (bare words expand to the text fields; `_msg` is `msg`; time fields
// are omitted), appended to *out.
void CollectFilterFields(const Filter& f, std::vector<std::string>* out);

// Whether the filter reads timestamps: a `_time` leaf or a leaf on a time field.
bool FilterReadsTime(const Filter& f);

Result<QueryPlan> PlanQuery(const Query& q, const QueryOptions& opt);

}  // namespace vigia

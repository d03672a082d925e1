// Aggregation pushdown: a query whose first pipe is `stats` (or `top`) compiled to one
// ClickHouse `GROUP BY`, when — and only when — the answer is the row evaluator's to the byte.
//
// Planned (PlanStatsPushdown) only when every part has an exact SQL form:
//   - the filter and every `if (...)` condition compile exactly (FilterToExactSql);
//   - `by` keys are typed string/integer columns or `_time:<step>` buckets;
//   - aggregates: count(), count(f), count() if (...), count_distinct(f) (uniqExact) of string
//     and integer columns; sum/avg/min/max of integer columns; min/max of float columns.
//     Not pushed (the reason is given): percentiles, rate(), sum/avg of floats (vigia sums in
//     long double, row by row: ClickHouse's double sum differs in the last bits), anything on
//     a field without a typed column, boolean columns.
// The statement reads the superset WHERE (clickhouse_sql.h) and aggregates with -If
// combinators over the exact condition, so one statement also checks, over every candidate
// row, what it cannot know when planning; the answer is refused (DecodeStatsPushdown says
// why, the caller runs the row evaluator instead) when:
//   - a candidate row holds one of the fields the query reads in `x` — a value of another
//     type than its column (VQL's mixed types: "500" next to 500 groups apart, compares
//     differently);
//   - an integer sum/avg might overflow int64 (count × max |value| ≥ 2^63) — vigia then
//     switches to a float sum;
//   - zeros of both signs meet in a float min/max (which one vigia keeps depends on row order);
//   - the answer is larger than the query's memory limit.
// Result rows are built as StatsAggregator::Finish builds them: keys, then one column per
// aggregate (count/count_distinct/sum/min/max of ints as ints, avg and float min/max as
// floats, null where a group had no value), groups in key order (nulls last), `top` sorted by
// hits (stable) and cut to N; more than max_groups groups fail with its error.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/query_record.h"
#include "vql/vql_ast.h"

namespace vigia::clickhouse {

struct StatsPushdownPlan {
  bool pushed = false;
  std::string reason;  // why not, when !pushed
  std::string sql;     // the GROUP BY statement (FORMAT TabSeparated), when pushed
  // Fields whose presence in `x` refuses the answer (filter, conditions, keys, aggregates).
  std::vector<std::string> checked_fields;
};

// `where` is the candidate rows' WHERE (a superset of the filter, time range included);
// `table` the qualified events table.
StatsPushdownPlan PlanStatsPushdown(const Query& q, int64_t now_ns, const std::string& where,
                                    const std::string& table);

struct StatsPushdownAnswer {
  bool refused = false;
  std::string reason;  // when refused: run the row evaluator
  std::vector<QueryRecord> rows;
  uint64_t rows_scanned = 0;  // candidate rows ClickHouse read
  uint64_t rows_matched = 0;  // rows that matched the exact filter
};

// Decodes ClickHouse's answer to plan.sql into the first pipe's rows.
// Fails with ResourceExhausted past max_groups, Corruption on an answer of the wrong shape.
Result<StatsPushdownAnswer> DecodeStatsPushdown(const Query& q, std::string_view tsv,
                                                uint64_t max_groups);

}  // namespace vigia::clickhouse

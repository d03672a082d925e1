// A grammar-driven random VQL generator for the oracle test. It walks the grammar of
// docs/vql.md (filters: field:value, :=exact, comparisons, in(), prefix*, ~regex, exists,
// bare words and "phrases", and/or/not/-/!, parentheses, field:(a or b), _time windows and
// ranges; pipes: stats with every function, `if` conditions, `as`, `by` fields and
// `_time:N` buckets, where, sort, limit, fields, top N by, math) and draws values from the
// generated events so that filters match something.
//
// Every query it produces has a single right answer: sorts end with keys that make the order
// total (ts for events, all group keys for stats), and nothing orders, filters or rounds on
// an approximate value (percentiles) or a float sum whose last bit depends on summation order.
// Those result columns are reported so the comparison can allow for them.
//
// Thread-safety: externally synchronized.
#pragma once

#include <set>
#include <string>

#include "oracle/oracle_events.h"

namespace vigia::oracle {

struct GeneratedQuery {
  std::string text;
  // Result columns compared with tolerance: percentiles (≤ 1% relative) and float
  // arithmetic aggregates (relative 1e-9: summation order).
  std::set<std::string> approx_columns;
  std::set<std::string> float_columns;
};

class QueryGenerator {
 public:
  QueryGenerator(const OracleData& data, uint64_t seed) : data_(data), rng_(seed) {}

  GeneratedQuery Next();

  // A `stats`/`top` query in the subset the ClickHouse backend pushes down as a GROUP BY
  // (clickhouse_stats_pushdown.h): exact filters on typed columns, count/count_distinct/
  // sum/avg/min/max of integer columns, min/max of floats, `by` typed columns and `_time`
  // buckets, later pipes — and, less often, fields with mixed types (status, user_id,
  // duration_ms are sometimes strings/ints in `x`), so refused answers are exercised too.
  // Every answer is exact (no tolerance needed). It shares the generator's random stream: use
  // a generator of its own so Next()'s sequences elsewhere stay as they were.
  GeneratedQuery NextPushdownStats();

  // Only a filter (for tests that want one).
  std::string NextFilter() { return Filter(2); }

 private:
  std::string Filter(int depth);
  std::string Leaf();
  std::string TimeLeaf();
  std::string PlainPipes();
  std::string StatsPipes(GeneratedQuery* q);
  std::string TopPipe();

  const FieldInfo& AnyField();
  const FieldInfo& FieldWhere(bool (*pred)(const FieldInfo&));
  // A value the field has in some event (absent: a word), as an OwnedValue-like text form.
  bool SampleValue(const std::string& field, Value* out, std::string* storage);
  std::string ValueToken(const Value& v, bool in_list);
  std::string SampleToken(const std::string& field, bool in_list = false);

  const OracleData& data_;
  Rng rng_;
  int agg_counter_ = 0;
};

// Quotes `s` as a VQL string literal (escaping quotes, backslashes and a literal '*').
std::string QuoteVql(std::string_view s);
// True when `s` can be written as a bare VQL word with the same meaning.
bool IsBareWord(std::string_view s);

}  // namespace vigia::oracle

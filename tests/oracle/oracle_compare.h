// Compares the rows of one query from two engines for the oracle test: same number of rows,
// same order, same columns and values. Values must be equal in type and value, except:
// columns in `approx` (percentiles) may differ by 1% relative (and int vs float), columns in
// `floats` (averages, rates, float sums, math) by 1e-9 relative (summation order). Rows that
// are whole events (a plain filter, possibly sorted/limited) are compared as sets of
// columns, since a columnar store need not keep an event's field order.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "query/query_record.h"
#include "vql/vql_ast.h"

namespace vigia::oracle {

struct CompareSpec {
  std::set<std::string> approx;
  std::set<std::string> floats;
  bool event_rows = false;  // rows are events: column order is not significant
};

// True when the query's rows are whole events (no stats, top, fields or math pipe).
bool RowsAreEvents(const Query& q);

// Empty when equal; otherwise a human-readable description of the first difference.
std::string CompareRows(const std::vector<QueryRecord>& expected,
                        const std::vector<QueryRecord>& actual, const CompareSpec& spec);

}  // namespace vigia::oracle

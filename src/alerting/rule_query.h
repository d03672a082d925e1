// RunRuleQuery: one evaluation of a rule's query on a QueryBackend, turned into the samples
// the state machine takes (alert_state.h): each result row whose condition holds, its
// `by` columns as labels (`error.type` → label `error_type`) and its condition column (or,
// without a condition, its first numeric column that is not a label) as the value. For an
// absence rule, one label-less sample when no row holds (value: the number of rows).
//
// Thread-safety: thread-safe when the backend is (the server's is).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "alerting/alert_rule.h"
#include "alerting/alert_state.h"
#include "common/status.h"
#include "query/query_backend.h"

namespace vigia {

struct RuleQueryResult {
  std::vector<AlertSample> samples;
  uint64_t rows = 0;          // result rows of the query
  uint64_t rows_scanned = 0;  // events the backend read
};

// REQUIRES: rule.query set (a loaded rule).
Result<RuleQueryResult> RunRuleQuery(QueryBackend* backend, const AlertRule& rule, int64_t now_ns,
                                     std::chrono::steady_clock::time_point deadline);

}  // namespace vigia

// RunRuleQuery: one evaluation of a rule's query on a QueryBackend, turned into the samples
// the state machine takes (alert_state.h): each result row whose condition holds, its
// `by` columns as labels (`error.type` → label `error_type`) and its condition column (or,
// without a condition, its first numeric column that is not a label) as the value. For an
// absence rule, one label-less sample when no row holds (value: the number of rows).
// Rules on a KPI or an SLO by name read RuleSignals (rule_signals.h) instead.
//
// Thread-safety: thread-safe when the backend is (the server's is).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "alerting/alert_rule.h"
#include "alerting/alert_state.h"
#include "alerting/rule_signals.h"
#include "common/status.h"
#include "query/query_backend.h"

namespace vigia {

struct RuleQueryResult {
  std::vector<AlertSample> samples;
  uint64_t rows = 0;          // result rows of the query
  uint64_t rows_scanned = 0;  // events the backend read
};

// A KPI or SLO rule (rule.source != kQuery) reads `signals` instead of the backend: each
// row's labels are the instance's, the condition tests its columns, and a KPI instance's
// value is the KPI's value (also when the condition tests its colour).
// REQUIRES: a loaded rule (query set for a query rule).
Result<RuleQueryResult> RunRuleQuery(QueryBackend* backend, const RuleSignals* signals,
                                     const AlertRule& rule, int64_t now_ns,
                                     std::chrono::steady_clock::time_point deadline);

}  // namespace vigia

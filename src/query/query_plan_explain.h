// The columnar engine's plan (query_plan.h) in words, for LocalStoreBackend::Explain
// (`vigia query --explain --data`, GET /v1/query?explain=true on the embedded store). Lines as
// query_explain.h describes them.
//
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "query/query_plan.h"
#include "vql/vql_ast.h"

namespace vigia {

// The plan of `q` (PlanQuery): time range, block pruning, columns, how the scan feeds the
// pipes. One line per part, each ending in '\n'.
std::string ExplainColumnarPlan(const Query& q, const QueryPlan& plan);

}  // namespace vigia

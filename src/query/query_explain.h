// Query explanations: the text `vigia query --explain` and GET /v1/query?explain=true show
// for what a backend would do with a query (QueryBackend::Explain). Here the pieces every
// backend shares (time range, pipes); the embedded store's plan is query_plan_explain.h, the
// ClickHouse backend's SQL clickhouse_query_backend.h.
//
// The text is for people: its wording may change between versions (scripts should not parse
// it). Its lines start with the part of the plan they describe ("engine:", "time:",
// "blocks:", "columns:", "scan:", "then:"); a remote engine's statements are shown as sent.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "query/query_api.h"
#include "vql/vql_ast.h"

namespace vigia {

// "time: all events" or "time: from <RFC 3339> until <RFC 3339>" (either end may be open).
std::string ExplainTimeRange(const TimeRange& range);

// The VQL name of a pipe ("stats", "where", ...).
const char* PipeName(PipeKind k);

// "then: stats, where, sort (after the scan)" — the pipes in order; empty for a plain filter.
// `first_in_scan`: the first pipe is folded into the scan (not listed here).
std::string ExplainPipes(const Query& q, bool first_in_scan);

}  // namespace vigia

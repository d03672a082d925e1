// The columnar query engine: runs a parsed VQL query over a store snapshot (immutable parts
// plus memtable batches) without decoding whole parts into events.
//
// How (docs/vql.md, "Engine"): the planner (query_plan.h) turns the query's filter into an
// effective time range, block-pruning conditions (exact values, in(), numeric ranges, words of
// text fields — the top-level conjunction only; an `or` of prunable leaves prunes too) and the
// set of columns the filter and pipes read. Parts outside the time range are skipped; the
// blocks left are split between worker threads; each block's pruning conditions are checked
// against min/max and bloom filters before any data is read; surviving blocks are decoded
// (needed columns only), filtered column-wise into a selection vector and folded into
// per-thread partial aggregation states, merged at the end. Memtable batches (small) go
// through the row evaluator's matcher. Pipes after the first stats run as in the row
// evaluator (ApplyPipes), so results are exactly RowEvaluator's: same rows, same group
// order, same rounding. A plain filter whose result is cut by `limit` stops scanning once
// the rows it returns are certain (parts are visited in time order).
//
// Errors: InvalidArgument (bad regex), DeadlineExceeded (options.deadline), ResourceExhausted
// (max_groups, max_memory_bytes), Corruption naming the part (a bad block touched by the scan).
//
// Streaming (QueryObserver::on_rows): a plain filter whose pipes keep the time order and
// every row (limit, fields, math: StreamableQuery) scans blocks in min_ts order on one
// thread. After each block, the rows earlier than every block not yet read (ts < the next
// block's min_ts) are final: they go to on_rows, in the same order and form as the
// non-streamed answer, before the scan ends. The rows that only become final when the scan
// ends (or the row cap is reached) come back in QueryResult::rows, so a query whose rows
// are all certain only at the end never calls on_rows at all; on_rows rows followed by
// QueryResult::rows are exactly the rows RunQuery without an observer returns.
//
// Time ranges: a block the range cuts is masked by binary search when its timestamps never
// decrease (a block of one service and kind), else row by row; a stats query then filters
// and folds only the span of rows in range (block_window.h).
//
// Thread-safety: RunQuery is thread-safe; it reads only the immutable snapshot. A big scan
// runs on the calling thread plus the idle ones of the process's ScanHelpers (scan_helpers.h;
// up to limits::kQueryWorkerThreads), never waiting for a helper to start; a background scan
// starts threads of its own, at its caller's priority. The observer's callbacks run on the
// thread that called RunQuery.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "common/status.h"
#include "query/query_api.h"
#include "store/store_snapshot.h"
#include "vql/vql_ast.h"

namespace vigia {

// Runs `q` over `snap`. Plain filters return rows in time order (ties: parts in snapshot
// order, then memtable order); stats/top return groups in key order unless sorted.
Result<QueryResult> RunQuery(const StoreSnapshot& snap, const Query& q, const QueryOptions& opt);
Result<QueryResult> RunQuery(const StoreSnapshot& snap, const Query& q, const QueryOptions& opt,
                             const QueryObserver& observer);

}  // namespace vigia

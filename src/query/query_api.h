// The query API types every engine and backend shares: what a caller asks for
// (QueryOptions, with the TimeRange it narrows the query to), what it gets back (QueryResult:
// rows and QueryStats) and how it follows a running query (QueryObserver: rows streamed as
// they become final, progress, cancellation). They say nothing about where the events live,
// so the row evaluator, the columnar engine and every QueryBackend (query_backend.h) speak
// them alike.
//
// Thread-safety: plain value types, externally synchronized. StreamableQuery is pure.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "common/limits.h"
#include "common/status.h"
#include "query/query_record.h"
#include "query/tenant_scope.h"
#include "vql/vql_ast.h"

namespace vigia {

// A half-open interval of event times [from_ns, to_ns); either end may be open.
struct TimeRange {
  std::optional<int64_t> from_ns;
  std::optional<int64_t> to_ns;
  bool Contains(int64_t ts) const {
    return (!from_ns || ts >= *from_ns) && (!to_ns || ts < *to_ns);
  }
  // Narrows this range by `other` (intersection).
  void Intersect(const TimeRange& other);
};

struct QueryOptions {
  int64_t now_ns = 0;  // resolves _time:5m; the caller passes the wall clock (or a fixed time)
  // Extra time bounds (the HTTP `since`/`until` parameters), intersected with the query's.
  TimeRange range;
  uint64_t max_groups = limits::kMaxQueryGroups;
  uint64_t max_memory_bytes = limits::kMaxQueryMemoryBytes;
  // Absolute deadline; nullopt = none.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // The caller keeps only the first `row_limit` result rows (0 = all): the columnar engine
  // stops scanning early when the query's order allows it. The row evaluator ignores it.
  uint64_t row_limit = 0;
  // Which tenants' events the query may read. The server's backend (ScopedQueryBackend)
  // refuses a query without a scope; the CLI's backends over files and data directories
  // ignore it (whoever runs them reads the files anyway).
  std::optional<TenantScope> scope;
  // A background job's query (the server's start-up refill of its live traffic statistics,
  // the error-group table's rebuild):
  // it does not count as a running query (common/query_priority.h) and, before each block,
  // waits while the user's queries run — at most limits::kBackgroundQueryYieldBudgetMs in
  // all, shared by its threads — so a restarted server's first queries do not share the
  // cores with it. Local store only; other backends ignore it.
  bool background = false;
};

struct QueryStats {
  uint64_t rows_scanned = 0;
  uint64_t rows_matched = 0;
  // Columnar engine only (the row evaluator reads in-memory batches: all zero).
  uint64_t blocks_total = 0;    // blocks of the parts whose time range intersects the query
  uint64_t blocks_read = 0;     // blocks decoded
  uint64_t blocks_skipped = 0;  // blocks pruned by time, min/max or bloom filters
  uint64_t bytes_read = 0;      // chunk + bloom bytes read from part files
  // A backend over several shards (ClickHouse cluster with clickhouse.partial_results): the
  // shards of the cluster and those that did not answer. shards_unavailable > 0 means the
  // answer is partial: it covers only the live shards' events.
  uint32_t shards_total = 0;
  uint32_t shards_unavailable = 0;
};

struct QueryResult {
  std::vector<QueryRecord> rows;
  QueryStats stats;
};

// How far a scan got (for a progress display).
struct QueryProgress {
  uint64_t blocks_done = 0;   // blocks visited (read or pruned) of blocks_total
  uint64_t blocks_total = 0;  // blocks in the query's time range
  uint64_t rows_scanned = 0;  // rows read from blocks and the memtable
};

// Optional hooks into a running query; every member may be empty.
struct QueryObserver {
  // Receives result rows that are final before the query ends, in order; the rows that only
  // become final at the end come back in QueryResult::rows (on_rows rows followed by them are
  // exactly the answer without an observer). A non-OK status stops the query, which then
  // fails with it (e.g. the client went away). Only StreamableQuery queries stream.
  std::function<Status(std::vector<QueryRecord> rows)> on_rows;
  // Called as the scan advances (often: the callee throttles) and once at the end.
  std::function<void(const QueryProgress&)> on_progress;
  // When it becomes true the query stops at its next check and fails with Unavailable
  // ("cancelled").
  const std::atomic<bool>* cancel = nullptr;
};

// True when a query can hand out rows before its scan ends (QueryObserver::on_rows): a plain
// filter whose pipes are only limit (> 0), fields and math, so every row is final once no
// earlier event can follow.
bool StreamableQuery(const Query& q);

}  // namespace vigia

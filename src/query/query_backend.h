// QueryBackend: where a parsed VQL query runs. The HTTP routes (/v1/query, /v1/trace, the
// backfill of /v1/tail) and the CLI (`vigia query`, `trace`, `tail`) talk to this interface
// only, so the same front ends serve every place events live:
//   LocalStoreBackend (query/local_store_backend.h): the columnar engine over the embedded
//     store — the server's backend and `vigia query --data`;
//   the CLI's NDJSON files/stdin backend (row evaluator) and its server backend (HTTP);
//   a ClickHouse-cluster backend later (VQL translated to SQL; it needs src/vql only).
// Nothing here exposes how a backend stores events (no snapshots, no parts).
//
// Contract of every implementation:
//   - Run returns what RowEvaluator (the reference engine) would return over the same
//     events: plain filters in time order, stats/top in key order unless sorted.
//   - A query reads one consistent view of the events, fixed when it starts: every event
//     acknowledged as stored before Run is called is in it.
//   - observer.on_rows may stream rows of StreamableQuery queries; observer.cancel and
//     options.deadline stop the query (Unavailable "cancelled" / DeadlineExceeded).
//   - Errors: InvalidArgument (the query), DeadlineExceeded, ResourceExhausted (group and
//     memory limits), Unavailable (cancelled, backend unreachable), Corruption (bad data).
//
// To add a backend: derive from QueryBackend, implement Run (Trace and Backfill have
// defaults written over Run), and hand an instance to AddQueryRoutes/AddTailRoutes or to
// the CLI's backend factory (OpenQueryBackend, src/cli/cmd_query_source.h).
//
// Thread-safety: implementations used by the server (LocalStoreBackend) are thread-safe;
// every method may run concurrently. The CLI's backends are used from one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/query_api.h"
#include "vql/vql_ast.h"

namespace vigia {

class QueryBackend {
 public:
  virtual ~QueryBackend() = default;

  // Runs `q` (see the contract above).
  virtual Result<QueryResult> Run(const Query& q, const QueryOptions& options,
                                  const QueryObserver& observer) = 0;
  Result<QueryResult> Run(const Query& q, const QueryOptions& options) {
    return Run(q, options, QueryObserver{});
  }

  // Every event of one request: the request record (kind:request) first, then the others
  // in time order. No rows when the id is unknown. The default runs TraceQuery(request_id)
  // and reorders with OrderTrace.
  virtual Result<QueryResult> Trace(const std::string& request_id, const QueryOptions& options);

  // The backfill of a tail: every stored event matching `filter` (a query without pipes)
  // with ts >= since_ns, in time order and with no row limit, streamed through
  // observer.on_rows as the rows become final. The tail takes the events stored later from
  // the live feed (server/tail_seam.h de-duplicates the seam by event content, so any
  // backend works). The default is Run with options.range narrowed to [since_ns, ...) and
  // no row limit.
  virtual Result<QueryResult> Backfill(const Query& filter, int64_t since_ns,
                                       const QueryOptions& options, const QueryObserver& observer);

  // What Run would do with `q`, as text for people (`vigia query --explain`, GET
  // /v1/query?explain=true): the engine, the time range, what skips data, the columns read,
  // the SQL a remote engine gets. Reads no events. The default refuses (InvalidArgument):
  // a backend without a plan to show says so rather than guessing.
  virtual Result<std::string> Explain(const Query& q, const QueryOptions& options);
};

// The trace query `request_id:=ID`, built as an AST so any id (quotes, spaces) matches
// literally.
Query TraceQuery(const std::string& request_id);

// Moves the request record (kind:request) of a trace to the front; the rest keep their order.
void OrderTrace(std::vector<QueryRecord>* rows);

}  // namespace vigia

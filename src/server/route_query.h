// Query routes of the HTTP API (docs/http-api.md, docs/vql.md):
//   GET/POST /v1/query   q, since, until, limit, format=json|ndjson|csv (POST: the same
//                        fields as a form body or the raw VQL text as the body)
//   GET      /v1/trace/{request_id} (or /v1/trace?request_id=ID) — every event of one
//                        request, request record first, then time-ordered
// Both run on the QueryBackend they are given (query/query_backend.h: the server's is
// LocalStoreBackend, the columnar engine over the store), and report rows scanned, blocks
// read and skipped and bytes read in the JSON stats and X-Vigia-* headers. Errors: 400 with
// "line:col: expected X, got Y" for syntax errors, 408 when the query deadline passes, 503
// when too many queries run at once, 429 when the key already runs max_concurrent_per_key,
// 422 when a query limit (groups, memory) is exceeded.
//
// Streaming: a plain filter (StreamableQuery) in json/ndjson runs on a thread of its own
// (JobThreads, query_stream.h); when rows are final before its scan ends the answer is a
// chunked stream of them (X-Vigia-Streamed: true, stats at the end of the JSON, an error
// after the first rows as a final error record), else the usual one-piece answer. The
// stream's client going away cancels the scan.
//
// Both need role read (router.h) and read only the principal's tenant: every query carries
// QueryOptions::scope = ScopeOf(req.principal), which the server's ScopedQueryBackend
// enforces.
//
// Thread-safety: the handlers are thread-safe; the backend must be too.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "auth/principal.h"
#include "common/limits.h"
#include "common/metric_registry.h"
#include "query/query_backend.h"
#include "query/tenant_scope.h"
#include "server/router.h"

namespace vigia {

struct QueryRouteOptions {
  int timeout_ms = limits::kQueryTimeoutMs;
  int max_concurrent = limits::kMaxConcurrentQueries;
  // Of those, how many one API key (Principal::key_id) may run at once; more get 429
  // rate_limited. 0 = no per-key limit.
  int max_concurrent_per_key = limits::kMaxConcurrentQueriesPerKey;
  // Counts the 429s of max_concurrent_per_key (vigia_rate_limited_total{limit=
  // "key_query_concurrency"}); may be null.
  Counter* key_concurrency_refused = nullptr;
  uint64_t max_groups = limits::kMaxQueryGroups;
  uint64_t max_memory_bytes = limits::kMaxQueryMemoryBytes;
  std::function<int64_t()> now_ns;  // empty = wall clock
};

// The tenant scope of a request's reads: every tenant for admin, legacy and open-mode
// principals, else the key's tenant only. Every route that queries sets
// QueryOptions::scope with this.
TenantScope ScopeOf(const Principal& principal);

// Registers /v1/query and /v1/trace on `router`.
// REQUIRES: `backend` outlives the router's handlers (and the queries they started).
void AddQueryRoutes(Router* router, QueryBackend* backend, QueryRouteOptions options = {});

}  // namespace vigia

// TrafficRefill: the server's start-up refill of the live traffic statistics
// (traffic_stats.h) from the store's last hour, so they survive a restart.
//
// It asks the store aggregating questions, one per dimension — `kind:request | stats count()
// by (_time:1m, tenant, <dimension>)` — and adds each group's count at once. The columnar
// engine answers them from the few columns they read (tens of ms at 10M stored events), where
// one row per request with its eleven fields, as the refill first did, cost ~6 µs per request
// (0.86 s of a core at 136k requests in the hour) in building and freeing those rows, right
// when a restarted server's first queries arrive.
//
// Two steps, because of what each may count twice:
//   * RefillCounts: requests, endpoints, status classes, user-agent fields, performance
//     classes. A request both in the store's answer and seen by the ingest observer would count
//     twice, so this runs before the server accepts events (the monitor module's Start, before
//     the listener opens): its questions are small, grouped by low-cardinality fields.
//   * RefillIps: unique client IPs. They are a HyperLogLog, where an IP added twice counts
//     once, so this one may run in the background while the server ingests; it is the big one
//     (one row per request: an IP per minute has as many groups as requests nearly).
//
// The routes' fallback: a request without a route is counted under its path; its groups are
// asked for only when the first answer shows such requests (paths have high cardinality).
//
// Thread-safety: stateless functions; `stats` is thread-safe, `backend` must be.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "monitor/traffic_stats.h"
#include "query/query_api.h"
#include "query/query_backend.h"

namespace vigia {

// What a refill step added.
struct TrafficRefillCounts {
  uint64_t requests = 0;  // requests counted (RefillCounts) or with an IP (RefillIps)
  uint64_t queries = 0;   // questions asked
};

// The options of both steps at `now_ns`: every tenant, over exactly the minutes the
// statistics' ring holds (TrafficStats keeps the last hour and one minute ahead), as a
// background job (QueryOptions::background).
QueryOptions TrafficRefillOptions(int64_t now_ns);

// Counts the requests of `options.range` (the ring's hour) by every counted dimension.
// REQUIRES: no request is observed by `stats` until it returns (see above).
Result<TrafficRefillCounts> RefillTrafficCounts(QueryBackend* backend, TrafficStats* stats,
                                                const QueryOptions& options);

// Adds the client IPs of `options.range`'s requests to the unique-IP estimates.
Result<TrafficRefillCounts> RefillTrafficIps(QueryBackend* backend, TrafficStats* stats,
                                             const QueryOptions& options,
                                             const QueryObserver& observer = {});

}  // namespace vigia

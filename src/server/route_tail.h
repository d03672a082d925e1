// GET /v1/tail?q=<VQL filter>[&since=5m|<RFC 3339>]: streams the matching events as they
// are stored, until the client goes away (docs/http-api.md). Output is NDJSON (default) or
// Server-Sent Events (`Accept: text/event-stream` or `format=sse`); both carry one canonical
// event JSON per event and a heartbeat on idle streams (a blank NDJSON line, an SSE
// `: keep-alive` comment).
//
// Backfill (`since`): first the matching events already stored from that time on, through
// the QueryBackend's Backfill in time order (streamed as the scan finds them), then the live
// ones, with no gap and no duplicate at the seam: the tail subscribes to the feed BEFORE the
// backfill starts, holds the live batches while the backfill runs, and then skips the live
// events the backfill already sent, recognized by their (ts, content hash) cursor key
// (tail_seam.h, which also lists the residual cases). Live batches beyond `max_held_events`
// during a long backfill are dropped and counted like a slow client's. A backfill that fails
// ends the stream with an `{"error":{...}}` line (SSE: `event: error`).
//
// Slow clients: each tail writes into a ResponseStream bounded by `stream_buffer_bytes`.
// Events that do not fit are dropped and counted; the next line that fits is preceded by
// {"dropped":N} (SSE: `event: dropped`). Events the feed skipped (its queue overflowed)
// are counted the same way. At most LiveFeed's max_subscribers tails are open; more get
// 503. A filter with pipes is a 400.
//
// In a cluster (options.cluster): the live events are every node's, polled from ClickHouse
// (cluster_tail.h), shown once each, with `{"cluster":{"state":..}}` lines (SSE: `event:
// cluster`) when the polls fail, answer partially or recover; a tail without `since` shows the
// events whose ts is at or after the moment it opened.
//
// Needs role read; a read key sees its tenant's events only, live and backfilled
// (ScopeOf(req.principal): the live filter gets `tenant:=T`, the backfill QueryOptions::scope).
//
// Thread-safety: the handler is thread-safe; the subscribers run on the feed thread, the
// backfills on threads of their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "common/limits.h"
#include "query/query_backend.h"
#include "server/cluster_tail.h"
#include "server/live_feed.h"
#include "server/route_query.h"
#include "server/router.h"

namespace vigia {

struct TailRouteOptions {
  size_t stream_buffer_bytes = limits::kMaxStreamBufferBytes;
  int keepalive_ms = limits::kTailKeepAliveMs;
  std::function<int64_t()> now_ns;  // for relative _time filters; empty = wall clock
  // What a `since` backfill reads; null = `since` is refused (400). Must outlive the
  // router's handlers and the backfills they start.
  QueryBackend* backend = nullptr;
  // Live events held back while a backfill runs; past it they are dropped and counted. Also
  // the number of backfilled rows whose cursor keys the seam keeps.
  size_t max_held_events = limits::kMaxLiveFeedQueuedEvents;
  // In a cluster: the tails follow this poller's feed (every node's events, read from
  // ClickHouse; cluster_tail.h) instead of the node's own live feed. Each tail's filter is
  // registered with it (one that ClickHouse's compiler refuses is a 400), and shows the
  // events with ts at or after the moment it opened (or `since`). Null: one node.
  ClusterTail* cluster = nullptr;
};

// Registers GET /v1/tail. `feed` must outlive the router's handlers.
void AddTailRoutes(Router* router, LiveFeed* feed, TailRouteOptions options = {});

}  // namespace vigia

// GET /v1/tail?q=<VQL filter>: streams the matching events as they are stored, until the
// client goes away (docs/http-api.md). Output is NDJSON (default) or Server-Sent Events
// (`Accept: text/event-stream` or `format=sse`); both carry one canonical event JSON per
// event and a heartbeat on idle streams (a blank NDJSON line, an SSE `: keep-alive`
// comment).
//
// Slow clients: each tail writes into a ResponseStream bounded by `stream_buffer_bytes`.
// Events that do not fit are dropped and counted; the next line that fits is preceded by
// {"dropped":N} (SSE: `event: dropped`). Events the feed skipped (its queue overflowed)
// are counted the same way. At most LiveFeed's max_subscribers tails are open; more get
// 503. A filter with pipes is a 400.
//
// Thread-safety: the handler is thread-safe; the subscribers run on the feed thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "common/limits.h"
#include "server/live_feed.h"
#include "server/router.h"

namespace vigia {

struct TailRouteOptions {
  size_t stream_buffer_bytes = limits::kMaxStreamBufferBytes;
  int keepalive_ms = limits::kTailKeepAliveMs;
  std::function<int64_t()> now_ns;  // for relative _time filters; empty = wall clock
};

// Registers GET /v1/tail. `feed` must outlive the router's handlers.
void AddTailRoutes(Router* router, LiveFeed* feed, TailRouteOptions options = {});

}  // namespace vigia

// Sentry's ingest API, so an application instrumented with a Sentry SDK switches to vigia by
// changing its DSN to http://<vigia API key>@<vigia host>:<port>/<project_id>
// (docs/errors.md):
//
//   POST /api/{project_id}/envelope/   an envelope (ingest/sentry/sentry_envelope.h): what
//                                      every current SDK sends
//   POST /api/{project_id}/store/      the legacy endpoint: one event as the JSON body
//
// The key comes from `X-Sentry-Auth: Sentry sentry_key=<key>, ...` or `?sentry_key=<key>`
// (server/auth_check.h, SentryKeyOf) and needs role ingest; a key bound to a tenant stores
// the events under it, like every ingest route. Bodies may be gzip/deflate/zstd
// (Content-Encoding). Each event item becomes a kind=error event (SentryDecoder), grouped by
// the fingerprint deriver and counted by the errors module. Answers:
//
//   200  {"id":"<event_id>"} — the events are in the WAL (other items are ignored)
//   400  a malformed envelope or event ({"error":...} names the item); nothing is stored
//        from a malformed envelope, and a bad event costs only itself
//   401  no or a wrong DSN key; 403 a key without role ingest
//   413  the body over limits.max_body_bytes, or an event over 1 MiB
//        (limits::kMaxSentryEventBytes)
//   503  + Retry-After: the store could not take the events (SDKs retry)
//
// Thread-safety: the handlers are thread-safe (the pipeline keeps a decoder per thread).
#pragma once

#include "server/router.h"
#include "server/server_context.h"

namespace vigia {

// REQUIRES: ctx outlives the router; ctx->ingest and ctx->ingest_metrics set.
void AddSentryRoutes(const ServerContext* ctx, Router* router);

// The route paths, for the ingest module's CORS registrations.
inline constexpr const char* kSentryRoutePaths[] = {
    "/api/{project_id}/envelope/", "/api/{project_id}/envelope", "/api/{project_id}/store/",
    "/api/{project_id}/store"};

}  // namespace vigia

// The errors API (docs/errors.md, docs/http-api.md) over the error-group table of the errors
// module (server/module_errors.h):
//
//   GET   /v1/errors?status=&service=&since=&sort=&limit=&tenant=     role read
//         the groups, filtered (status: a comma list; service: seen in it; since: last seen
//         at or after, RFC 3339 or a duration back from now such as 24h), sorted by
//         last_seen (default), first_seen, count or users (descending), each with its
//         all-time count and users, the events of the window and a sparkline of the window
//         (the `since` window, default the last 24 h; hourly up to 2 days, else daily
//         buckets)
//   GET   /v1/errors/{fingerprint}?tenant=                             role read
//         one group: its row, the latest events, its distribution by release, host, route,
//         browser and environment, and a 24 h hourly sparkline
//   PATCH /v1/errors/{fingerprint}?tenant=                             role admin
//         {"status":"resolved"|"unresolved"|"ignored", "in_next_release":true,
//          "for":"1h", "count":100} — the status change, recorded as an audit event
//
// A key bound to a tenant sees and names only its own tenant's groups (another tenant= is
// 403); an admin key sees every tenant (tenant= narrows; for one fingerprint found in
// several tenants tenant= is required). The per-group queries run on the server's
// QueryBackend with the request's scope (ScopeOf(req.principal)).
//
// Thread-safety: the handlers are thread-safe.
#pragma once

#include "server/router.h"
#include "server/server_context.h"

namespace vigia {

class ErrorsModule;

// REQUIRES: ctx->error_groups and ctx->query_backend set; ctx and module outlive the router.
void AddErrorRoutes(ServerContext* ctx, ErrorsModule* module, Router* router);

}  // namespace vigia

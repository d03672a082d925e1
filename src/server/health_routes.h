// Health endpoints: GET /health/live (the process answers) and GET /health/ready (it can
// take writes: the store is healthy and the data directory writable), for orchestrators'
// liveness and readiness probes. Neither needs an API key, so probes need no secret.
// Corrupt parts make /health/ready say "store":"degraded" and list them ("degraded_parts"),
// still with HTTP 200: everything else is served (docs/http-api.md).
//
// Thread-safety: the handlers are thread-safe.
#pragma once

#include "server/router.h"
#include "server/server_context.h"

namespace vigia {

// Adds GET /health/live and GET /health/ready. REQUIRES: ctx outlives the router.
void AddHealthRoutes(const ServerContext* ctx, Router* router);

}  // namespace vigia

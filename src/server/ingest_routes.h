// POST /v1/events: the native ingest endpoint. Accepts NDJSON (or one JSON array) as
// application/x-ndjson, application/json or text/plain, optionally gzip- or
// zstd-compressed; decompresses it and hands it to the IngestPipeline (ndjson decoder →
// Store::Append → live feed; a bad line costs only itself) and answers
// {"accepted":N,"rejected":M,"errors":[...]} only after Store::Append returned (so a 200
// means the events are in the WAL). Authentication is the router's /v1/ guard.
//
// Thread-safety: the handlers are thread-safe (the pipeline keeps a decoder per thread).
#pragma once

#include <string_view>

#include "server/router.h"
#include "server/server_context.h"

namespace vigia {

// Adds POST /v1/events. REQUIRES: ctx outlives the router.
void AddIngestRoutes(const ServerContext* ctx, Router* router);

// True for the media types the ingest endpoint accepts (parameters such as charset are
// ignored; an absent Content-Type is taken as NDJSON).
bool IsIngestMediaType(std::string_view content_type);

}  // namespace vigia

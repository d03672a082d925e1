// POST /v1/events: the native ingest endpoint. Accepts NDJSON (or one JSON array) as
// application/x-ndjson, application/json or text/plain, optionally gzip- or
// zstd-compressed; decompresses it and hands it to the IngestPipeline (ndjson decoder →
// Store::Append → live feed; a bad line costs only itself) and answers
// {"accepted":N,"rejected":M,"errors":[...]} only after Store::Append returned (so a 200
// means the events are in the WAL). Needs role ingest (router.h); the events are stored under
// the key's tenant (IngestTenantOf).
//
// Thread-safety: the handlers are thread-safe (the pipeline keeps a decoder per thread).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ingest/ingest_decoder.h"
#include "server/router.h"
#include "server/server_context.h"

namespace vigia {

// Adds POST /v1/events. REQUIRES: ctx outlives the router.
void AddIngestRoutes(const ServerContext* ctx, Router* router);

// The body of an ingest request with its Content-Encoding (gzip, deflate, zstd) undone, at
// most ctx->max_body_bytes; every ingest route uses it. On failure sets `resp` (400
// unsupported_content_encoding / bad_compression, 413 body_too_large) and returns nullopt.
// The view points into `req` or `storage`.
std::optional<std::string_view> DecompressedBody(const ServerContext* ctx, const HttpRequest& req,
                                                 HttpResponse* resp, std::string* storage);

// How a request of `principal` binds its events' tenant: a tenant-bound key's tenant
// replaces any `tenant` field the client sent; admin, legacy and open-mode requests keep
// each event's own. Every ingest front end (OTLP, Loki, _bulk, ...) sets
// IngestRequest::tenant with this. The binding points into `principal`.
TenantBinding IngestTenantOf(const Principal& principal);

// True for the media types the ingest endpoint accepts (parameters such as charset are
// ignored; an absent Content-Type is taken as NDJSON).
bool IsIngestMediaType(std::string_view content_type);

}  // namespace vigia

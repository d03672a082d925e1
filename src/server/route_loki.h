// Loki's push API, for Promtail, Grafana Alloy, Fluent Bit's loki output and the Loki client
// libraries: POST /loki/api/v1/push with a PushRequest in JSON (application/json,
// optionally gzip) or protobuf (application/x-protobuf, snappy block-compressed as Loki
// requires); the LokiDecoder (ingest/loki/loki_decoder.h) maps each entry to an event and
// the IngestPipeline stores them. Answers as Loki does:
//
//   204  every entry stored
//   400  text/plain: some entries refused (the others are stored; Loki clients do not retry
//        a 4xx), or the body could not be decoded (nothing stored)
//   413  body over limits.max_body_bytes
//   503  + Retry-After: the store could not take the batch (clients retry)
//
// and, for clients that probe before they push: GET /loki/api/v1/labels (the label names
// vigia maps stream labels to) and GET /ready ("ready", never behind a key, like /health/*).
//
// Access: ingest for the push and the labels (the key's tenant is bound to the events, as for
// POST /v1/events); /ready is public.
//
// Thread-safety: the handlers are thread-safe (the pipeline keeps a decoder per thread).
#pragma once

#include "server/router.h"
#include "server/server_context.h"

namespace vigia {

// REQUIRES: ctx outlives the router; ctx->ingest and ctx->ingest_metrics set.
void AddLokiRoutes(const ServerContext* ctx, Router* router);

}  // namespace vigia

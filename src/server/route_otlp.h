// OTLP/HTTP logs: POST /v1/logs and POST /otlp/v1/logs (the path OpenTelemetry SDKs append
// to an endpoint, with and without an /otlp prefix). The body is an ExportLogsServiceRequest
// in protobuf (application/x-protobuf) or JSON (application/json), optionally gzip-, deflate-
// or zstd-compressed; the OtlpDecoder (ingest/otlp/otlp_decoder.h) maps each log record to
// an event and the IngestPipeline stores them. Answers, per the OTLP/HTTP specification:
//
//   200  ExportLogsServiceResponse in the request's encoding: empty when every record was
//        stored, `partial_success` {rejected_log_records, error_message} when some were not
//   400  undecodable body, unsupported media type or encoding (exporters do not retry)
//   413  body over limits.max_body_bytes
//   503  + Retry-After: the store could not take the batch (exporters retry after it)
//
// Access: ingest (declared at Router::Add); the records are stored under the key's tenant
// (IngestTenantOf). Errors other than the 200's partial success use vigia's JSON error body.
//
// Thread-safety: the handlers are thread-safe (the pipeline keeps a decoder per thread).
#pragma once

#include "server/router.h"
#include "server/server_context.h"

namespace vigia {

// REQUIRES: ctx outlives the router; ctx->ingest and ctx->ingest_metrics set.
void AddOtlpRoutes(const ServerContext* ctx, Router* router);

}  // namespace vigia

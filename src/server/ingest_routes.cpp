#include "server/ingest_routes.h"

#include <memory>
#include <optional>

#include "common/json_writer.h"
#include "ingest/decompress.h"
#include "ingest/ingest_pipeline.h"
#include "ingest/ingest_protocols.h"
#include "server/http_errors.h"
#include "server/ingest_metrics.h"

namespace vigia {
namespace {

void Ingest(const ServerContext* ctx, HttpRequest& req, HttpResponse* resp) {
  const IngestProtocol& ndjson = *FindIngestProtocol("ndjson");
  std::string_view content_type = req.Header("Content-Type");
  if (!AcceptsMediaType(ndjson, content_type)) {
    ctx->ingest_metrics->RecordFailure(ndjson.name, req.body.size(), IngestOutcome::kInvalid);
    SetError(resp, error_code::kUnsupportedMediaType,
             "Content-Type " + std::string(content_type) +
                 " is not accepted; use application/x-ndjson, application/json or text/plain");
    return;
  }
  std::string decompressed;
  std::optional<std::string_view> body = DecompressedBody(ctx, req, resp, &decompressed);
  if (!body) {
    ctx->ingest_metrics->RecordFailure(ndjson.name, req.body.size(), IngestOutcome::kInvalid);
    return;
  }

  IngestRequest in;
  in.body = *body;
  in.content_type = content_type;
  in.receive_ts_ns = req.receive_ts_ns;
  in.tenant = IngestTenantOf(req.principal);
  Result<DecodeResult> decoded = ctx->ingest->Ingest(ndjson, std::move(in));
  if (!decoded.ok()) {
    ctx->ingest_metrics->RecordFailure(ndjson.name, req.body.size(), IngestOutcome::kUnavailable);
    SetError(resp, error_code::kStoreUnavailable,
             "events not stored: " + decoded.status().ToString());
    return;
  }
  const DecodeResult& result = *decoded;
  ctx->ingest_metrics->Record(ndjson.name, req.body.size(), result);
  std::string out;
  out.reserve(64 + result.errors.size() * 64);
  JsonWriter w(&out);
  w.BeginObject();
  w.KV("accepted", result.accepted).KV("rejected", result.rejected);
  w.Key("errors").BeginArray();
  for (const LineError& e : result.errors) {
    w.BeginObject().KV("line", e.line).KV("error", e.error).EndObject();
  }
  w.EndArray().EndObject();
  resp->SetJson(200, std::move(out));
}

}  // namespace

std::optional<std::string_view> DecompressedBody(const ServerContext* ctx, const HttpRequest& req,
                                                 HttpResponse* resp, std::string* storage) {
  std::string_view encoding_header = req.Header("Content-Encoding");
  std::optional<ContentEncoding> encoding = ParseContentEncoding(encoding_header);
  if (!encoding) {
    SetError(resp, error_code::kUnsupportedEncoding,
             "Content-Encoding \"" + std::string(encoding_header) + "\"" +
                 " is not supported; use gzip, deflate or zstd");
    return std::nullopt;
  }
  if (*encoding == ContentEncoding::kIdentity) return std::string_view(req.body);
  Status st = Decompress(*encoding, req.body, ctx->max_body_bytes, storage);
  if (!st.ok()) {
    if (st.code() == StatusCode::kResourceExhausted) {
      SetError(resp, error_code::kBodyTooLarge,
               "decompressed body exceeds limits.max_body_bytes (" +
                   std::to_string(ctx->max_body_bytes) + " bytes)");
    } else {
      SetError(resp, error_code::kBadCompression, st.message());
    }
    return std::nullopt;
  }
  return std::string_view(*storage);
}

TenantBinding IngestTenantOf(const Principal& principal) {
  if (principal.all_tenants) return TenantBinding::FromEvents();
  return TenantBinding::FromKey(principal.tenant);
}

bool IsIngestMediaType(std::string_view content_type) {
  return AcceptsMediaType(*FindIngestProtocol("ndjson"), content_type);
}

void AddIngestRoutes(const ServerContext* ctx, Router* router) {
  router->Add("POST", "/v1/events", Access::kIngest,
              [ctx](HttpRequest& req, HttpResponse* resp) { Ingest(ctx, req, resp); });
}

}  // namespace vigia

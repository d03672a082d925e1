#include "server/route_otlp.h"

#include <optional>
#include <string>

#include "ingest/ingest_protocols.h"
#include "ingest/otlp/otlp_decoder.h"
#include "ingest/otlp/otlp_response.h"
#include "server/http_errors.h"
#include "server/ingest_metrics.h"
#include "server/ingest_routes.h"

namespace vigia {
namespace {

void ExportLogs(const ServerContext* ctx, HttpRequest& req, HttpResponse* resp) {
  const IngestProtocol& otlp = *FindIngestProtocol("otlp");
  IngestMetrics& metrics = *ctx->ingest_metrics;
  const std::string_view content_type = req.Header("Content-Type");
  if (!AcceptsMediaType(otlp, content_type)) {
    metrics.RecordFailure(otlp.name, req.body.size(), IngestOutcome::kInvalid);
    SetError(resp, error_code::kUnsupportedMediaType,
             "Content-Type " + std::string(content_type) +
                 " is not accepted; OTLP/HTTP sends application/x-protobuf or application/json");
    return;
  }
  std::string decompressed;
  std::optional<std::string_view> body = DecompressedBody(ctx, req, resp, &decompressed);
  if (!body) {
    metrics.RecordFailure(otlp.name, req.body.size(), IngestOutcome::kInvalid);
    return;
  }
  IngestRequest in;
  in.body = *body;
  in.content_type = content_type;
  in.receive_ts_ns = req.receive_ts_ns;
  in.tenant = IngestTenantOf(req.principal);
  Result<DecodeResult> decoded = ctx->ingest->Ingest(otlp, std::move(in));
  if (!decoded.ok()) {
    metrics.RecordFailure(otlp.name, req.body.size(), IngestOutcome::kUnavailable);
    SetError(resp, error_code::kStoreUnavailable,
             "log records not stored: " + decoded.status().ToString());
    return;
  }
  const DecodeResult& result = *decoded;
  if (!result.undecodable.empty()) {
    metrics.RecordFailure(otlp.name, req.body.size(), IngestOutcome::kInvalid);
    SetError(resp, error_code::kBadRequest, result.undecodable);
    return;
  }
  metrics.Record(otlp.name, req.body.size(), result);
  const bool protobuf = OtlpDecoder::IsProtobuf(content_type);
  resp->status = 200;
  resp->content_type = protobuf ? "application/x-protobuf" : "application/json";
  resp->body = otlp::ExportLogsResponse(result, protobuf);
}

}  // namespace

void AddOtlpRoutes(const ServerContext* ctx, Router* router) {
  for (const char* path : {"/v1/logs", "/otlp/v1/logs"}) {
    router->Add("POST", path, Access::kIngest,
                [ctx](HttpRequest& req, HttpResponse* resp) { ExportLogs(ctx, req, resp); });
  }
}

}  // namespace vigia

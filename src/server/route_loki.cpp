#include "server/route_loki.h"

#include <optional>
#include <string>

#include "ingest/ingest_protocols.h"
#include "ingest/loki/loki_decoder.h"
#include "ingest/loki/loki_snappy.h"
#include "server/http_errors.h"
#include "server/ingest_metrics.h"
#include "server/ingest_routes.h"

namespace vigia {
namespace {

// Most refused entries named in a 400's text (the count stays exact).
constexpr size_t kMaxNamedRejections = 10;

void Text(HttpResponse* resp, int status, std::string body) {
  resp->status = status;
  resp->content_type = "text/plain; charset=utf-8";
  resp->body = std::move(body);
}

void Push(const ServerContext* ctx, HttpRequest& req, HttpResponse* resp) {
  const IngestProtocol& loki = *FindIngestProtocol("loki");
  IngestMetrics& metrics = *ctx->ingest_metrics;
  const std::string_view content_type = req.Header("Content-Type");
  if (!AcceptsMediaType(loki, content_type)) {
    metrics.RecordFailure(loki.name, req.body.size(), IngestOutcome::kInvalid);
    SetError(resp, error_code::kUnsupportedMediaType,
             "Content-Type " + std::string(content_type) +
                 " is not accepted; Loki push sends application/json or application/x-protobuf");
    return;
  }
  std::string decompressed;
  std::optional<std::string_view> body = DecompressedBody(ctx, req, resp, &decompressed);
  if (!body) {
    metrics.RecordFailure(loki.name, req.body.size(), IngestOutcome::kInvalid);
    return;
  }
  std::string unsnappied;
  if (LokiDecoder::IsProtobuf(content_type)) {
    Status st = loki::SnappyUncompress(*body, ctx->max_body_bytes, &unsnappied);
    if (!st.ok()) {
      metrics.RecordFailure(loki.name, req.body.size(), IngestOutcome::kInvalid);
      if (st.code() == StatusCode::kResourceExhausted) {
        SetError(resp, error_code::kBodyTooLarge,
                 "decompressed body exceeds limits.max_body_bytes (" +
                     std::to_string(ctx->max_body_bytes) + " bytes)");
      } else {
        SetError(resp, error_code::kBadCompression, st.message());
      }
      return;
    }
    body = unsnappied;
  }
  IngestRequest in;
  in.body = *body;
  in.content_type = content_type;
  in.receive_ts_ns = req.receive_ts_ns;
  in.tenant = IngestTenantOf(req.principal);
  Result<DecodeResult> decoded = ctx->ingest->Ingest(loki, std::move(in));
  if (!decoded.ok()) {
    metrics.RecordFailure(loki.name, req.body.size(), IngestOutcome::kUnavailable);
    SetError(resp, error_code::kStoreUnavailable,
             "entries not stored: " + decoded.status().ToString());
    return;
  }
  const DecodeResult& result = *decoded;
  if (!result.undecodable.empty()) {
    metrics.RecordFailure(loki.name, req.body.size(), IngestOutcome::kInvalid);
    Text(resp, 400, result.undecodable + "\n");
    return;
  }
  metrics.Record(loki.name, req.body.size(), result);
  if (result.rejected == 0) {
    Text(resp, 204, "");
    return;
  }
  std::string text = std::to_string(result.rejected) + " of " +
                     std::to_string(result.accepted + result.rejected) +
                     " entries rejected (the others were stored):\n";
  const size_t named = std::min(result.errors.size(), kMaxNamedRejections);
  for (size_t i = 0; i < named; ++i) {
    text += "entry " + std::to_string(result.errors[i].line) + ": " + result.errors[i].error + "\n";
  }
  if (result.rejected > named) text += "...\n";
  Text(resp, 400, std::move(text));
}

}  // namespace

void AddLokiRoutes(const ServerContext* ctx, Router* router) {
  router->Add("POST", "/loki/api/v1/push", Access::kIngest,
              [ctx](HttpRequest& req, HttpResponse* resp) { Push(ctx, req, resp); });
  // Stream labels become fields; these are the ones every Loki client's labels land in.
  router->Add("GET", "/loki/api/v1/labels", Access::kIngest, [](HttpRequest&, HttpResponse* resp) {
    resp->SetJson(200, R"({"status":"success","data":["env","host","level","service"]})");
  });
  router->Add("GET", "/ready", Access::kPublic,
              [](HttpRequest&, HttpResponse* resp) { Text(resp, 200, "ready\n"); });
}

}  // namespace vigia

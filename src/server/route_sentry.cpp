#include "server/route_sentry.h"

#include <string>

#include "common/limits.h"
#include "ingest/ingest_protocols.h"
#include "ingest/sentry/sentry_envelope.h"
#include "server/http_errors.h"
#include "server/ingest_metrics.h"
#include "server/ingest_routes.h"

namespace vigia {
namespace {

// Sentry project ids are numbers; a few SDK setups use slugs.
bool ValidProjectId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

void Handle(const ServerContext* ctx, std::string_view endpoint, HttpRequest& req,
            HttpResponse* resp) {
  const IngestProtocol& sentry = *FindIngestProtocol("sentry");
  IngestMetrics& metrics = *ctx->ingest_metrics;
  const std::string project(req.PathParam("project_id"));
  if (!ValidProjectId(project)) {
    metrics.RecordFailure(sentry.name, req.body.size(), IngestOutcome::kInvalid);
    SetError(resp, error_code::kBadRequest, "project id: expected 1..64 of [A-Za-z0-9_-]");
    return;
  }
  std::string decompressed;
  std::optional<std::string_view> body = DecompressedBody(ctx, req, resp, &decompressed);
  if (!body) {
    metrics.RecordFailure(sentry.name, req.body.size(), IngestOutcome::kInvalid);
    return;
  }
  // Size and framing are checked before anything is decoded, so a 413/400 stores nothing.
  Status framing = Status::Ok();
  if (endpoint == "store") {
    if (body->size() > limits::kMaxSentryEventBytes) {
      framing =
          Status::ResourceExhausted("event of " + std::to_string(body->size()) + " bytes exceeds " +
                                    std::to_string(limits::kMaxSentryEventBytes));
    }
  } else {
    sentry::Envelope env;
    framing = sentry::ParseEnvelope(*body, &env);
  }
  if (!framing.ok()) {
    metrics.RecordFailure(sentry.name, req.body.size(), IngestOutcome::kInvalid);
    SetError(resp,
             framing.code() == StatusCode::kResourceExhausted ? error_code::kBodyTooLarge
                                                              : error_code::kBadRequest,
             framing.message());
    return;
  }
  const std::string target = std::string(endpoint) + ":" + project;
  IngestRequest in;
  in.body = *body;
  in.content_type = req.Header("Content-Type");
  in.receive_ts_ns = req.receive_ts_ns;
  in.tenant = IngestTenantOf(req.principal);
  in.target = target;
  Result<DecodeResult> decoded = ctx->ingest->Ingest(sentry, std::move(in));
  if (!decoded.ok()) {
    metrics.RecordFailure(sentry.name, req.body.size(), IngestOutcome::kUnavailable);
    SetError(resp, error_code::kStoreUnavailable,
             "events not stored: " + decoded.status().ToString());
    return;
  }
  const DecodeResult& result = *decoded;
  if (!result.undecodable.empty()) {
    metrics.RecordFailure(sentry.name, req.body.size(), IngestOutcome::kInvalid);
    SetError(resp, error_code::kBadRequest, result.undecodable);
    return;
  }
  metrics.Record(sentry.name, req.body.size(), result);
  if (result.rejected != 0) {
    std::string why = std::to_string(result.rejected) + " of " +
                      std::to_string(result.accepted + result.rejected) +
                      " events rejected (the others were stored)";
    for (const LineError& e : result.errors) {
      why += "; event " + std::to_string(e.line) + ": " + e.error;
    }
    SetError(resp, error_code::kBadRequest, why);
    return;
  }
  resp->SetJson(200, result.reply);
}

}  // namespace

void AddSentryRoutes(const ServerContext* ctx, Router* router) {
  for (const char* endpoint : {"envelope", "store"}) {
    for (const char* slash : {"/", ""}) {
      std::string path = "/api/{project_id}/" + std::string(endpoint) + slash;
      std::string_view ep = endpoint;
      router->Add("POST", path, Access::kIngest,
                  [ctx, ep](HttpRequest& req, HttpResponse* resp) { Handle(ctx, ep, req, resp); });
    }
  }
}

}  // namespace vigia

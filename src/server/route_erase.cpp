#include "server/route_erase.h"

#include <simdjson.h>

#include "common/json_writer.h"
#include "common/logger.h"
#include "ingest/ingest_pipeline.h"
#include "server/http_errors.h"
#include "server/own_events.h"

namespace vigia {
namespace {

void Erase(ServerContext* ctx, HttpRequest& req, HttpResponse* resp) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(req.body).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    SetError(resp, error_code::kBadRequest,
             "expected a JSON object {\"tenant\":...,\"field\":...,\"value\":...}");
    return;
  }
  auto str = [&doc](const char* k, std::string* out) {
    std::string_view v;
    if (doc[k].get_string().get(v) != simdjson::SUCCESS) return false;
    *out = std::string(v);
    return true;
  };
  EraseRequest er;
  (void)str("tenant", &er.tenant);  // absent = the default tenant
  if (!str("field", &er.field) || er.field.empty() || !str("value", &er.value) ||
      er.value.empty()) {
    SetError(resp, error_code::kBadRequest, "field and value are required (non-empty strings)");
    return;
  }
  Result<EraseResult> r = ctx->store->Erase(er);
  if (!r.ok()) {
    logger::Error("erase failed", {{"tenant", er.tenant}, {"error", r.status().ToString()}});
    SetStatusError(resp, r.status());
    return;
  }
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().KV("tenant", er.tenant).KV("field", er.field).KV("events", r->events);
  w.KV("parts_scanned", r->parts_scanned).KV("parts_rewritten", r->parts_rewritten);
  w.KV("parts_removed", r->parts_removed).EndObject();
  resp->SetJson(200, std::move(out));
  if (ctx->ingest != nullptr) {
    const std::string line = ErasureAuditLine(er, *r, req.principal.key_id);
    Result<DecodeResult> st = IngestOwnEvents(*ctx, line);
    if (!st.ok()) {
      logger::Error("erase: audit event not stored", {{"error", st.status().ToString()}});
    }
  }
}

}  // namespace

std::string ErasureAuditLine(const EraseRequest& request, const EraseResult& result,
                             std::string_view actor) {
  std::string line;
  JsonWriter w(&line);
  BeginOwnAuditEvent(&w, {.action = "data.erased",
                          .actor = actor,
                          .entity = "tenant",
                          .entity_id = request.tenant,
                          .tenant = request.tenant});
  w.KV("outcome", "success").KV("sensitive", true);
  w.KV("details", "field=" + request.field + " events=" + std::to_string(result.events) +
                      " parts_rewritten=" + std::to_string(result.parts_rewritten) +
                      " parts_removed=" + std::to_string(result.parts_removed));
  w.EndObject();
  line += "\n";
  return line;
}

void AddEraseRoutes(ServerContext* ctx, Router* router) {
  router->Add("POST", "/v1/admin/erase", Access::kAdmin,
              [ctx](HttpRequest& req, HttpResponse* resp) { Erase(ctx, req, resp); });
}

}  // namespace vigia

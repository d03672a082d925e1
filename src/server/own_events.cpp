#include "server/own_events.h"

#include <string>
#include <utility>

#include "common/logger.h"
#include "ingest/ingest_protocols.h"
#include "server/server_context.h"

namespace vigia {

void BeginOwnAuditEvent(JsonWriter* w, const OwnAudit& a) {
  w->BeginObject();
  if (a.ts_ns != 0) w->KV("ts", a.ts_ns);
  w->KV("kind", "audit").KV("service", "vigia");
  if (!a.tenant.empty()) w->KV("tenant", a.tenant);
  w->KV("action", a.action).KV("actor", a.actor).KV("entity", a.entity);
  w->KV("entity_id", a.entity_id);
}

Result<DecodeResult> IngestOwnEvents(const ServerContext& ctx, std::string_view ndjson) {
  if (ctx.ingest == nullptr) return Status::Unavailable("the server runs without ingest");
  IngestRequest req;
  req.body = ndjson;  // a view: the caller's lines outlive the call
  req.content_type = "application/x-ndjson";
  req.receive_ts_ns = ctx.env->NowNanos();
  req.tenant = TenantBinding::FromEvents();  // the server's own events
  return ctx.ingest->Ingest(*FindIngestProtocol("ndjson"), std::move(req));
}

void RecordOwnEvents(const ServerContext& ctx, std::string_view ndjson, std::string_view what) {
  Result<DecodeResult> r = IngestOwnEvents(ctx, ndjson);
  if (!r.ok()) {
    logger::Warn(std::string(what) + " not stored", {{"error", r.status().ToString()}});
  } else if (r->rejected > 0) {
    logger::Warn(std::string(what) + " rejected",
                 {{"rejected", r->rejected},
                  {"error", r->errors.empty() ? std::string() : r->errors[0].error}});
  }
}

}  // namespace vigia

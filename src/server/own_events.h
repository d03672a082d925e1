// Own events: how the server records what it does itself — the audit events of its
// administrative actions (rule reload, silence, error status, API key, backup, erasure, the
// cluster lease), its alert and probe events — as NDJSON lines ingested through the same
// pipeline as a client's (normalized, catalogued, chained into the audit ledger, stored),
// bound as the server's own events (TenantBinding::FromEvents: the default tenant unless a
// line names one).
//
// Thread-safety: free functions; as thread-safe as ctx.ingest (IngestPipeline: thread-safe).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/json_writer.h"
#include "common/status.h"
#include "ingest/ingest_decoder.h"

namespace vigia {

struct ServerContext;

// The fields every audit event of the server's own starts with.
struct OwnAudit {
  std::string_view action = {};     // `entity.verb` of the action catalogue
  std::string_view actor = {};      // who asked: an API key id, `node:<id>`, `cli:<user>`, `vigia`
  std::string_view entity = {};     // what it acted on
  std::string_view entity_id = {};  // which one
  int64_t ts_ns = 0;                // the event time; 0: none (the ingest's receive time)
  std::string_view tenant = {};     // empty: the default tenant
};

// Opens `w`'s object with ts (when set), kind=audit, service=vigia, tenant (when set),
// action, actor, entity and entity_id; the caller adds the rest (outcome, msg, details ...)
// and calls EndObject.
void BeginOwnAuditEvent(JsonWriter* w, const OwnAudit& a);

// Ingests `ndjson` (one line or several, built by the server) as the server's own events.
// Unavailable when the server runs without an ingest pipeline.
Result<DecodeResult> IngestOwnEvents(const ServerContext& ctx, std::string_view ndjson);

// IngestOwnEvents for callers with nothing to do on failure but say so: a warning naming
// `what` when the events are not stored or some are rejected.
void RecordOwnEvents(const ServerContext& ctx, std::string_view ndjson, std::string_view what);

}  // namespace vigia

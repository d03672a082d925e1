// The audit export as CSV, for auditors who open it in a spreadsheet, still "with the
// proof": every record's exact hashed payload, its hashes and the signed checkpoints, so
// `vigia audit verify --export FILE` checks a CSV export alone, like the NDJSON one
// (audit_log.h). RFC 4180 (comma, "" inside quoted fields, CRLF or LF), one header row:
//
//   type,tenant,seq,ts,time,action,actor,entity,entity_id,outcome,prev,hash,sig,event
//   meta,acme,,,,,,,,,,,,"{""vigia_audit_export"":1,""format"":""csv"",""public_key"":""<hex>""}"
//   record,acme,1,<ns>,<RFC 3339>,order.updated,ana,order,7,success,<hex>,<hex>,,"<payload>"
//   batch,acme,2,<ns>,<RFC 3339>,,,,,,<hex>,<hex>,,"{""count"":2,""batch"":""<payload hex>""}"
//   event,acme,2,<ns>,<RFC 3339>,order.updated,ana,order,8,success,,,,"<event JSON>"
//   event,acme,3,<ns>,<RFC 3339>,order.updated,ana,order,9,success,,,,"<event JSON>"
//   checkpoint,acme,20,<ns>,<RFC 3339>,,,,,,,<hex>,<sig hex>,
//
// A `record` row is a v1 record (ledger_record.h): `event` is the exact payload the hash
// covers. A `batch` row is a v2 batch record (its hashed codec bytes in hex), followed by one
// `event` row per event (its canonical JSON), which the verifier checks against the decoded
// batch (export_batch_lines.h). time, action, actor, entity, entity_id and
// outcome are copies for reading and filtering; the verifier checks that each agrees with
// the hashed payload, so editing one is reported like editing the event.
//
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "audit/ledger_verifier.h"
#include "common/env.h"
#include "common/status.h"

namespace vigia::audit {

inline constexpr std::string_view kCsvExportHeader =
    "type,tenant,seq,ts,time,action,actor,entity,entity_id,outcome,prev,hash,sig,event";

// Writes the CSV export of `tenant` through `out` (called with successive chunks).
Status WriteAuditExportCsv(Env* env, const std::string& audit_dir, std::string_view tenant,
                           const std::function<void(std::string_view)>& out);

// Verifies a CSV export's text (key: options', else the export's own, as for NDJSON).
Result<TenantReport> VerifyAuditExportCsv(std::string_view text, VerifyOptions options);

}  // namespace vigia::audit

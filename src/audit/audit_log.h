// The audit trail read back: records of one tenant's chain, in chain order, filtered by
// actor, entity, entity id, action and time (GET /v1/audit, `vigia audit log`), each with
// its chain position and hashes; and the export "with the proof" — the whole chain and its
// signed checkpoints as NDJSON — that an auditor verifies alone (`vigia audit verify
// --export FILE`):
//
//   {"vigia_audit_export":1,"tenant":"acme","public_key":"<64 hex>"}
//   {"seq":1,"ts":<ns>,"prev":"<hex>","hash":"<hex>","event":"<the payload, a JSON string>"}
//   ...
//   {"checkpoint":{"tenant":"acme","seq":1200,"hash":"<hex>","ts":<ns>,"sig":"<hex>"}}
//
// `event` is the exact payload text the hash covers, as a JSON string so that no re-encoding
// of the event can change a byte.
//
// Thread-safety: pure functions over files; safe to run while the ledger appends (a reader
// sees the records complete when it opened the file; a record being written is not yet
// visible).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "audit/ledger_record.h"
#include "audit/ledger_verifier.h"
#include "common/env.h"
#include "common/status.h"

namespace vigia::audit {

struct AuditFilter {
  std::string actor, entity, entity_id, action;  // empty = any
  int64_t since_ns = std::numeric_limits<int64_t>::min();
  int64_t until_ns = std::numeric_limits<int64_t>::max();
  uint64_t limit = std::numeric_limits<uint64_t>::max();
};

// True when the record's payload matches every set filter field.
bool MatchesFilter(const LedgerRecord& rec, const AuditFilter& filter);

// Calls emit for each matching record of `tenant`'s chain (in order) until it returns false
// or `filter.limit` records were emitted. A tenant with no chain yields nothing.
Status ScanAuditLog(Env* env, const std::string& audit_dir, std::string_view tenant,
                    const AuditFilter& filter,
                    const std::function<bool(const LedgerRecord&)>& emit);

// Records per action (the `action` field; "" for records without one) of `tenant`'s chain
// within filter's time range (the other filter fields apply too).
Result<std::map<std::string, uint64_t>> CountActions(Env* env, const std::string& audit_dir,
                                                     std::string_view tenant,
                                                     const AuditFilter& filter);

// The tenants that have a chain.
Result<std::vector<std::string>> AuditTenants(Env* env, const std::string& audit_dir);

// One export line of a record (no newline).
std::string ExportRecordLine(const LedgerRecord& rec);
// Writes the whole export of `tenant` through `out` (called with successive chunks).
Status WriteAuditExport(Env* env, const std::string& audit_dir, std::string_view tenant,
                        const std::function<void(std::string_view)>& out);
// Verifies an export's text, NDJSON or CSV (export_csv.h) (public key: options', else the export's
// own — then the report says so only by signatures_checked; an auditor should pass the key they
// trust).
Result<TenantReport> VerifyAuditExport(std::string_view text, VerifyOptions options);

}  // namespace vigia::audit

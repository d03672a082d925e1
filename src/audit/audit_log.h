// The audit trail read back: events of one tenant's chain, in chain order, filtered by
// actor, entity, entity id, action and time (GET /v1/audit, `vigia audit log`), each with
// its chain position (its record's first position and its index in it) and hashes; and the
// export "with the proof" — the whole chain and its signed checkpoints as NDJSON — that an
// auditor verifies alone (`vigia audit verify --export FILE`):
//
//   {"vigia_audit_export":1,"tenant":"acme","public_key":"<64 hex>"}
//   {"seq":1,"ts":<ns>,"prev":"<hex>","hash":"<hex>","event":"<the payload, a JSON string>"}
//   {"seq":2,"count":3,"ts":<ns>,"prev":"<hex>","hash":"<hex>","batch":"<payload hex>"}
//   {"seq":2,"record":2,"index":0,"event":"<event JSON, a JSON string>"}
//   {"seq":3,"record":2,"index":1,"event":"..."}
//   {"seq":4,"record":2,"index":2,"event":"..."}
//   ...
//   {"checkpoint":{"tenant":"acme","seq":1200,"hash":"<hex>","ts":<ns>,"sig":"<hex>"}}
//
// A v1 record (ledger_record.h) is one line: `event` is the exact payload text the hash
// covers, as a JSON string so that no re-encoding of the event can change a byte. A v2 batch
// record is its line — `batch`, the exact codec bytes hashed, in hex — followed by one line
// per event, its canonical JSON for reading; the verifier decodes `batch` and checks that
// every event line agrees with it, so editing an event line is reported like editing the
// record. The proof of one event is its whole batch record (an export filtered to one
// entity would carry each matching event's batch record; the exports here are whole chains).
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

#include "audit/ledger_events.h"
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

// True when the event's payload matches every set filter field.
bool MatchesFilter(const LedgerEvent& ev, const AuditFilter& filter);

// Calls emit for each matching event of `tenant`'s chain (in order) until it returns false
// or `filter.limit` events were emitted. A tenant with no chain yields nothing; a v2 record
// whose payload does not decode is passed over (`vigia audit verify` names it).
Status ScanAuditLog(Env* env, const std::string& audit_dir, std::string_view tenant,
                    const AuditFilter& filter, const std::function<bool(const LedgerEvent&)>& emit);

// Calls emit for each record of `tenant`'s chain (in order) until it returns false.
Status ScanLedgerRecords(Env* env, const std::string& audit_dir, std::string_view tenant,
                         const std::function<bool(const LedgerRecord&)>& emit);

// Events per action (the `action` field; "" for records without one) of `tenant`'s chain
// within filter's time range (the other filter fields apply too).
Result<std::map<std::string, uint64_t>> CountActions(Env* env, const std::string& audit_dir,
                                                     std::string_view tenant,
                                                     const AuditFilter& filter);

// The tenants that have a chain.
Result<std::vector<std::string>> AuditTenants(Env* env, const std::string& audit_dir);

// The export lines of a record (each ending with a newline): one for v1, 1 + count for v2.
Status AppendExportRecordLines(const LedgerRecord& rec, std::string* out);
// Writes the whole export of `tenant` through `out` (called with successive chunks).
Status WriteAuditExport(Env* env, const std::string& audit_dir, std::string_view tenant,
                        const std::function<void(std::string_view)>& out);
// Verifies an export's text, NDJSON or CSV (export_csv.h) (public key: options', else the export's
// own — then the report says so only by signatures_checked; an auditor should pass the key they
// trust).
Result<TenantReport> VerifyAuditExport(std::string_view text, VerifyOptions options);

}  // namespace vigia::audit

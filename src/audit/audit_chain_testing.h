// Test helpers for the audit chain (audit_ledger.h, audit_chainer.h), shared by the tests
// that check what a chain holds after chaining, crashes, restarts and restores
// (audit_chainer_test, audit_backup_test): the entity ids a tenant's chain holds, in chain
// order, and whether every chain under an audit directory verifies.
//
// Thread-safety: free functions over files; safe to call from any thread while nothing
// writes the ledger.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "audit/ledger_verifier.h"
#include "common/env.h"
#include "common/status.h"

namespace vigia::testing {

using audit::AuditFilter;
using audit::ChainBreak;
using audit::LedgerRecord;
using audit::TenantReport;

// The `entity_id` of every record of `tenant`'s chain under `audit_dir`, in chain order.
// Corruption when a record has no entity_id (the tests' events all carry one).
inline Result<std::vector<std::string>> ChainEntityIds(const std::string& audit_dir,
                                                       const std::string& tenant) {
  std::vector<std::string> ids;
  Status missing = Status::Ok();
  Status st = ScanAuditLog(
      Env::Default(), audit_dir, tenant, AuditFilter{}, [&](const audit::LedgerEvent& rec) {
        std::string_view p = rec.payload;
        size_t at = p.find("\"entity_id\":\"");
        if (at == std::string_view::npos) {
          missing = Status::Corruption("a record without entity_id: " + std::string(p));
          return false;
        }
        at += 13;
        ids.emplace_back(p.substr(at, p.find('"', at) - at));
        return true;
      });
  if (!st.ok()) return st;
  if (!missing.ok()) return missing;
  return ids;
}

// Verifies every chain under `audit_dir` (VerifyLedgerDir, the key in signing.pub): OK when
// all verify, else Corruption naming each tenant's first break. *chains (optional) gets how
// many chains there are.
inline Status VerifyAllChains(const std::string& audit_dir, size_t* chains = nullptr) {
  Result<std::vector<TenantReport>> r = audit::VerifyLedgerDir(Env::Default(), audit_dir, {});
  if (!r.ok()) return r.status();
  if (chains != nullptr) *chains = r->size();
  std::string bad;
  for (const TenantReport& t : *r) {
    if (t.ok()) continue;
    const ChainBreak& b = t.breaks.front();
    bad += "tenant '" + t.tenant + "': " + std::string(audit::TamperKindName(b.kind)) +
           " at record " + std::to_string(b.seq) + " (" + b.detail + "); ";
  }
  return bad.empty() ? Status::Ok() : Status::Corruption(bad);
}

}  // namespace vigia::testing

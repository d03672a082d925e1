#include "audit/cluster_verifier.h"

#include <algorithm>

#include "audit/checkpoint.h"
#include "audit/ledger_reader.h"

namespace vigia::audit {

bool LogReport::ok() const {
  if (missing || !trusted) return false;
  for (const TenantReport& t : tenants) {
    if (!t.ok()) return false;
  }
  return true;
}

bool ClusterReport::ok() const {
  for (const LogReport& l : logs) {
    if (!l.ok()) return false;
  }
  return true;
}

uint64_t ClusterReport::records() const {
  uint64_t n = 0;
  for (const LogReport& l : logs) {
    for (const TenantReport& t : l.tenants) n += t.records;
  }
  return n;
}

uint64_t ClusterReport::events() const {
  uint64_t n = 0;
  for (const LogReport& l : logs) {
    for (const TenantReport& t : l.tenants) n += t.events;
  }
  return n;
}

Result<ClusterReport> VerifyCluster(ClusterLedgerStore* store,
                                    const ClusterVerifyOptions& options) {
  ClusterReport report;
  VIGIA_ASSIGN_OR_RETURN(std::vector<PublishedLog> logs, store->Logs());
  auto pinned = [&](const std::string& key) {
    return std::find(options.trusted_keys.begin(), options.trusted_keys.end(), key) !=
           options.trusted_keys.end();
  };
  for (const std::string& key : options.trusted_keys) {
    bool found = std::any_of(logs.begin(), logs.end(),
                             [&](const PublishedLog& l) { return l.public_key_hex == key; });
    if (!found) logs.push_back({key, {}});
  }
  std::sort(logs.begin(), logs.end(), [](const PublishedLog& a, const PublishedLog& b) {
    return a.public_key_hex < b.public_key_hex;
  });
  for (PublishedLog& log : logs) {
    LogReport lr;
    lr.public_key_hex = log.public_key_hex;
    lr.nodes = std::move(log.nodes);
    lr.own = !options.own_key.empty() && log.public_key_hex == options.own_key;
    lr.pinned = pinned(log.public_key_hex);
    lr.trusted = lr.own || lr.pinned || options.trusted_keys.empty();
    VIGIA_ASSIGN_OR_RETURN(std::vector<std::string> tenants, store->Tenants(lr.public_key_hex));
    lr.missing = lr.pinned && tenants.empty() && lr.nodes.empty();
    VerifyOptions vo;
    vo.public_key_hex = lr.public_key_hex;
    for (const std::string& tenant : tenants) {
      if (!options.all_tenants && tenant != options.tenant) continue;
      // Checkpoints first: the mirror appends a checkpoint only after its records.
      VIGIA_ASSIGN_OR_RETURN(std::vector<std::string> lines,
                             store->ReadCheckpoints(lr.public_key_hex, tenant));
      std::vector<Checkpoint> cps;
      uint64_t bad = 0;
      for (const std::string& line : lines) {
        Checkpoint c;
        if (ParseCheckpointJson(line, &c)) {
          cps.push_back(std::move(c));
        } else {
          ++bad;
        }
      }
      VIGIA_ASSIGN_OR_RETURN(std::string bytes,
                             store->ReadChain(lr.public_key_hex, tenant, options.max_chain_bytes));
      LedgerReader reader(std::move(bytes));
      VIGIA_ASSIGN_OR_RETURN(TenantReport tr, VerifyChain(tenant, &reader, cps, vo));
      if (bad > 0) {
        tr.breaks.push_back({TamperKind::kForged, 0, 0,
                             std::to_string(bad) + " checkpoint row(s) do not parse", 0, 0});
      }
      lr.tenants.push_back(std::move(tr));
    }
    report.logs.push_back(std::move(lr));
  }
  return report;
}

}  // namespace vigia::audit

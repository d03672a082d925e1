// VerifyCluster: the audit verification of a whole cluster (storage.backend = "clickhouse"):
// every log in the ClusterLedgerStore (cluster_ledger_store.h: one per node key), every tenant's
// chain in it, read back from the store and checked by the same verifier as a ledger file
// (ledger_verifier.h: VerifyChain over the chain's bytes), so each break is named per node and
// tenant the way `vigia audit verify` names it — edited, deleted, inserted, reordered,
// truncated, forged (a checkpoint whose signature does not verify), malformed.
//
// Trust in the keys (docs/security.md, "The audit ledger in a cluster"): each log's
// checkpoints are checked with the log's own key — which proves they were signed by whoever
// holds that key's secret half, not that the key is a node's. `trusted_keys` pins the keys of
// the cluster's nodes (audit.trusted_keys): then a log with another key is reported
// (`trusted` false: someone with write access to the store made it), and a pinned key with no
// rows is reported `missing` (its log was deleted, or the node never mirrored). `own_key` —
// the verifying node's own — is always trusted. Without pins a log is as trustworthy as the
// store's write access.
//
// Checkpoints are read before records, so a verifier running while a mirror appends never sees
// a checkpoint whose records are not there yet (the mirror appends records first).
//
// Thread-safety: a pure function over the store (thread-safe).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/cluster_ledger_store.h"
#include "audit/ledger_verifier.h"
#include "common/limits.h"
#include "common/status.h"

namespace vigia::audit {

struct ClusterVerifyOptions {
  std::vector<std::string> trusted_keys;  // pinned public keys (hex); empty: none pinned
  std::string own_key;                    // the verifying node's key: always trusted
  // Only this tenant's chains ("" with all_tenants: every tenant).
  std::string tenant;
  bool all_tenants = true;
  uint64_t max_chain_bytes = limits::kMaxClusterAuditChainBytes;
};

struct LogReport {
  std::string public_key_hex;
  std::vector<std::string> nodes;  // the node ids that published the key
  bool own = false;                // the verifying node's key
  bool pinned = false;             // in trusted_keys
  bool trusted = true;             // own, pinned, or nothing pinned
  bool missing = false;            // pinned, and the store holds nothing of it
  std::vector<TenantReport> tenants;
  bool ok() const;
};

struct ClusterReport {
  std::vector<LogReport> logs;  // by key
  bool ok() const;
  uint64_t records() const;  // ledger records read, every log
  uint64_t events() const;   // audit events (chain positions) in them
};

Result<ClusterReport> VerifyCluster(ClusterLedgerStore* store, const ClusterVerifyOptions& options);

}  // namespace vigia::audit

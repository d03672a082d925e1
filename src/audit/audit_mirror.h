// AuditMirror: copies a node's audit ledger — every tenant's chain records and signed
// checkpoints under <data>/audit — into the cluster's ClusterLedgerStore (cluster_ledger_store.h),
// in chain order, so that any node can verify this node's chains (cluster_verifier.h). The
// ledger on the node stays the source: the mirror only ever appends what the ledger holds.
//
// A round (RunOnce, the audit module's `audit.mirror` task every kAuditMirrorIntervalMs):
//   1. publishes the node's key under its node id (once per process, and after a failure);
//   2. when it does not know the store's position (at start, after any failure), reads each
//      tenant's head of this node's log from the store — so a restart, a crash or a failed
//      INSERT whose answer was lost resumes exactly where the store is, and re-sending a row
//      the store has is harmless (identical rows are one row);
//   3. fsyncs the ledger (AuditLedger::Sync): only durable records are mirrored, so a power
//      loss cannot leave the store with records the node's ledger no longer has;
//   4. per tenant, reads ledger.bin from where the last round stopped (an offset, checked
//      against the position expected there; read from the start after a retention prune
//      rewrote the file) up to the last whole record, and appends the records after the
//      store's head in INSERTs of up to kAuditMirrorBatchBytes;
//   5. appends the checkpoints after the store's last one whose position the mirrored records
//      reach — never a checkpoint before the records it vouches for, so a verifier never sees
//      a sealed position that is not there yet (it reads checkpoints before records).
// A failed round changes nothing locally; the next one starts at step 2.
//
// Thread-safety: thread-safe; rounds serialize on a mutex (the audit module's task and the
// cluster verify route, which runs one round first, both call RunOnce).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "audit/audit_ledger.h"
#include "audit/cluster_ledger_store.h"
#include "common/env.h"
#include "common/limits.h"
#include "common/status.h"

namespace vigia::audit {

struct AuditMirrorOptions {
  AuditLedger* ledger = nullptr;        // the node's ledger (its dir, key; synced each round)
  ClusterLedgerStore* store = nullptr;  // where the log goes
  std::string node;                     // this node's id (cluster.node_id)
  Env* env = nullptr;                   // nullptr = Env::Default()
  size_t batch_bytes = limits::kAuditMirrorBatchBytes;
};

struct AuditMirrorStats {
  uint64_t records = 0;      // records appended to the store since start (re-sends included)
  uint64_t checkpoints = 0;  // checkpoints appended since start
  uint64_t rounds = 0;
  uint64_t failures = 0;
  std::string error;  // of the last round ("" when it succeeded)
};

class AuditMirror {
 public:
  // REQUIRES: options.ledger and options.store outlive the mirror.
  explicit AuditMirror(AuditMirrorOptions options);

  // One round (above). OK when everything the ledger held durably at its start is in the store.
  Status RunOnce();
  AuditMirrorStats stats() const;
  const std::string& public_key_hex() const { return options_.ledger->key().public_key_hex(); }

 private:
  struct Tenant {
    MirroredHead head;        // what the store has
    uint64_t offset = 0;      // in ledger.bin: the end of the last record known to be mirrored
    uint64_t offset_seq = 0;  // the position the record at `offset` starts with
    // checkpoints.ndjson: the end of the last whole line read (a prune rewrites the file
    // shorter: then from its start).
    uint64_t checkpoints_offset = 0;
  };
  Status Round();
  Status MirrorChain(const std::string& tenant, const std::string& dir, Tenant* t);

  const AuditMirrorOptions options_;
  Env* const env_;
  std::mutex run_mu_;   // one round at a time
  bool known_ = false;  // tenants_ reflects the store (false at start and after a failure)
  bool published_ = false;
  std::map<std::string, Tenant> tenants_;
  mutable std::mutex stats_mu_;
  AuditMirrorStats stats_;
};

}  // namespace vigia::audit

// AuditLedger: the tamper-evident audit trail (docs/architecture.md, "Audit"). Every
// kind=audit event the server acknowledges is appended, in the order its batch reached the
// WAL, to its tenant's hash chain in <data>/audit/t-<tenant>/ledger.bin (ledger_record.h),
// independent of the store: part merges and log retention never touch it. Checkpoint()
// signs each chain's head with the server's Ed25519 key (checkpoint.h).
//
// The server feeds it from the ingest pipeline's commit hook (IngestPipeline::Submit, after
// the WAL append succeeded and before the client is answered), so the chain holds exactly
// the acknowledged audit events: an event whose WAL append failed is not chained, and a
// chained event's batch is in the WAL. A crash between the two appends leaves an
// unacknowledged event in the WAL but not in the chain (the client retries it).
//
// Durability follows the WAL's: `sync_each_append` (wal.fsync = always) fsyncs before
// Append returns; otherwise Sync() (the server's audit.sync task, every
// wal.sync_interval_ms) does. A torn tail left by a crash (only possible for records whose
// append had not returned, so never acknowledged ones) is cut when the ledger opens.
//
// Records: AppendAuditEvents writes v2 batch records (ledger_record.h) — a tenant's audit
// events of one batch in the WAL's batch codec under one SHA-256 — so the chain costs one
// encoding and one hash per tenant and batch (no encoding for a batch of one tenant's audit
// events only, given the WAL's bytes), not a JSON encoding and a hash per event. A
// ledger written by v1 (one record per event) is opened and continued as it is. Chain
// lengths (Heads(), checkpoints, the chainer's positions) count events.
//
// Thread-safety: thread-safe; appends of all tenants serialize on one mutex (each is an
// encoding, a hash and one write(2)).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "audit/checkpoint.h"
#include "audit/ledger_record.h"
#include "common/env.h"
#include "common/status.h"
#include "event/event.h"
#include "store/wal/batch_codec.h"

namespace vigia::audit {

struct AuditLedgerOptions {
  std::string dir;     // <data>/audit
  Env* env = nullptr;  // nullptr = Env::Default()
  bool sync_each_append = false;
};

struct ChainHead {
  std::string tenant;
  uint64_t seq = 0;  // records in the chain
  Hash hash{};       // of record `seq` (the genesis hash when empty)
  uint64_t checkpointed_seq = 0;
};

class AuditLedger {
 public:
  // Creates the directory and the signing key when missing; finds each tenant's head (its
  // last record, read from the end of ledger.bin) and cuts a torn tail.
  static Result<std::unique_ptr<AuditLedger>> Open(AuditLedgerOptions options);
  ~AuditLedger();

  // Chains every kind=audit event of `batch`. `tenant`: who sent the batch; empty = each
  // event's own `tenant` field (empty for the default tenant). Each tenant's events of the
  // batch are written with one append, tenant by tenant: on error the failing tenant's
  // ledger is left as it was, but the tenants written before it keep their records.
  // `skip` (the chainer, audit_chainer.h): per tenant, how many of its next audit events are
  // chained already; those are passed over. On success the counts go down by what was
  // passed over (spent ones removed: an empty map skips nothing). On error each tenant
  // whose records were written gets their number added, so calling again with the same
  // map chains only what is missing — a retry never chains a tenant's events twice.
  // `audit` (optional): the batch codec encoding of exactly the batch's audit events, in
  // order, with their offsets (the chainer cuts it from the WAL's bytes: the WAL's own bytes
  // for a batch of audit events only). A tenant's record of all of them is those bytes as
  // they are, of some a cut of them (batch_codec::CutEvents) — no event is encoded again.
  // Without it each tenant's events are encoded from the batch. Either way each record
  // decodes to the tenant's events; the bytes can differ (a cut keeps the whole batch's name
  // table), which nothing compares: the chain covers the bytes that are written.
  using SkipCounts = std::map<std::string, uint64_t, std::less<>>;
  Status AppendAuditEvents(std::string_view tenant, const EventBatch& batch,
                           SkipCounts* skip = nullptr,
                           const batch_codec::EncodedEvents& audit = {});

  // Chains one canonical JSON payload as a v1 record (tests, tools: what a v1 ledger holds).
  // Returns its seq.
  Result<uint64_t> AppendPayload(std::string_view tenant, int64_t ts_ns, std::string_view payload);

  // fsyncs every ledger written since the last Sync.
  Status Sync();
  // Signs and appends a checkpoint for every chain that grew since its last one.
  Status Checkpoint(int64_t now_ns);

  // Audit retention, in whole checkpointed segments: for each chain, the records up to the
  // newest checkpoint signed before `cutoff_ns` (keeping at least the head record) are
  // dropped, and the checkpoints before that one. The kept checkpoint anchors the chain:
  // its first record links to that checkpoint's signed hash, so the verifier checks
  // everything kept from it (ledger_verifier.h, "pruned"). Appends go on meanwhile (the
  // kept records are copied to a new file, the last bytes under the lock, then renamed).
  // Returns the records dropped.
  Result<uint64_t> Prune(int64_t cutoff_ns);

  std::vector<ChainHead> Heads() const;
  // Events chained (positions taken) since Open.
  uint64_t records_appended() const { return appended_.load(std::memory_order_relaxed); }
  const SigningKey& key() const { return key_; }
  const std::string& dir() const { return options_.dir; }

 private:
  struct Chain {
    std::string tenant;
    std::string dir;
    std::unique_ptr<WritableFile> file;
    uint64_t seq = 0;
    Hash head{};
    uint64_t checkpointed_seq = 0;
    bool dirty = false;  // appended since the last Sync
    // After a failed write whose clean-up could not reopen the file (a read-only disk):
    // file is null and the next use cuts ledger.bin back to `reopen_size` (the end of its
    // last whole record; kNoCut: nothing to cut) and reopens it (EnsureOpen).
    static constexpr uint64_t kNoCut = UINT64_MAX;
    uint64_t reopen_size = kNoCut;
  };
  AuditLedger(AuditLedgerOptions options, SigningKey key);
  Result<uint64_t> PruneChain(Chain* chain, int64_t cutoff_ns);
  Result<Chain*> ChainFor(std::string_view tenant);  // REQUIRES: mu_ held
  Status OpenChain(const std::string& tenant, Chain* chain);
  Status Write(Chain* chain, const std::string& bytes, uint64_t records, const Hash& head);
  Status EnsureOpen(Chain* chain);  // REQUIRES: mu_ held

  const AuditLedgerOptions options_;
  Env* const env_;
  const SigningKey key_;
  mutable std::mutex mu_;
  std::mutex prune_mu_;  // held by Prune (taken before mu_)
  std::map<std::string, std::unique_ptr<Chain>, std::less<>> chains_;
  std::atomic<uint64_t> appended_{0};
};

}  // namespace vigia::audit

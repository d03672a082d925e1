// AuditChainer: chains the audit events of the store's WAL into the AuditLedger on its own
// thread, after the clients were answered (docs/storage-format.md, "Audit ledger", crash
// contract). The ingest thread pays a look for audit events and a queue push per batch, and
// for a batch holding audit events a copy of their bytes out of the WAL's payload (the batch
// codec bytes: the whole payload for a batch of audit events only, else each audit event's
// bytes cut out, audit_bytes.h); each tenant's batch record (those bytes, or a cut of them,
// and one SHA-256, ledger_record.h v2) is computed here.
//
// Source: the WAL, the store's durable record of what was acknowledged. The chainer is the
// store's WalObserver (store.h): the WAL's commit hook hands it every written batch in
// sequence order (a shared pointer, and the WAL's bytes with each event's offset),
// so each tenant's chain is in WAL order. The
// chainer then holds the WAL: no flush, close or erase deletes a segment holding a record it
// has not durably passed (ReleasedSeq); an erase asks it to pass them at once (Release).
//
// Durable position: <audit>/chained.pos (audit_file_names.h) names the last WAL sequence
// whose audit events are all in the ledger and each tenant's chain length at that moment. It
// is rewritten (tmp + fsync + rename) after the ledger's fsync, per drained group of batches
// under wal.fsync = always, else at most every sync_interval_ms — then ReleasedSeq moves.
// The interval is the chain's own, not the WAL's: the WAL is the durable copy of what the
// position has not passed, so a longer interval costs a longer catch-up, never an event.
// Start() catches up before returning: the WAL records after that position are read back
// (Store::ReadWal) and their audit events chained (encoded from the decoded batch: the same
// events, in bytes that may differ from a cut's, batch_codec.h), except, per tenant, the
// first (chain length now − chain length in chained.pos): those were chained after the
// position was last written (a crash between the chaining and the position), so nothing is
// chained twice. The per-tenant skip is exact because a tenant's events are chained in WAL
// order, each once.
// Without a chained.pos (a data directory of a version that chained on the acknowledgement
// path, or a new one) everything written before Start counts as chained.
//
// Back-pressure: Admit() (the audit module's ingest gate, for batches holding audit events)
// waits while the queued batches hold more than max_lag_bytes, up to stall_max_ms, then
// fails with Unavailable (503 + Retry-After): memory stays bounded when chaining falls behind
// (limits::kAuditChainMaxLagBytes).
//
// A ledger write that fails (disk full) is retried every second, the batch kept at the head
// of the queue; lag() and health() say so, and Admit() refuses once the bound is reached.
// A batch holding several tenants' audit events is written tenant by tenant: when a later
// tenant's write fails, the retry passes over the tenants already written (skip_), so no
// event is chained twice; a Stop or crash meanwhile leaves a position that says so too.
//
// Thread-safety: thread-safe. Written runs on the WAL's leader thread: it looks for audit
// events in the batch, copies their bytes out of the WAL's, and queues.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "audit/audit_bytes.h"
#include "audit/audit_ledger.h"
#include "common/env.h"
#include "common/limits.h"
#include "common/status.h"
#include "store/store.h"

namespace vigia::audit {

struct AuditChainerOptions {
  Store* store = nullptr;         // not owned; required
  AuditLedger* ledger = nullptr;  // not owned; required; chained only by this chainer
  Env* env = nullptr;             // nullptr = Env::Default()
  // Position written (ledger fsync'd) after every drained group (wal.fsync = always), else
  // at most every sync_interval_ms (audit.sync_interval_ms; limits.h says why 1 s).
  bool sync_each_group = false;
  int sync_interval_ms = limits::kAuditChainSyncIntervalMs;
  uint64_t max_lag_bytes = limits::kAuditChainMaxLagBytes;
  int stall_max_ms = limits::kAuditChainStallMaxMs;
};

// What is written to the WAL and not chained yet.
struct AuditChainLag {
  uint64_t batches = 0;
  uint64_t events = 0;             // every event of those batches (audit or not: not looked at yet)
  uint64_t bytes = 0;              // their memory (EventBatch::MemoryUsage)
  uint64_t written_seq = 0;        // last WAL record handed to the chainer
  uint64_t chained_seq = 0;        // last WAL record whose audit events are in the ledger
  uint64_t durable_seq = 0;        // ... and fsync'd with chained.pos (ReleasedSeq)
  uint64_t caught_up_records = 0;  // WAL records read back by Start (after a restart)
  uint64_t skipped_events = 0;     // of those, audit events found already chained
  // How long the oldest unchained batch has waited since its WAL write (Env monotonic
  // clock); 0 when nothing waits.
  int64_t behind_ns = 0;
  uint64_t chained_events = 0;  // audit events this chainer appended to the ledger (catch-up too)
  uint64_t failures = 0;        // failed ledger writes and position writes (each retry counts)
  std::string error;            // the failure being retried now; empty when healthy
  std::string last_error;       // the latest failure ever (kept after recovery); empty if none
};

class AuditChainer final : public WalObserver {
 public:
  // Reads chained.pos, attaches to the store, chains the WAL records after the position
  // (catch-up), writes the position and starts the thread.
  static Result<std::unique_ptr<AuditChainer>> Start(AuditChainerOptions options);
  ~AuditChainer() override;  // Stop()

  // Chains everything queued, syncs the ledger, writes the position, detaches from the
  // store (which keeps the WAL from the position on). Idempotent.
  Status Stop();

  // WalObserver.
  void Written(uint64_t seq, const std::shared_ptr<const EventBatch>& batch,
               const batch_codec::EncodedEvents& encoded) override;
  uint64_t ReleasedSeq() const override;
  // Chains the queued records up to `seq` and persists the position at once (not at the next
  // sync interval), then returns as ReleasedSeq() >= seq; false after timeout_ms, or when
  // stopped before.
  bool Release(uint64_t seq, int timeout_ms) override;

  // Waits until every record written before the call is chained (not necessarily fsync'd),
  // at most timeout_ms; true when it is.
  bool WaitChained(int timeout_ms);
  // Back-pressure for a batch with audit events (see above).
  Status Admit();

  AuditChainLag lag() const;
  // OK, or the error of the ledger write being retried.
  Status health() const;

 private:
  struct Entry {
    uint64_t seq;
    std::shared_ptr<const EventBatch> batch;
    bool audit;  // it holds audit events (else nothing to chain)
    // The batch's audit events' bytes, taken from the WAL's (audit_bytes.h); null when it
    // holds none (or, a bug, when they did not cut: the ledger then encodes them).
    std::shared_ptr<const AuditBytes> audit_bytes;
    int64_t written_ns;  // env_->MonotonicNanos() when handed over
    uint64_t bytes;      // memory held: the batch's and the copy's
  };
  explicit AuditChainer(AuditChainerOptions options);
  // Chains the WAL records after chained.pos up to `last` (the records up to it were
  // written before the attach; later ones are queued).
  Status CatchUp(uint64_t last);
  Status Persist();                      // REQUIRES: chain_mu_ held (the chaining thread or Stop)
  void RecordFailure(const Status& st);  // REQUIRES: mu_ held
  void Run();

  const AuditChainerOptions options_;
  Env* const env_;

  // Chaining state: the thread, or Start/Stop when it is not running.
  std::mutex chain_mu_;
  // Per tenant, audit events in the ledger beyond chained_seq_: during the catch-up, and
  // while a batch whose ledger write failed for one tenant waits for its retry (the tenants
  // written before it are passed over then). Persist subtracts them from the chain lengths.
  AuditLedger::SkipCounts skip_;  // guarded by chain_mu_
  uint64_t persisted_seq_ = 0;    // guarded by chain_mu_
  int64_t persisted_at_ns_ = 0;   // guarded by chain_mu_

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // entries queued, or stop
  std::condition_variable done_cv_;  // progress (chained_seq_ or the queue shrank)
  std::deque<Entry> queue_;          // guarded by mu_
  uint64_t queued_events_ = 0;       // guarded by mu_
  uint64_t queued_bytes_ = 0;        // guarded by mu_
  uint64_t written_seq_ = 0;         // guarded by mu_
  uint64_t chained_seq_ = 0;         // guarded by mu_
  uint64_t release_wanted_ = 0;      // guarded by mu_; Release: persist up to here at once
  uint64_t caught_up_records_ = 0;   // guarded by mu_
  uint64_t skipped_events_ = 0;      // guarded by mu_
  Status error_;                     // guarded by mu_
  std::string last_error_;           // guarded by mu_
  uint64_t failures_ = 0;            // guarded by mu_
  uint64_t chained_events_ = 0;      // guarded by mu_
  bool stop_ = false;                // guarded by mu_
  bool stopped_ = false;             // guarded by mu_
  std::atomic<uint64_t> released_seq_{0};
  std::thread thread_;
};

}  // namespace vigia::audit

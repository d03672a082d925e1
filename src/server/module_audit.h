// AuditModule: the tamper-evident audit trail of `vigia serve` (src/audit/). Opens the
// ledger under <data>/audit (making the Ed25519 signing key on first start) and starts its
// chainer (audit/audit_chainer.h), which the store hands every WAL record: every kind=audit
// event the WAL holds — clients' and vigia's own admin actions alike, since those are
// ingested like any event — is chained on the chainer's thread, after the client was
// answered; at start the WAL's records after the chained position are chained first, and
// the store keeps WAL segments until they are chained (crash contract:
// docs/storage-format.md, "Audit ledger"). It must start after the store and before the
// ingest module. It is an ingest gate too: batches with audit events wait (then 503) while
// the chainer is more than limits::kAuditChainMaxLagBytes behind. A store without a WAL to
// observe (Store::AttachWalObserver fails) gets the older path instead: an ingest commit
// hook chaining on the ingest thread before the answer (audit.sync fsyncs at the WAL's
// interval).
// Periodic work: `audit.checkpoint` (signed checkpoints, audit.checkpoint_interval_sec) and
// with audit.retention_days `audit.retention` (hourly: whole checkpointed segments older
// than that are dropped). Stop drains the chainer and writes a last checkpoint.
// Metrics: vigia_audit_chain_lag_{batches,events,bytes,seconds} (written to the WAL, not
// chained yet; seconds: the oldest one's wait), vigia_audit_chain_error (1 while a write is
// retried), vigia_audit_chain_{events,failures}_total, vigia_audit_records_total; the same
// and the error text in GET /v1/stats "audit_chain" (ServerContext::stats_sections).
//
// It is also a BatchRedactor the ingest module runs before the store (ServerContext::
// batch_redactors): the action catalogue (audit/action_catalogue.h, audit.catalogue_file or
// the shipped default) flags each audit event's action — catalogued=false for an unknown
// one, sensitive=true for a sensitive one, missing_fields for required fields it lacks —
// counted in vigia_audit_events_total{catalogued} and vigia_audit_uncatalogued_total{action}.
//
// Routes (role read, except verify and export: admin; a key bound to a tenant sees only its
// own chain, another tenant= is 403):
//   GET /v1/audit?tenant=&actor=&entity=&entity_id=&action=&since=&until=&limit=
//       records in chain order with their position and hashes (NDJSON; format=json for one
//       object)
//   GET /v1/audit/actions?tenant=&since=&until=
//       the catalogue with each action's count in the chain, then the uncatalogued actions
//       seen, with theirs
//   GET /v1/audit/export?tenant=&format=ndjson|csv
//       the whole chain with its checkpoints (audit_log.h, audit/export_csv.h)
//   GET /v1/audit/verify?tenant=    the server's own verification report (audit verify),
//       after waiting (limits::kAuditChainWaitMs at most) for the chainer to chain what was
//       written before the request; "chain" says whether it did and how far behind it is
//   (export waits the same way; X-Vigia-Audit-Chain-Behind: <batches> when it is behind)
//   GET /v1/audit/verify?scope=cluster[&tenant=]   cluster mode: every node's log read back
//       from ClickHouse and verified (audit/cluster_verifier.h), after this node's mirror ran
//       one round; 400 with the embedded store
//   GET /v1/audit/public-key        the checkpoint signing key's public half
//
// Cluster mode (storage.backend = "clickhouse": StorageBackend::MakeClusterLedgerStore): the
// chains stay on the node, and `audit.mirror` (every limits::kAuditMirrorIntervalMs) copies
// what the ledger made durable into ClickHouse (audit/audit_mirror.h), under the node's id
// (cluster.node_id); /health degraded while it fails (it catches up by itself);
// vigia_audit_mirror_{records,checkpoints,failures}_total and vigia_audit_mirror_error.
//
// Thread-safety: see ServerModule; Committed and AdmitBatch run on every ingest thread (the
// ledger and the chainer are thread-safe).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "audit/action_catalogue.h"
#include "audit/audit_chainer.h"
#include "audit/audit_ledger.h"
#include "audit/audit_mirror.h"
#include "audit/cluster_ledger_store.h"
#include "common/limits.h"
#include "common/metric_registry.h"
#include "ingest/ingest_pipeline.h"
#include "server/server_module.h"
#include "store/store.h"

namespace vigia {

// [audit]
struct AuditModuleOptions {
  int checkpoint_interval_sec = limits::kAuditCheckpointIntervalSec;
  // A TOML file of [[action]] tables (audit/action_catalogue.h); "" = the shipped default.
  std::string catalogue_file;
  // Audit retention, separate from the logs' (retention.days): chained records older than
  // this go, in whole checkpointed segments (AuditLedger::Prune). 0 = keep forever.
  int retention_days = 0;
  // From [wal] (BuiltinServerModules copies them): the ledger is as durable as the WAL.
  FsyncPolicy fsync = FsyncPolicy::kInterval;
  int sync_interval_ms = limits::kWalSyncIntervalMs;
  // audit.sync_interval_ms: how often the chainer (store with a WAL) persists the chained
  // position under wal.fsync = interval; the WAL keeps what it has not passed, so this is not
  // a durability setting (limits::kAuditChainSyncIntervalMs).
  int chain_sync_interval_ms = limits::kAuditChainSyncIntervalMs;
  // Cluster mode (a storage backend with a ClusterLedgerStore: storage.backend = "clickhouse"):
  // the node id the mirror publishes the key under (cluster.node_id, copied by
  // BuiltinServerModules; "" = the one persisted under <data>/cluster), and
  // audit.trusted_keys: the public keys of the cluster's nodes a cluster verification trusts
  // (empty: whatever keys ClickHouse holds; audit/cluster_verifier.h).
  std::string node_id;
  std::vector<std::string> trusted_keys;
};

class AuditModule final : public ServerModule,
                          public CommitHook,
                          public BatchRedactor,
                          public IngestGate {
 public:
  explicit AuditModule(AuditModuleOptions options);
  ~AuditModule() override;

  std::string_view name() const override { return "audit"; }
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;
  Status Stop() override;
  HealthState Health(JsonWriter* details) const override;

  // CommitHook (only for a store without a WAL to observe): chains the batch's audit events.
  Status Committed(std::string_view tenant, const EventBatch& batch) override;
  // IngestGate: the chainer's back-pressure, for batches with audit events.
  Status Admit() override { return Status::Ok(); }
  Status AdmitBatch(const EventBatch& batch) override;
  // BatchRedactor: applies the action catalogue to the batch's audit events.
  void Redact(std::string_view tenant, EventBatch* batch) const override;

 private:
  const AuditModuleOptions options_;
  ServerContext* ctx_ = nullptr;
  std::unique_ptr<audit::AuditLedger> ledger_;
  // Chains off the acknowledgement path (audit/audit_chainer.h); null when the store has no
  // WAL to observe, and then Committed chains on the ingest thread.
  std::unique_ptr<audit::AuditChainer> chainer_;
  // Cluster mode: where every node's log lives, and this node's mirror into it (the task
  // `audit.mirror`); null with the embedded store.
  std::unique_ptr<audit::ClusterLedgerStore> cluster_store_;
  std::unique_ptr<audit::AuditMirror> mirror_;
  std::string node_id_;
  std::atomic<uint64_t> records_seen_{0};   // ledger records counted in records_ (collector)
  std::atomic<uint64_t> chained_seen_{0};   // chainer's chained_events counted (collector)
  std::atomic<uint64_t> failures_seen_{0};  // chainer's failures counted (collector)
  audit::ActionCatalogue catalogue_;
  Counter* catalogued_ = nullptr;
  Counter* uncatalogued_ = nullptr;
  Counter* incomplete_ = nullptr;
  Counter* records_ = nullptr;
  Counter* failures_ = nullptr;
  Counter* checkpoints_ = nullptr;
  Counter* pruned_ = nullptr;
};

}  // namespace vigia

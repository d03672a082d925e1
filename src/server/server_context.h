// ServerContext: what the modules of one server share — the services the server core owns
// (clock, scheduler, API keys, start time) and what each module publishes for the ones after
// it in the module list (the store module sets `store`, the ingest module `live_feed`, ...).
// Owned by the Server; modules and route handlers hold a pointer.
//
// Thread-safety: filled in by the server and the modules' Start (one thread), read-only
// afterwards; the objects it points at have their own contracts (Store is thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "auth/key_store.h"
#include "common/env.h"
#include "common/json_writer.h"
#include "common/metric_registry.h"
#include "common/scheduler.h"
#include "ingest/ingest_pipeline.h"
#include "query/query_backend.h"
#include "server/api_keys.h"
#include "store/store.h"

namespace vigia {

namespace clickhouse {
class LeaseKeeper;
}  // namespace clickhouse

namespace errors {
class ErrorGroupHooks;
class ErrorGroupTable;
}  // namespace errors

class IngestMetrics;
class KpiEvaluator;
class LiveFeed;
class ServerModule;
class SloEvaluator;
class StorageBackend;

// One module's part of GET /v1/stats: written as `"<name>": <value>` after the store's own
// sections. `write` writes exactly one JSON value; it runs on request threads (thread-safe).
struct StatsSection {
  std::string name;
  std::function<void(JsonWriter*)> write;
};

struct ServerContext {
  // The server core's services.
  Env* env = nullptr;                 // clocks and files; never null once started
  Scheduler* scheduler = nullptr;     // periodic work; started after every module started
  const ApiKeys* api_keys = nullptr;  // legacy keys (VIGIA_API_KEYS, auth.api_keys_file)
  // The stored keys with tenants and roles (<data_dir>/auth/api_keys.tsv); the admin API
  // creates and revokes them. Never null once started.
  KeyStore* key_store = nullptr;
  // Every module's metrics (GET /metrics); register series at Start, keep the pointers.
  MetricRegistry* metrics = nullptr;
  int64_t start_monotonic_ns = 0;            // for uptime_sec
  std::vector<const ServerModule*> modules;  // in start order, for /health/ready

  // Published by the store module: where ingest appends (the embedded store, or the ClickHouse
  // outbox: storage.backend), and the backend it belongs to (the query module's reads).
  Store* store = nullptr;
  StorageBackend* storage = nullptr;
  std::string data_dir;
  int retention_days = 0;  // the store's retention by age (ingest refuses older events)

  // Published by the modules before ingest (the audit module's ledger): the ingest pipeline
  // runs them on every batch after its WAL append (ingest_pipeline.h, CommitHook).
  std::vector<CommitHook*> commit_hooks;
  // Published by the modules before ingest (the audit module's action catalogue): batch
  // rewrites the ingest pipeline runs before the store, after its own redactor.
  std::vector<const BatchRedactor*> batch_redactors;
  // Published by the modules before ingest (the disk module's free-space reserve): asked
  // before every batch is stored (ingest_pipeline.h, IngestGate).
  std::vector<IngestGate*> ingest_gates;

  // Published by any module: its sections of GET /v1/stats (the audit module's
  // "audit_chain").
  std::vector<StatsSection> stats_sections;

  // Published by the ingest module.
  uint64_t max_body_bytes = 64u << 20;  // after decompression
  IngestPipeline* ingest = nullptr;     // decode → derive → store → live feed, every protocol
  LiveFeed* live_feed = nullptr;        // stored batches go to /v1/tail subscribers; may be null
  // The feed /v1/tail follows: live_feed on one node, the cluster tail's in a cluster (the
  // query module sets it); may be null.
  LiveFeed* tail_feed = nullptr;
  IngestMetrics* ingest_metrics = nullptr;  // per-protocol counters every ingest route reports

  // Published by the query module: where feature modules run VQL (alert rules, KPIs, SLOs),
  // never the store directly; counted in vigia_queries_total. The server's QueryBackend
  // behind the tenant guard (query/scoped_query_backend.h): every query must set
  // QueryOptions::scope — ScopeOf(req.principal) in a route, TenantScope::All() for the
  // server's own work (alert rules).
  QueryBackend* query_backend = nullptr;

  // Published by the cluster module with storage.backend = "clickhouse" (module_cluster.h): the
  // lease "rules". Alert rules are evaluated and probes run only while Held(); null with the
  // embedded store (one node: always).
  const clickhouse::LeaseKeeper* rules_lease = nullptr;
  // Whether this node runs the cluster-wide scheduled work (alert rules, probes) now.
  bool HoldsRulesLease() const;

  // Published by the monitor module (monitor/kpi_evaluator.h, monitor/slo_evaluator.h): the
  // KPIs' and SLOs' status by name, for alert rules that reference them.
  const KpiEvaluator* kpis = nullptr;
  const SloEvaluator* slos = nullptr;

  // Published by the errors module (errors/error_group_hooks.h, error_group_table.h): the
  // alerting hooks of error groups — new group, regression, rate above the threshold;
  // modules after it add listeners at Start — and the table itself (read-only).
  errors::ErrorGroupHooks* error_hooks = nullptr;
  const errors::ErrorGroupTable* error_groups = nullptr;

  // REQUIRES: env set.
  int64_t UptimeSec() const { return (env->MonotonicNanos() - start_monotonic_ns) / 1'000'000'000; }
};

}  // namespace vigia

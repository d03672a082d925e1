// ErrorsModule: Sentry-style error groups in `vigia serve` (docs/errors.md). Keeps the
// error-group table (errors/error_group_table.h) current at ingest — it observes every
// acknowledged batch (IngestPipeline::AddObserver) and counts each event that carries a
// `fingerprint` (errors/fingerprint_deriver.h sets it on error events) — and:
//   - persists it in <data>/errors/groups.ndjson (errors/error_file_names.h): every
//     errors.persist_interval_sec when it changed, at once after a status change, and at
//     Stop; when the file is missing or damaged it is rebuilt at Start from the store through
//     the QueryBackend (every `fingerprint:*` event in time order, with the operators'
//     error.resolved/ignored/unresolved audit events replayed in between);
//   - records every status change as a kind=audit event (entity=error,
//     entity_id=fingerprint, action error.resolved|ignored|unresolved by the operator's key,
//     error.regressed|unignored by "vigia") in the group's tenant;
//   - publishes ServerContext::error_hooks (errors/error_group_hooks.h): new group,
//     regression, rate above errors.rate_threshold_per_min, status changes — the alerting
//     hooks — and ServerContext::error_groups (the table, read-only);
//   - serves GET /v1/errors, GET /v1/errors/{fingerprint} (role read, the key's tenant only)
//     and PATCH /v1/errors/{fingerprint} (role admin): server/route_errors.h.
// In a cluster (storage.backend = "clickhouse": ctx->rules_lease is set) the table is not fed
// by this node's ingest and not saved: every errors.cluster_refresh_ms it is read back from
// ClickHouse (server/error_groups_cluster.h) — the same groups, counts and statuses on every
// node; a PATCH applies at once on the node that took it and on the others at their next
// refresh. Only the holder of the rules lease passes transitions (new group, regression,
// ignore ended, rate) to the listeners and records the automatic audit events; a node that
// takes the lease passes on those it noticed within the lease TTL + renew + two refresh
// intervals before (what the old holder may not have lived to pass on; the shared alert state
// keeps a repeat from notifying twice). docs/errors.md "In a cluster".
// Starts after the query and cluster modules (the rebuild runs VQL; the lease) and before
// the alerts module (which adds its listener).
//
// Thread-safety: see ServerModule; Publish runs on every ingest thread (the table locks).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/limits.h"
#include "common/metric_registry.h"
#include "errors/error_group_derive.h"
#include "errors/error_group_hooks.h"
#include "errors/error_group_table.h"
#include "ingest/ingest_pipeline.h"
#include "server/error_groups_cluster.h"
#include "server/server_module.h"

namespace vigia {

// [errors]
struct ErrorsModuleOptions {
  int persist_interval_sec = limits::kErrorGroupsPersistIntervalSec;
  uint64_t rate_threshold_per_min = limits::kErrorGroupRateThresholdPerMin;
  size_t max_groups = limits::kMaxErrorGroups;
  // Cluster mode: milliseconds between refreshes of the table from ClickHouse.
  int cluster_refresh_ms = limits::kErrorGroupsClusterRefreshMs;
};

class ErrorsModule final : public ServerModule, public BatchSink {
 public:
  explicit ErrorsModule(ErrorsModuleOptions options);
  ~ErrorsModule() override;

  std::string_view name() const override { return "errors"; }
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;
  Status Stop() override;
  HealthState Health(JsonWriter* details) const override;

  // BatchSink: counts the batch's error events into the table.
  void Publish(std::shared_ptr<const EventBatch> batch) override;

  // An operator's change (PATCH): applies it, saves the table, records the audit event,
  // tells the listeners. NotFound / InvalidArgument from the table; IOError when the table
  // could not be saved (the change is applied in memory then).
  Result<errors::ErrorGroup> ChangeStatus(const std::string& tenant, const std::string& fingerprint,
                                          const errors::StatusChange& change);

 private:
  Status LoadOrRebuild();
  Status Rebuild();
  Status Save();
  Status SaveIfChanged();
  // Hooks, metrics and (for status transitions) the audit queue; `recorded` (cluster mode)
  // leaves out the audit events of regressions the store already holds.
  void Dispatch(std::vector<errors::GroupEvent> events,
                const ClusterErrorGroupsRefresh* recorded = nullptr);
  // Cluster mode: one refresh of the table from the store, the transitions to the listeners
  // when this node holds the rules lease.
  Status RefreshFromCluster();
  void FlushAudit();

  const ErrorsModuleOptions options_;
  ServerContext* ctx_ = nullptr;
  std::string dir_;
  errors::ErrorGroupTable table_;
  errors::ErrorGroupHooks hooks_;
  std::string loaded_from_;    // "file", "rebuilt", "empty"
  std::string rebuild_error_;  // why the rebuild failed at Start (written once, before serving)

  std::mutex save_mu_;  // one save at a time
  uint64_t saved_version_ = 0;
  Status last_save_;

  // Cluster mode (null otherwise).
  std::unique_ptr<ClusterErrorGroups> cluster_;
  mutable std::mutex cluster_mu_;                      // the members below
  std::vector<errors::RecordedChange> local_changes_;  // PATCHes not read back yet
  uint64_t local_changes_made_ = 0;                    // PATCHes ever made here
  bool has_baseline_ = false;                          // a refresh succeeded
  bool held_at_last_refresh_ = false;
  // Transitions noticed lately (wall clock), passed on by a node that takes the lease.
  std::vector<std::pair<int64_t, errors::GroupEvent>> recent_;
  std::string refresh_error_;  // of the latest refresh; "" once one succeeded
  int64_t refreshed_at_ns_ = 0;
  uint64_t refresh_statements_ = 0;

  std::mutex audit_mu_;
  std::string pending_audit_;  // NDJSON lines of automatic transitions, flushed by the task

  Counter* events_new_ = nullptr;
  Counter* events_regression_ = nullptr;
  Counter* events_rate_ = nullptr;
  Counter* events_ignore_ended_ = nullptr;
  Counter* events_status_ = nullptr;
};

// The kind=audit NDJSON line (with newline) of a group transition; `change` adds the
// structured fields a rebuild replays (group_status, in_next_release, ignore_for_sec,
// ignore_count), `group` (the group after the change) those a cluster's nodes derive the
// status from (ignore_until_count, resolved_releases). Empty for transitions that are not
// status changes.
std::string ErrorAuditLine(const errors::GroupEvent& e, const errors::StatusChange* change,
                           const errors::ErrorGroup* group = nullptr);

}  // namespace vigia

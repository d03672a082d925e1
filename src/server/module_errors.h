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
// Starts after the query module (the rebuild runs VQL) and before the alerts module (which
// adds its listener).
//
// Thread-safety: see ServerModule; Publish runs on every ingest thread (the table locks).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/limits.h"
#include "common/metric_registry.h"
#include "errors/error_group_hooks.h"
#include "errors/error_group_table.h"
#include "ingest/ingest_pipeline.h"
#include "server/server_module.h"

namespace vigia {

// [errors]
struct ErrorsModuleOptions {
  int persist_interval_sec = limits::kErrorGroupsPersistIntervalSec;
  uint64_t rate_threshold_per_min = limits::kErrorGroupRateThresholdPerMin;
  size_t max_groups = limits::kMaxErrorGroups;
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
  // Hooks, metrics and (for status transitions) the audit queue.
  void Dispatch(std::vector<errors::GroupEvent> events);
  void FlushAudit();

  const ErrorsModuleOptions options_;
  ServerContext* ctx_ = nullptr;
  std::string dir_;
  errors::ErrorGroupTable table_;
  errors::ErrorGroupHooks hooks_;
  std::string loaded_from_;  // "file", "rebuilt", "empty"
  std::string rebuild_error_;  // why the rebuild failed at Start (written once, before serving)

  std::mutex save_mu_;  // one save at a time
  uint64_t saved_version_ = 0;
  Status last_save_;

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
// ignore_count). Empty for transitions that are not status changes.
std::string ErrorAuditLine(const errors::GroupEvent& e, const errors::StatusChange* change);

}  // namespace vigia

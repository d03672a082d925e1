// The daily check (`vigia check`, GET /v1/check; docs/monitoring.md): seed 002's morning
// check script as one report — health of every probe target, each KPI with its colour and
// trend, the SLOs' budgets and burn alerts, alerts that fired in the last 24 h, the top new
// error types, failed logins with the top offending IPs, disk usage and free space, TLS
// certificates expiring soon, the last backup and its verification, and the store's
// integrity. Every section has a colour; the report's colour is the worst of them, and
// `vigia check` exits 0 (green or none) / 1 (yellow) / 2 (red) so cron and CI can act.
//
// The report is built from stored events through a QueryBackend (kind=probe results,
// kind=alert transitions, error fingerprints, request events), the KPI and SLO evaluators,
// and the facts only the owner of the store knows (CheckFacts: disk, degraded parts, backup).
// The server builds it with its own backend (GET /v1/check) and the CLI with a data
// directory opened read-only; both give the same JSON, which check_render.h prints.
//
// Thread-safety: BuildCheckReport is a pure function of its inputs; it is thread-safe when
// the backend and evaluators are.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/limits.h"
#include "monitor/kpi_evaluator.h"
#include "monitor/slo_evaluator.h"
#include "query/query_backend.h"
#include "query/tenant_scope.h"

namespace vigia {

// What the owner of the data directory knows beyond the events.
struct CheckFacts {
  std::string source;         // "server" or "data directory /var/lib/vigia"
  std::string server_status;  // /health/ready's status ("ok", "degraded", ...); "" offline
  // Disk: bytes of the store (parts + WAL) and the file system holding it.
  bool has_disk = false;
  uint64_t data_bytes = 0;
  uint64_t fs_free_bytes = 0;
  uint64_t fs_total_bytes = 0;
  uint64_t store_events = 0;
  std::vector<std::string> degraded_parts;  // "part: reason"
  // The backup module's health details (a JSON object) when backups are configured; "".
  std::string backup_json;
  std::vector<std::string> probe_targets;  // configured probes (listed even without runs)
  // Disk colour: free space below these percentages of the file system is yellow / red.
  int disk_free_yellow_percent = limits::kCheckDiskFreeYellowPercent;
  int disk_free_red_percent = limits::kCheckDiskFreeRedPercent;
};

struct CheckInputs {
  QueryBackend* backend = nullptr;
  const KpiEvaluator* kpis = nullptr;  // null: no KPI section
  const SloEvaluator* slos = nullptr;  // null: no SLO section
  TenantScope scope = TenantScope::All();
  int64_t now_ns = 0;
  int64_t query_timeout_ms = 10'000;
  CheckFacts facts;
};

// The report as JSON: {"generated_at", "source", "color", "sections": {"server", "probes",
// "kpis", "slos", "alerts", "new_errors", "failed_logins", "disk", "tls", "backup",
// "integrity"}}, each section {"color", ...}. A section whose query failed has "error"
// and the colour yellow (the check could not tell). Field by field in docs/monitoring.md.
std::string BuildCheckReport(const CheckInputs& in);

// Free and total bytes of the file system holding `path` (statvfs; DiskSpace: common/env.h).
Result<DiskSpace> DiskSpaceOf(const std::string& path);

}  // namespace vigia

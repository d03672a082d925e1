#include "server/server_modules.h"

#include "server/module_alerts.h"
#include "server/module_audit.h"
#include "server/module_auth.h"
#include "server/module_backup.h"
#include "server/module_cluster.h"
#include "server/module_dashboard.h"
#include "server/module_disk.h"
#include "server/module_errors.h"
#include "server/module_health.h"
#include "server/module_ingest.h"
#include "server/module_metrics.h"
#include "server/module_monitor.h"
#include "server/module_query.h"
#include "server/module_stats.h"
#include "server/module_store.h"
#include "server/module_syslog.h"

namespace vigia {

std::vector<std::unique_ptr<ServerModule>> BuiltinServerModules(const ServerConfig& config) {
  std::vector<std::unique_ptr<ServerModule>> modules;
  StoreModuleOptions store = config.store;
  // The audit chainer (AuditModule) attaches to the WAL after the store opened: no WAL
  // segment goes before it has chained it.
  store.store.hold_wal_for_observer = true;
  modules.push_back(std::make_unique<StoreModule>(store));
  // Before ingest: the pipeline asks its free-space gate before every batch.
  modules.push_back(std::make_unique<DiskModule>(config.disk));
  // Before ingest: the audit chainer's gate is one of the pipeline's; the chained position is
  // persisted at the WAL's fsync policy and interval.
  AuditModuleOptions audit = config.audit;
  audit.fsync = config.store.store.fsync;
  audit.sync_interval_ms = config.store.store.sync_interval_ms;
  audit.node_id = config.cluster.node_id;
  modules.push_back(std::make_unique<AuditModule>(audit));
  modules.push_back(std::make_unique<IngestModule>(config.ingest));
  modules.push_back(std::make_unique<SyslogModule>(config.syslog));
  modules.push_back(std::make_unique<QueryModule>(config.query));
  // After ingest (its audit events), before monitor and alerts (ctx->rules_lease gates their
  // probes and rule evaluations).
  modules.push_back(std::make_unique<ClusterModule>(config.cluster, config.store));
  // Before alerts: publishes ctx->kpis / ctx->slos, which alert rules may reference.
  modules.push_back(std::make_unique<MonitorModule>(config.monitor));
  // After query (a lost table is rebuilt with VQL), before alerts (ctx->error_hooks).
  modules.push_back(std::make_unique<ErrorsModule>(config.errors));
  modules.push_back(std::make_unique<AlertsModule>(config.alerts));
  modules.push_back(std::make_unique<StatsModule>());
  modules.push_back(std::make_unique<BackupModule>(config.backup));  // after ingest: audit events
  modules.push_back(std::make_unique<AuthModule>());  // the admin API of the API keys
  modules.push_back(std::make_unique<HealthModule>());
  modules.push_back(std::make_unique<DashboardModule>(config.dashboard));  // `/`: the web UI
  modules.push_back(std::make_unique<MetricsModule>());  // last: serves every module's metrics
  return modules;
}

}  // namespace vigia

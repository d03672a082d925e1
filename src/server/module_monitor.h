// MonitorModule: the monitoring views over the stored events (src/monitor,
// docs/monitoring.md) —
//   - RED metrics derived at ingest from request events (http_requests_total,
//     http_request_duration_seconds; monitor/red_metrics.h), through an IngestPipeline
//     observer, served at GET /metrics;
//   - KPIs with green/yellow/red thresholds: GET /v1/kpis?window=1h, GET /v1/kpis/{name},
//     GET /v1/kpis/{name}/series?step=5m&window=6h (role: read);
//   - SLOs with error budgets and multi-window burn rates: GET /v1/slos, GET /v1/slos/{name}
//     (role: read);
//   - probes ([[probe]] in the same file; monitor/probe.h): each target on its own task of
//     a Scheduler the module owns (its threads bound how many run at once, each run is
//     jittered, and a slow target never holds the server's scheduler, ingest or queries);
//     every result is stored as a kind=probe event through ctx->ingest and counted in
//     vigia_probe_*; GET /v1/probes gives the last result and the 24 h uptime per target
//     (role: read);
//   - live traffic statistics (monitor/traffic_stats.h): GET /v1/stats/traffic?window=15m
//     (role: read), one-minute buckets of the last hour fed by the same observer as the RED
//     metrics and refilled from the store at start (in the background: "refilling" is
//     true until done);
//   - the daily check report (monitor/check_report.h): GET /v1/check (role: read), what
//     `vigia check --server` prints.
// KPIs and SLOs are evaluated on ctx->query_backend at request time, so they are right
// after a restart and for any past data; the definitions come from `[monitor] kpis_file`
// (else the shipped default set) and a VQL error there stops the server's start with its
// position. Publishes ctx->kpis and ctx->slos: the hook for alert rules that reference a
// KPI or an SLO's burn-rate condition by name (KpiEvaluator::StatusByName).
//
// Thread-safety: see ServerModule; the evaluators are thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/limits.h"
#include "common/scheduler.h"
#include "monitor/probe.h"
#include "server/server_module.h"

namespace vigia {

class KpiEvaluator;
struct MonitorConfig;
class TenantScope;
class SloEvaluator;
class RedMetrics;
class TrafficStats;

// [monitor].
struct MonitorModuleOptions {
  std::string kpis_file;  // KPI/SLO definitions (TOML); "" = the shipped default set
  uint64_t red_max_series = limits::kMaxRedSeries;  // per RED family; 0 = no RED metrics
  int64_t query_timeout_ms = 10'000;                // each KPI/SLO query
  int probe_concurrency = 4;                        // probes running at once
  // `vigia check` / GET /v1/check: the disk is yellow / red below these free percentages.
  int disk_free_yellow_percent = limits::kCheckDiskFreeYellowPercent;
  int disk_free_red_percent = limits::kCheckDiskFreeRedPercent;
};

class MonitorModule final : public ServerModule {
 public:
  explicit MonitorModule(MonitorModuleOptions options);
  ~MonitorModule() override;

  std::string_view name() const override { return "monitor"; }
  // REQUIRES: the query module started before (ctx->query_backend).
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;
  Status Stop() override;

 private:
  class RedSink;
  struct ProbeSeries;

  // One run of `t`: the result stored as an event, counted, kept as the last one.
  Status RunProbeTask(const ProbeTarget& t);
  void WriteProbesJson(JsonWriter* w, const TenantScope& scope) const;
  // Refills the live traffic statistics from the store's last hour: the counts before it
  // returns, the unique IPs on refill_thread_ (monitor/traffic_refill.h).
  void BackfillTraffic();
  // GET /v1/check: the report over this server's store, KPIs, SLOs, probes and modules.
  std::string CheckReportJson(const TenantScope& scope) const;

  const MonitorModuleOptions options_;
  ServerContext* ctx_ = nullptr;
  std::unique_ptr<RedMetrics> red_;
  std::unique_ptr<TrafficStats> traffic_;
  std::thread refill_thread_;                   // BackfillTraffic's IP step; joined at Stop
  std::atomic<bool> refill_cancel_{false};      // set at Stop: the refill query gives up
  std::atomic<bool> traffic_refilling_{false};  // the IP step runs ("refilling" in the answer)
  std::unique_ptr<RedSink> red_sink_;
  std::unique_ptr<KpiEvaluator> kpis_;
  std::unique_ptr<SloEvaluator> slos_;
  std::shared_ptr<const MonitorConfig> config_;
  std::unique_ptr<Scheduler> probe_scheduler_;  // null without probes
  mutable std::mutex mu_;
  std::map<std::string, ProbeResult> last_;  // by target name; guarded by mu_
};

}  // namespace vigia

// MonitorModule: the monitoring views over the stored events (src/monitor,
// docs/monitoring.md) —
//   - RED metrics derived at ingest from request events (http_requests_total,
//     http_request_duration_seconds; monitor/red_metrics.h), through an IngestPipeline
//     observer, served at GET /metrics;
//   - KPIs with green/yellow/red thresholds: GET /v1/kpis?window=1h, GET /v1/kpis/{name},
//     GET /v1/kpis/{name}/series?step=5m&window=6h (role: read);
//   - SLOs with error budgets and multi-window burn rates: GET /v1/slos, GET /v1/slos/{name}
//     (role: read).
// KPIs and SLOs are evaluated on ctx->query_backend at request time, so they are right
// after a restart and for any past data; the definitions come from `[monitor] kpis_file`
// (else the shipped default set) and a VQL error there stops the server's start with its
// position. Publishes ctx->kpis and ctx->slos: the hook for alert rules that reference a
// KPI or an SLO's burn-rate condition by name (KpiEvaluator::StatusByName).
//
// Thread-safety: see ServerModule; the evaluators are thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/limits.h"
#include "server/server_module.h"

namespace vigia {

class KpiEvaluator;
class SloEvaluator;
class RedMetrics;

// [monitor].
struct MonitorModuleOptions {
  std::string kpis_file;  // KPI/SLO definitions (TOML); "" = the shipped default set
  uint64_t red_max_series = limits::kMaxRedSeries;  // per RED family; 0 = no RED metrics
  int64_t query_timeout_ms = 10'000;                // each KPI/SLO query
};

class MonitorModule final : public ServerModule {
 public:
  explicit MonitorModule(MonitorModuleOptions options);
  ~MonitorModule() override;

  std::string_view name() const override { return "monitor"; }
  // REQUIRES: the query module started before (ctx->query_backend).
  Status Start(ServerContext* ctx) override;
  void RegisterRoutes(Router* router) override;

 private:
  class RedSink;

  const MonitorModuleOptions options_;
  ServerContext* ctx_ = nullptr;
  std::unique_ptr<RedMetrics> red_;
  std::unique_ptr<RedSink> red_sink_;
  std::unique_ptr<KpiEvaluator> kpis_;
  std::unique_ptr<SloEvaluator> slos_;
};

}  // namespace vigia

// SloEvaluator: service level objectives computed from stored events (so they are right
// after a restart and for any past period): attainment, error budget and multi-window burn
// rates as in the Google SRE workbook ("Alerting on SLOs", multiwindow multi-burn-rate):
//
//   error ratio(w)  = (total - good) / total over the window w before now
//   burn rate(w)    = error ratio(w) / (1 - target)       (1 = spending exactly the budget)
//   attainment      = good / total over the SLO period
//   budget consumed = error ratio(period) / (1 - target); remaining = 1 - consumed (may go
//                     below 0 when the budget is overspent); in minutes: remaining x (1 -
//                     target) x period
//   fast burn alert = burn(1h) > F and burn(5m) > F, F = 2 % of the budget in 1 h
//                     (= 14.4 for a 30-day period)
//   slow burn alert = burn(6h) > S and burn(30m) > S, S = 5 % of the budget in 6 h (= 6)
//
// A window without events has no ratio (null) and never fires. Each window is one query:
// `(<total>) | stats count() as total, count() if (<good>) as good` over [now - w, now).
//
// Every evaluation takes the TenantScope its queries read: a route passes the caller's,
// alert rules TenantScope::All().
//
// Thread-safety: thread-safe when the backend is.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/json_writer.h"
#include "common/status.h"
#include "monitor/monitor_config.h"
#include "query/query_backend.h"
#include "query/tenant_scope.h"

namespace vigia {

struct BurnRate {
  int64_t window_ns = 0;
  uint64_t total = 0;
  uint64_t good = 0;
  std::optional<double> rate;  // nullopt when the window has no events
};

struct BurnAlert {
  const char* name = "";  // "fast" / "slow"
  BurnRate long_window;
  BurnRate short_window;
  double threshold = 0;
  bool firing = false;
};

struct SloStatus {
  const SloDefinition* slo = nullptr;
  Status status;  // a failed query: the numbers are then empty
  uint64_t total = 0;
  uint64_t good = 0;
  std::optional<double> attainment_percent;  // nullopt without events
  double budget_remaining_fraction = 1;
  double budget_minutes = 0;  // the whole period's budget
  double budget_remaining_minutes = 0;
  BurnAlert fast;  // 1h / 5m
  BurnAlert slow;  // 6h / 30m
};

class SloEvaluator {
 public:
  // REQUIRES: backend outlives the evaluator.
  SloEvaluator(QueryBackend* backend, std::shared_ptr<const MonitorConfig> config,
               int64_t query_timeout_ms = 10'000);

  const MonitorConfig& config() const { return *config_; }

  SloStatus StatusOf(const SloDefinition& slo, int64_t now_ns, const TenantScope& scope) const;
  std::vector<SloStatus> StatusOfAll(int64_t now_ns, const TenantScope& scope) const;
  // The hook for alert rules on a burn rate: NotFound when no SLO has that name.
  Result<SloStatus> StatusByName(std::string_view name, int64_t now_ns,
                                 const TenantScope& scope) const;

 private:
  Result<BurnRate> Window(const SloDefinition& slo, int64_t window_ns, int64_t now_ns,
                          const TenantScope& scope) const;

  QueryBackend* const backend_;
  const std::shared_ptr<const MonitorConfig> config_;
  const int64_t query_timeout_ms_;
};

void WriteSloStatusJson(JsonWriter* w, const SloStatus& s);

}  // namespace vigia

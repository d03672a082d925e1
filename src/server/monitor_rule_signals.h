// MonitorRuleSignals: the monitor module's KPIs and SLOs (ctx->kpis, ctx->slos; issue 13) as
// the values alert rules reference by name (alerting/rule_signals.h): a `kpi:` rule reads the
// KPI's status over its own window (one row per group of a grouped KPI, labelled with the
// group's values; no row without data), an `slo:` rule the SLO's burn rates, burn alerts and
// budget. Every read is the server's own work, so it spans every tenant (TenantScope::All).
//
// Thread-safety: thread-safe (the evaluators are).
#pragma once

#include "alerting/rule_signals.h"
#include "monitor/kpi_evaluator.h"
#include "monitor/slo_evaluator.h"

namespace vigia {

class MonitorRuleSignals final : public RuleSignals {
 public:
  // Either may be null (no monitor module): rules on it then fail with that reason.
  MonitorRuleSignals(const KpiEvaluator* kpis, const SloEvaluator* slos)
      : kpis_(kpis), slos_(slos) {}

  Result<std::vector<SignalRow>> Rows(SignalKind kind, std::string_view name,
                                      int64_t now_ns) const override;
  bool Has(SignalKind kind, std::string_view name) const override;

 private:
  const KpiEvaluator* const kpis_;
  const SloEvaluator* const slos_;
};

}  // namespace vigia

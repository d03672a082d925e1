// KpiEvaluator: turns KPI definitions (monitor_config.h) into values and colours by running
// their VQL on a QueryBackend over a time window: GET /v1/kpis, /v1/kpis/{name}/series,
// `vigia check`, and — through StatusOf — the alerting rules that reference a KPI by name
// (so thresholds are written once).
//
// A KPI over window w at time now reads events in [now - w, now); its trend compares it
// with the previous window [now - 2w, now - w). A query answering one row per group (`by
// (ip)`) gives the KPI its worst group's value; the worst groups are listed. No data (no
// row, or a null value such as a share of zero requests) has the colour "none".
//
// Colours, with `lower` as the direction: value <= green → green, <= yellow → yellow, else
// red; with `higher`: value >= green → green, >= yellow → yellow, else red.
//
// Every evaluation takes the TenantScope its queries read (the server's backend refuses a
// query without one): a route passes the caller's, alert rules TenantScope::All().
//
// Thread-safety: thread-safe when the backend is (each call runs its own queries).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_writer.h"
#include "common/status.h"
#include "monitor/monitor_config.h"
#include "query/query_backend.h"
#include "query/tenant_scope.h"

namespace vigia {

enum class KpiColor { kNone, kGreen, kYellow, kRed };

// "none", "green", "yellow", "red".
std::string_view KpiColorName(KpiColor c);
// Worse of two colours (red > yellow > green > none).
KpiColor WorseColor(KpiColor a, KpiColor b);
KpiColor ColorOf(const KpiDefinition& kpi, double value);

struct KpiGroup {
  std::string labels;  // "ip=203.0.113.7" ("a=x,b=y"); empty for an ungrouped KPI
  double value = 0;
  KpiColor color = KpiColor::kNone;
};

struct KpiValue {
  std::optional<double> value;  // the worst group's; nullopt = no data
  KpiColor color = KpiColor::kNone;
  std::vector<KpiGroup> groups;  // worst first, at most limits::kMaxKpiGroups (grouped KPIs)
};

struct KpiStatus {
  const KpiDefinition* kpi = nullptr;
  int64_t window_ns = 0;
  Status status;  // a failed query (timeout, overload): value and colour are then empty
  KpiValue current;
  KpiValue previous;  // the window before
};

struct KpiPoint {
  int64_t from_ns = 0;  // [from, from + step)
  std::optional<double> value;
  KpiColor color = KpiColor::kNone;
};

class KpiEvaluator {
 public:
  // REQUIRES: backend outlives the evaluator. query_timeout_ms bounds each query.
  KpiEvaluator(QueryBackend* backend, std::shared_ptr<const MonitorConfig> config,
               int64_t query_timeout_ms = 10'000);

  const MonitorConfig& config() const { return *config_; }

  // The KPI over [range.from, range.to).
  Result<KpiValue> Evaluate(const KpiDefinition& kpi, int64_t from_ns, int64_t to_ns,
                            const TenantScope& scope) const;

  // Current and previous window; window_ns = 0 means the KPI's own window.
  KpiStatus StatusOf(const KpiDefinition& kpi, int64_t window_ns, int64_t now_ns,
                     const TenantScope& scope) const;
  // Every KPI; those over the same filter and window are evaluated in one query (the same
  // values as StatusOf, one scan instead of one per KPI).
  std::vector<KpiStatus> StatusOfAll(int64_t window_ns, int64_t now_ns,
                                     const TenantScope& scope) const;

  // The hook for alert rules that reference a KPI by name: its status over its own window
  // now. NotFound when no KPI has that name.
  Result<KpiStatus> StatusByName(std::string_view name, int64_t now_ns,
                                 const TenantScope& scope) const;

  // The KPI over consecutive steps of [to - span, to), one query per step (so each point is
  // the KPI's own formula, shares included). REQUIRES: step_ns > 0; span / step <=
  // limits::kMaxKpiSeriesPoints (callers check it).
  Result<std::vector<KpiPoint>> Series(const KpiDefinition& kpi, int64_t span_ns, int64_t step_ns,
                                       int64_t to_ns, const TenantScope& scope) const;

 private:
  QueryOptions Options(int64_t from_ns, int64_t to_ns, const TenantScope& scope) const;
  // KPIs with the same filter (FusionKey) over [from, to) in one query: every KPI's
  // aggregates in one stats pipe, then each KPI's own math pipes on its columns.
  Result<std::vector<KpiValue>> EvaluateFused(const std::vector<const KpiDefinition*>& kpis,
                                              int64_t from_ns, int64_t to_ns,
                                              const TenantScope& scope) const;

  QueryBackend* const backend_;
  const std::shared_ptr<const MonitorConfig> config_;
  const int64_t query_timeout_ms_;
};

// {"name", "title", "unit", "window", "direction", "value", "color", "thresholds": {green,
// yellow}, "previous": {value, color}, "trend": "better"|"worse"|"same"|null, "groups"}.
void WriteKpiStatusJson(JsonWriter* w, const KpiStatus& s);

// "better" / "worse" / "same", or empty when either side has no value.
std::string_view KpiTrend(const KpiStatus& s);

// "1h", "30m", "90s" (the largest unit that divides the duration).
std::string FormatDurationShort(int64_t ns);

}  // namespace vigia

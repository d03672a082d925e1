// RuleSignals: the values alert rules may reference by name instead of a VQL query — a KPI's
// value and colour, an SLO's burn rates and error budget (issue 13's monitor, docs/
// monitoring.md) — so a threshold written once in the KPI definitions is not repeated in a
// rule:
//
//   - name: CheckoutErrorRateRed
//     kpi: error_rate            # columns: value, color (none < green < yellow < red)
//     condition: color >= red    # the default for a kpi rule
//   - name: CheckoutBudgetFastBurn
//     slo: checkout              # columns: burn_rate_5m, burn_rate_30m, burn_rate_1h,
//     condition: fast_burn > 0   #   burn_rate_6h, fast_burn, slow_burn (0/1),
//                                #   budget_remaining (fraction), attainment (%)
//
// The alerting library does not know the monitor (it depends only on query and common): the
// server implements this interface over ctx->kpis / ctx->slos (module_alerts.cpp). A grouped
// KPI (`by (ip)`) gives one row per group, whose values become the instance's labels; a KPI
// without data gives no row (so `absent: true` fires on it).
//
// Thread-safety: implementations are thread-safe (rules run on the scheduler thread while the
// API reads).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert_rule.h"
#include "common/status.h"

namespace vigia {

struct SignalRow {
  LabelSet labels;                        // a grouped KPI's group values
  std::map<std::string, double> columns;  // see above; a column without a value is absent
};

class RuleSignals {
 public:
  virtual ~RuleSignals() = default;
  // The rows of KPI or SLO `name` at `now_ns`. NotFound when nothing has that name.
  virtual Result<std::vector<SignalRow>> Rows(SignalKind kind, std::string_view name,
                                              int64_t now_ns) const = 0;
  // Whether `name` exists (checked when rules load).
  virtual bool Has(SignalKind kind, std::string_view name) const = 0;
};

// The columns a KPI or SLO rule's condition may name.
const std::vector<std::string>& SignalColumns(SignalKind kind);

// Colours as numbers, for `color` conditions: none 0, green 1, yellow 2, red 3.
inline constexpr double kSignalColorNone = 0, kSignalColorGreen = 1, kSignalColorYellow = 2,
                        kSignalColorRed = 3;

// Whether a KPI or an SLO of that name is defined.
using SignalNameLookup = std::function<bool(SignalKind kind, std::string_view name)>;

// Checks that every `kpi:` / `slo:` rule of `set` names a defined KPI or SLO; one
// "file:line:col: rule \"X\": kpi \"Y\" is not defined (<defined_in>)" line per unknown name.
// The server checks against its monitor, `vigia rules check --config/--kpis` against the
// definitions file.
Status CheckRuleSignalNames(const RuleSet& set, const SignalNameLookup& has,
                            std::string_view defined_in);

}  // namespace vigia

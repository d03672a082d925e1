#include "server/monitor_rule_signals.h"

#include "alerting/label_names.h"

namespace vigia {
namespace {

double ColorNumber(KpiColor c) {
  switch (c) {
    case KpiColor::kNone:
      return kSignalColorNone;
    case KpiColor::kGreen:
      return kSignalColorGreen;
    case KpiColor::kYellow:
      return kSignalColorYellow;
    case KpiColor::kRed:
      return kSignalColorRed;
  }
  return kSignalColorNone;
}

// "ip=203.0.113.7" / "a=x,b=y" (KpiGroup::labels) → labels.
LabelSet GroupLabels(std::string_view text) {
  LabelSet out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view pair = text.substr(0, comma);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos) {
      out[LabelNameForField(pair.substr(0, eq))] = std::string(pair.substr(eq + 1));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

void AddRate(const BurnRate& b, const char* column, SignalRow* row) {
  if (b.rate) row->columns[column] = *b.rate;
}

}  // namespace

Result<std::vector<SignalRow>> MonitorRuleSignals::Rows(SignalKind kind, std::string_view name,
                                                        int64_t now_ns) const {
  std::vector<SignalRow> rows;
  switch (kind) {
    case SignalKind::kQuery:
    case SignalKind::kErrorGroup:
      return Status::Internal("a query or error-group rule has no KPI or SLO");
    case SignalKind::kKpi: {
      if (kpis_ == nullptr) return Status::Unavailable("no KPIs: the monitor module is off");
      VIGIA_ASSIGN_OR_RETURN(KpiStatus s, kpis_->StatusByName(name, now_ns, TenantScope::All()));
      if (!s.status.ok()) return s.status;
      if (!s.current.groups.empty()) {
        for (const KpiGroup& g : s.current.groups) {
          SignalRow row;
          row.labels = GroupLabels(g.labels);
          row.columns["value"] = g.value;
          row.columns["color"] = ColorNumber(g.color);
          rows.push_back(std::move(row));
        }
      } else if (s.current.value) {
        SignalRow row;
        row.columns["value"] = *s.current.value;
        row.columns["color"] = ColorNumber(s.current.color);
        rows.push_back(std::move(row));
      }
      return rows;
    }
    case SignalKind::kSlo: {
      if (slos_ == nullptr) return Status::Unavailable("no SLOs: the monitor module is off");
      VIGIA_ASSIGN_OR_RETURN(SloStatus s, slos_->StatusByName(name, now_ns, TenantScope::All()));
      if (!s.status.ok()) return s.status;
      SignalRow row;
      AddRate(s.fast.short_window, "burn_rate_5m", &row);
      AddRate(s.fast.long_window, "burn_rate_1h", &row);
      AddRate(s.slow.short_window, "burn_rate_30m", &row);
      AddRate(s.slow.long_window, "burn_rate_6h", &row);
      row.columns["fast_burn"] = s.fast.firing ? 1 : 0;
      row.columns["slow_burn"] = s.slow.firing ? 1 : 0;
      row.columns["budget_remaining"] = s.budget_remaining_fraction;
      if (s.attainment_percent) row.columns["attainment"] = *s.attainment_percent;
      rows.push_back(std::move(row));
      return rows;
    }
  }
  return rows;
}

bool MonitorRuleSignals::Has(SignalKind kind, std::string_view name) const {
  switch (kind) {
    case SignalKind::kQuery:
    case SignalKind::kErrorGroup:
      return false;
    case SignalKind::kKpi:
      return kpis_ != nullptr && kpis_->config().FindKpi(name) != nullptr;
    case SignalKind::kSlo:
      return slos_ != nullptr && slos_->config().FindSlo(name) != nullptr;
  }
  return false;
}

}  // namespace vigia

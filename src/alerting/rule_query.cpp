#include "alerting/rule_query.h"

#include <algorithm>
#include <cstdio>

#include "alerting/label_names.h"

namespace vigia {
namespace {

bool AsNumber(const OwnedValue& v, double* out) {
  switch (v.type) {
    case ValueType::kInt:
      *out = static_cast<double>(v.i);
      return true;
    case ValueType::kFloat:
      *out = v.f;
      return true;
    case ValueType::kBool:
    case ValueType::kString:
    case ValueType::kNull:
      return false;
  }
  return false;
}

std::string AsLabel(const OwnedValue& v) {
  switch (v.type) {
    case ValueType::kString:
      return v.s;
    case ValueType::kInt:
      return std::to_string(v.i);
    case ValueType::kFloat: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", v.f);
      return buf;
    }
    case ValueType::kBool:
      return v.b ? "true" : "false";
    case ValueType::kNull:
      return "";
  }
  return "";
}

}  // namespace

namespace {

Result<RuleQueryResult> RunSignalRule(const RuleSignals* signals, const AlertRule& rule,
                                      int64_t now_ns) {
  if (signals == nullptr) {
    return Status::Unavailable("rule on " + rule.query_text +
                               ": KPIs and SLOs are not available here (the monitor module)");
  }
  VIGIA_ASSIGN_OR_RETURN(std::vector<SignalRow> rows,
                         signals->Rows(rule.source, rule.signal_name, now_ns));
  RuleQueryResult out;
  out.rows = rows.size();
  bool any_holds = false;
  for (SignalRow& row : rows) {
    // A loaded KPI or SLO rule always has a condition (rule_file.cpp gives the default), and
    // so does a built-in error-group rule (error_group_alerts.cpp).
    auto v = row.columns.find(rule.condition->column);
    if (v == row.columns.end() || !rule.condition->Holds(v->second)) continue;
    any_holds = true;
    if (rule.absent) continue;
    AlertSample s;
    auto value = row.columns.find("value");
    s.value =
        rule.source == SignalKind::kKpi && value != row.columns.end() ? value->second : v->second;
    s.labels = std::move(row.labels);
    out.samples.push_back(std::move(s));
  }
  if (rule.absent && !any_holds) {
    AlertSample s;
    s.value = static_cast<double>(out.rows);
    out.samples.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Result<RuleQueryResult> RunRuleQuery(QueryBackend* backend, const RuleSignals* signals,
                                     const AlertRule& rule, int64_t now_ns,
                                     std::chrono::steady_clock::time_point deadline) {
  switch (rule.source) {
    case SignalKind::kQuery:
      break;
    case SignalKind::kKpi:
    case SignalKind::kSlo:
    case SignalKind::kErrorGroup:
      return RunSignalRule(signals, rule, now_ns);
  }
  QueryOptions options;
  options.now_ns = now_ns;
  options.deadline = deadline;
  // Rules are the operators' (admin): they read every tenant's events.
  options.scope = TenantScope::All();
  VIGIA_ASSIGN_OR_RETURN(QueryResult result, backend->Run(*rule.query, options));
  RuleQueryResult out;
  out.rows = result.rows.size();
  out.rows_scanned = result.stats.rows_scanned;
  bool any_holds = false;
  for (const QueryRecord& row : result.rows) {
    double value = 0;
    bool has_value = false;
    if (rule.condition) {
      const OwnedValue* v = row.Get(rule.condition->column);
      has_value = v != nullptr && AsNumber(*v, &value) && rule.condition->Holds(value);
    } else {
      for (const auto& [name, v] : row.cols) {
        if (std::find(rule.label_columns.begin(), rule.label_columns.end(), name) !=
            rule.label_columns.end()) {
          continue;
        }
        if (AsNumber(v, &value)) {
          has_value = true;
          break;
        }
      }
    }
    if (!has_value) continue;
    any_holds = true;
    if (rule.absent) continue;
    AlertSample s;
    s.value = value;
    for (const std::string& col : rule.label_columns) {
      const OwnedValue* v = row.Get(col);
      if (v != nullptr && v->type != ValueType::kNull)
        s.labels[LabelNameForField(col)] = AsLabel(*v);
    }
    out.samples.push_back(std::move(s));
  }
  if (rule.absent && !any_holds) {
    AlertSample s;
    s.value = static_cast<double>(out.rows);
    out.samples.push_back(std::move(s));
  }
  return out;
}

}  // namespace vigia

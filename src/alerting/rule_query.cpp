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

Result<RuleQueryResult> RunRuleQuery(QueryBackend* backend, const AlertRule& rule, int64_t now_ns,
                                     std::chrono::steady_clock::time_point deadline) {
  QueryOptions options;
  options.now_ns = now_ns;
  options.deadline = deadline;
  // Rules are the administrator's: they read every tenant's events (a per-group tenant is
  // not there yet).
  options.scope = TenantScope::All();
  // Rules are the operators' (admin): they read every tenant.
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

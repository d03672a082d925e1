#include "alerting/alert_rule.h"

#include "alerting/rule_signals.h"

#include <xxhash.h>

#include <cstdio>

namespace vigia {

bool AlertCondition::Holds(double v) const {
  switch (op) {
    case CmpOp::kLt:
      return v < threshold;
    case CmpOp::kLe:
      return v <= threshold;
    case CmpOp::kGt:
      return v > threshold;
    case CmpOp::kGe:
      return v >= threshold;
    case CmpOp::kEq:
      return v == threshold;
    case CmpOp::kNe:
      return v != threshold;
  }
  return false;
}

size_t RuleSet::RuleCount() const {
  size_t n = 0;
  for (const RuleGroup& g : groups) n += g.rules.size();
  return n;
}

std::string LabelsFingerprint(const LabelSet& labels) {
  // Names and values separated by bytes that cannot occur in UTF-8 text, so no two label
  // sets share an encoding.
  std::string key;
  for (const auto& [name, value] : labels) {
    key += name;
    key += '\xff';
    key += value;
    key += '\xfe';
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(key.data(), key.size())));
  return buf;
}

std::string FormatLabels(const LabelSet& labels) {
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ", ";
    out += name + "=\"" + value + "\"";
  }
  return out + "}";
}

const std::vector<std::string>& SignalColumns(SignalKind kind) {
  static const std::vector<std::string> kNone;
  static const std::vector<std::string> kKpi = {"value", "color"};
  static const std::vector<std::string> kSlo = {"burn_rate_5m",     "burn_rate_30m", "burn_rate_1h",
                                                "burn_rate_6h",     "fast_burn",     "slow_burn",
                                                "budget_remaining", "attainment"};
  static const std::vector<std::string> kErrorGroup = {"count", "rate_per_min"};
  switch (kind) {
    case SignalKind::kQuery:
      return kNone;
    case SignalKind::kKpi:
      return kKpi;
    case SignalKind::kSlo:
      return kSlo;
    case SignalKind::kErrorGroup:
      return kErrorGroup;
  }
  return kNone;
}

Status CheckRuleSignalNames(const RuleSet& set, const SignalNameLookup& has,
                            std::string_view defined_in) {
  std::string errors;
  for (const RuleGroup& g : set.groups) {
    for (const AlertRule& r : g.rules) {
      std::string_view what;
      switch (r.source) {
        case SignalKind::kQuery:
        case SignalKind::kErrorGroup:
          continue;
        case SignalKind::kKpi:
          what = "kpi";
          break;
        case SignalKind::kSlo:
          what = "slo";
          break;
      }
      if (has(r.source, r.signal_name)) continue;
      errors += (errors.empty() ? "" : "\n") + r.file + ":" + std::to_string(r.line) + ":" +
                std::to_string(r.column) + ": rule \"" + r.name + "\": " + std::string(what) +
                " \"" + r.signal_name + "\" is not defined (" + std::string(defined_in) + ")";
    }
  }
  if (errors.empty()) return Status::Ok();
  return Status::InvalidArgument(errors);
}

}  // namespace vigia

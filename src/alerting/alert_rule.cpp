#include "alerting/alert_rule.h"

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

}  // namespace vigia

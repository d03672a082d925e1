// Alert label names: the Prometheus/Alertmanager rules for label names (so every label
// vigia sends is accepted by Alertmanager), the labels vigia sets itself, and the mapping
// of VQL `by` fields (`error.type`) to label names (`error_type`).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace vigia {

// The rule's name on every instance, as Prometheus sets it.
inline constexpr std::string_view kAlertNameLabel = "alertname";

// [a-zA-Z_][a-zA-Z0-9_]*
inline bool IsValidLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Label values are any text without NUL bytes.
inline bool IsValidLabelValue(std::string_view s) { return s.find('\0') == std::string_view::npos; }

// A `by` field as a label name: every character outside [a-zA-Z0-9_] becomes '_', and a
// leading digit gets a '_' before it (`error.type` → `error_type`).
inline std::string LabelNameForField(std::string_view field) {
  std::string out;
  if (!field.empty() && field[0] >= '0' && field[0] <= '9') out += '_';
  for (char c : field) {
    bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += keep ? c : '_';
  }
  return out.empty() ? "_" : out;
}

}  // namespace vigia

// AlertRule and RuleGroup: the rule model the rule files (rule_file.h) produce and the alert
// engine (alert_engine.h) evaluates. A group has an evaluation interval and rules; a rule has
// a VQL query whose result rows (one per `stats … by (…)` group) are tested by a condition,
// the `by` values becoming the labels of one alert instance per row. An absence rule fires
// instead when no row satisfies the condition (a service or a heartbeat gone silent).
//
// Thread-safety: plain values, immutable once loaded; a loaded RuleSet is shared read-only
// between the evaluator threads (std::shared_ptr<const RuleSet>).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerting/alert_template.h"
#include "vql/vql_ast.h"

namespace vigia {

// Label name → value; ordered, so a label set prints and hashes the same way everywhere.
using LabelSet = std::map<std::string, std::string>;

// `column op number`, e.g. `value > 0.01`, `p95(duration_ms) >= 800`, `recent == 0`.
struct AlertCondition {
  std::string column;
  CmpOp op = CmpOp::kGt;
  double threshold = 0;
  std::string text;  // as written, for the API and the events

  bool Holds(double v) const;
};

// What a rule tests: the rows of its VQL query, a KPI's or an SLO's status by name
// (rule_signals.h), or the error-group events of the built-in error-group rules
// (error_group_alerts.h; never written in a rule file).
enum class SignalKind { kQuery, kKpi, kSlo, kErrorGroup };

struct AlertRule {
  std::string name;  // also the `alertname` label
  SignalKind source = SignalKind::kQuery;
  std::string signal_name;  // the KPI or SLO (source kKpi, kSlo)
  // VQL as written; for a KPI or SLO rule "kpi:<name>" / "slo:<name>" (shown by the API and
  // in the alert events).
  std::string query_text;
  std::shared_ptr<const Query> query;  // null for KPI and SLO rules
  // The `by` fields of the query's last stats/top pipe (not `_time` buckets): the columns
  // of a row that become labels.
  std::vector<std::string> label_columns;
  // nullopt: every returned row is active and its value is its first numeric column that
  // is not a label.
  std::optional<AlertCondition> condition;
  bool absent = false;             // fires when no row satisfies the condition
  int64_t for_ns = 0;              // pending time before firing
  int64_t keep_firing_for_ns = 0;  // firing continues this long after the condition ends
  LabelSet labels;                 // static labels (severity, team)
  std::map<std::string, AlertTemplate> annotations;  // summary, description, runbook_url
  std::string file;                                  // where it was defined, for the API
  int line = 0;
  int column = 0;
};

struct RuleGroup {
  std::string name;
  int64_t interval_ns = 0;
  std::vector<AlertRule> rules;
  std::string file;
};

// Every group of every loaded file; group names are unique across files.
struct RuleSet {
  std::vector<RuleGroup> groups;
  std::vector<std::string> files;
  size_t RuleCount() const;
};

// The stable identity of an alert instance: a 64-bit hash of its labels (alertname
// included), printed as 16 hex digits.
std::string LabelsFingerprint(const LabelSet& labels);

// `{alertname="X", route="/a"}` for logs and messages.
std::string FormatLabels(const LabelSet& labels);

}  // namespace vigia

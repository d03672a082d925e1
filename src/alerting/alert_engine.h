// AlertEngine: evaluates the loaded rule groups on their intervals and keeps every rule's
// alert instances (alert_state.h) and health. The server's alerts module calls Tick from a
// scheduler task every second; Tick evaluates each group whose next slot (a multiple of its
// interval on the wall clock) has come, rule after rule, each query with a deadline of
// min(interval, kMaxRuleEvalNs), so a group never overlaps itself and a slow or failing
// rule is recorded in its health without stopping the others. Evaluation times are the
// slot times, so results do not depend on how late the tick ran.
//
// Rules are swapped whole (SetRules: a reload); instances of rules that keep their group
// and name keep their state, firing instances of removed rules resolve.
//
// Thread-safety: thread-safe. Tick and SetRules serialize on one mutex (a reload waits for
// the running evaluation); the read accessors take a second one, held only to copy, so the
// API never waits for a query.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alerting/alert_rule.h"
#include "alerting/alert_state.h"
#include "alerting/rule_signals.h"
#include "common/metric_registry.h"
#include "query/query_backend.h"

namespace vigia {

struct RuleHealth {
  std::string group;
  std::string rule;
  std::string last_error;        // empty when the latest evaluation succeeded
  int64_t last_eval_ns = 0;      // slot time of the latest evaluation; 0 = never
  int64_t last_duration_ns = 0;  // wall time it took
  uint64_t evaluations = 0;
  uint64_t failures = 0;
  uint64_t last_rows = 0;  // result rows of the latest evaluation
};

struct AlertEngineOptions {
  QueryBackend* backend = nullptr;    // REQUIRES: set, outlives the engine
  MetricRegistry* metrics = nullptr;  // may be null (CLI, unit tests)
  // KPIs and SLOs by name for the rules that reference them (rule_signals.h); null = such
  // rules fail (their health says why). Outlives the engine.
  const RuleSignals* signals = nullptr;
};

class AlertEngine {
 public:
  explicit AlertEngine(AlertEngineOptions options);

  // Installs a new rule set; returns the transitions of instances whose rule went away
  // (firing → resolved). Groups are next due at their next slot after `now_ns`.
  std::vector<AlertTransition> SetRules(std::shared_ptr<const RuleSet> rules, int64_t now_ns);

  // Evaluates every group due at `now_ns` (wall clock); returns their transitions in order.
  std::vector<AlertTransition> Tick(int64_t now_ns);

  // Re-installs persisted instances (at start, after SetRules): those of rules that no
  // longer exist are dropped.
  void Restore(std::vector<AlertInstance> instances);
  // Like Restore, but every instance not in `instances` is forgotten first: the state a
  // cluster node loads when it takes the rules lease over (the previous holder's) replaces
  // whatever it had from an earlier time it held it.
  void ReplaceInstances(std::vector<AlertInstance> instances);

  std::shared_ptr<const RuleSet> rules() const;
  // Every tracked instance (pending, firing, recently resolved), by group, rule, labels.
  std::vector<AlertInstance> Instances() const;
  std::vector<RuleHealth> Health() const;
  // The slot time of a group's next evaluation (0 if unknown), for GET /v1/rules.
  int64_t NextEvalNs(const std::string& group) const;

 private:
  struct RuleSlot {
    RuleStateMachine machine;
    RuleHealth health;
  };
  static std::string Key(const std::string& group, const std::string& rule) {
    return group + '\x1f' + rule;
  }

  const AlertEngineOptions options_;
  Histogram* eval_seconds_ = nullptr;
  Counter* eval_failures_ = nullptr;

  std::mutex eval_mu_;     // Tick, SetRules, Restore
  mutable std::mutex mu_;  // the members below
  std::shared_ptr<const RuleSet> rules_;
  std::map<std::string, RuleSlot> slots_;        // by Key(group, rule)
  std::map<std::string, int64_t> next_eval_ns_;  // by group
};

}  // namespace vigia

// RuleStateMachine: the alert instances of one rule and their lifecycle
//
//   inactive ──condition holds──► pending ──held for `for`──► firing
//       ▲                            │                          │ condition ends and
//       └──────condition ends────────┘                          │ keep_firing_for passed
//                                                               ▼
//                         (forgotten after 15 min) ◄────── resolved ──holds again──► pending
//
// Each evaluation hands it the samples whose condition holds (one per result row, the
// `by` values as labels; one label-less sample for an absence rule whose query found
// nothing) and the evaluation time; it returns the transitions, which the engine writes as
// kind=alert events and hands to the notifier. `for` = 0 fires at once (no pending).
// Times are the evaluation's (a fake clock in tests), so the machine is pure.
//
// Thread-safety: externally synchronized (the engine evaluates a rule on one thread at a
// time and guards reads from the API).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert_rule.h"

namespace vigia {

enum class AlertState { kInactive, kPending, kFiring, kResolved };

std::string_view AlertStateName(AlertState s);  // "inactive", "pending", "firing", "resolved"
bool ParseAlertState(std::string_view s, AlertState* out);

// One row of an evaluation whose condition holds.
struct AlertSample {
  LabelSet labels;  // from the query's `by` columns only
  double value = 0;
};

struct AlertInstance {
  std::string group;  // the rule's group and name: the instance's owner
  std::string rule;
  std::string query;  // the rule's VQL that produced the value
  LabelSet labels;    // alertname + the rule's labels + the sample's labels
  std::string fingerprint;
  AlertState state = AlertState::kInactive;
  int64_t active_at_ns = 0;                        // when the condition started holding
  int64_t fired_at_ns = 0;                         // 0 until firing
  int64_t resolved_at_ns = 0;                      // 0 until resolved
  int64_t last_active_ns = 0;                      // the latest evaluation the condition held at
  double value = 0;                                // of the latest evaluation it held at
  std::map<std::string, std::string> annotations;  // rendered with labels and value
};

struct AlertTransition {
  AlertState from = AlertState::kInactive;
  AlertInstance instance;  // after the transition (state = to)
};

class RuleStateMachine {
 public:
  // Applies one evaluation at `now_ns` (the samples holding then) and returns the
  // transitions in fingerprint order. Pending instances whose condition ends are removed
  // (transition to inactive); resolved ones older than kResolvedAlertRetentionNs too
  // (without a transition).
  std::vector<AlertTransition> Update(const std::string& group, const AlertRule& rule,
                                      const std::vector<AlertSample>& samples, int64_t now_ns);

  // Re-installs a persisted instance (restart). Pending and firing ones continue their
  // timers from the persisted times.
  void Restore(AlertInstance instance);
  // Forgets every instance (a shared state replaces them: alert_engine.h).
  void Clear() { instances_.clear(); }

  const std::map<std::string, AlertInstance>& instances() const { return instances_; }

 private:
  std::map<std::string, AlertInstance> instances_;  // by fingerprint
};

}  // namespace vigia

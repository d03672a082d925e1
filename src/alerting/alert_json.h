// JSON forms of the alerting state, shared by the HTTP API (GET /v1/alerts, GET /v1/rules),
// the kind=alert events the server writes for every transition, and the persisted state
// (alert_state_file.h). Field names follow Prometheus' API where one exists (activeAt,
// labels, annotations, health, lastError, lastEvaluation, evaluationTime) so dashboards
// and scripts written for it read vigia's too. Times are RFC 3339 UTC.
//
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "alerting/alert_engine.h"
#include "alerting/alert_state.h"
#include "common/json_writer.h"

namespace vigia {

// One instance as an object: state, labels, annotations, value, activeAt, firedAt,
// resolvedAt, lastActiveAt, fingerprint, group, rule, query (+ `silenced_by` when
// `silenced_by` is not empty).
void WriteAlertInstance(JsonWriter* w, const AlertInstance& a,
                        const std::vector<std::string>& silenced_by = {});

// Writes "groups": [{"name","file","interval_sec","next_evaluation","rules":[{"name",
// "query","condition","absent","for_sec","keep_firing_for_sec","labels","annotations",
// "health","lastError","lastEvaluation","evaluationTime","evaluations","failures",
// "lastRows","alerts":n}]}] into the open object of `w`.
void WriteRuleGroups(JsonWriter* w, const RuleSet& rules, const std::vector<RuleHealth>& health,
                     const std::function<int64_t(const std::string&)>& next_eval_ns,
                     const std::vector<AlertInstance>& instances);

// One NDJSON line (with '\n') recording a transition as a kind=alert event: ts (the
// evaluation time), level (warn when firing, info otherwise), msg, service "vigia", and an
// `alert` object (name, group, state, previous, fingerprint, value, query, labels,
// annotations) that ingest flattens to alert.name, alert.labels.route, ...
std::string AlertTransitionEvent(const AlertTransition& t, int64_t ts_ns);

}  // namespace vigia

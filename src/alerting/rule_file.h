// Rule files: YAML in the shape of Prometheus rule groups, read into a RuleSet
// (alert_rule.h). The same loader serves the server (alerts.rules_dir at start, on SIGHUP
// and POST /v1/rules/reload) and `vigia rules check`, so both give the same messages:
//
//   groups:
//     - name: http                 # unique across all files
//       interval: 30s              # evaluation period (default 1m)
//       rules:
//         - name: HighErrorRate    # `alert:` is accepted too
//           query: 'kind:request _time:5m | stats count() as total,
//                   count() if (status:>=500) as errors | math errors / total as value'
//           condition: value > 0.01   # per row; optional (then every row is active)
//           absent: false          # true: fire when no row satisfies the condition
//           for: 5m                # pending time before firing (default 0)
//           keep_firing_for: 0s
//           labels: {severity: page}
//           annotations:
//             summary: '5xx share {{ $value | humanizePercentage }}'
//
// Every error names "file:line:column: message"; one error rejects the whole set (the
// caller keeps the rules it had). Unknown keys are errors, so a typo never silently drops
// a setting. docs/alerting.md is the reference.
//
// Thread-safety: pure functions over the given files; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert_rule.h"
#include "common/env.h"
#include "common/status.h"

namespace vigia {

// Parses one file's text (`path` is only used in messages and AlertRule::file). The error
// lists every problem found, one "path:line:col: message" per line.
Result<std::vector<RuleGroup>> ParseRuleFile(const std::string& path, std::string_view text);

// Reads and parses `paths` into one set; group names must be unique across them.
Result<RuleSet> LoadRuleFiles(Env* env, const std::vector<std::string>& paths);

// The *.yml / *.yaml files of `dir` (sorted by name), loaded with LoadRuleFiles. An empty
// directory is an empty set; a missing one an error.
Result<RuleSet> LoadRulesDir(Env* env, const std::string& dir);

}  // namespace vigia

// MonitorConfig: the KPIs and SLOs vigia evaluates (docs/monitoring.md), read from a TOML
// file of [[kpi]] and [[slo]] tables — `[monitor] kpis_file` in vigia.toml, else the shipped
// default set (default_kpis.h), which encodes the seed SLA sheet.
//
//   [[kpi]]
//   name = "rate_429"                     # [a-z0-9_], unique; the URL and alert-rule name
//   title = "Requests answered 429"       # optional, for people
//   query = 'kind:request | stats count() if (status:429) as bad, count() as total | math bad /
//   total * 100 as value' unit = "%"                            # optional, shown next to the value
//   window = "1h"                         # the default evaluation window (?window= overrides)
//   direction = "lower"                   # "lower" is better, or "higher"
//   green = 0.1                           # lower: value <= green; higher: value >= green
//   yellow = 1.0                          # lower: value <= yellow; higher: value >= yellow; else
//   red
//
//   [[slo]]
//   name = "availability"
//   total = 'kind:request'                # the events that count (a VQL filter, no pipes)
//   good = 'status:<500'                  # which of them are good (a VQL filter, no pipes)
//   target = 99.9                         # percent of total that must be good
//   period = "30d"
//
//   [[probe]]
//   name = "sales-api"
//   url = "https://sales.internal/health/ready"   # or: tcp = "db.internal:5432"
//   interval = "30s"                      # default 60s
//   timeout = "5s"                        # default 5s
//   expect_status = 200                   # default: any 2xx/3xx
//   expect_body = "ok"                    # optional substring
//   expect_json_field = "status"          # optional dotted path ...
//   expect_json_value = "ok"              # ... and the value it must have
//   headers = { Authorization = "Bearer x" }
//   tls_warning_days = 21                 # HTTPS: certificate state warning below this
//   tls_critical_days = 7                 # ... critical below this (expired: probe fails)
//
// A KPI's query yields a column `value` (one row; or one row per group, the other columns
// naming the group, and the KPI shows its worst group). Every query is parsed at load: a VQL
// error rejects the whole file with the definition's name, its line in the file and the
// position in the query ("kpis.toml:12: kpi \"rate_429\": query: 1:13: expected ...").
//
// Thread-safety: plain values; an evaluated config is read-only and shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "monitor/probe.h"
#include "vql/vql_ast.h"

namespace vigia {

enum class KpiDirection { kLowerIsBetter, kHigherIsBetter };

struct KpiDefinition {
  std::string name;
  std::string title;
  std::string query_text;
  std::shared_ptr<const Query> query;  // parsed query_text
  std::string unit;
  int64_t window_ns = 0;
  KpiDirection direction = KpiDirection::kLowerIsBetter;
  double green = 0;   // the bound of green (inclusive)
  double yellow = 0;  // the bound of yellow (inclusive); beyond it red
};

struct SloDefinition {
  std::string name;
  std::string title;
  std::string total_filter;
  std::string good_filter;
  // `(<total>) | stats count() as total, count() if (<good>) as good`
  std::shared_ptr<const Query> query;
  double target_percent = 99.9;  // 0 < target < 100
  int64_t period_ns = 0;
};

struct MonitorConfig {
  std::vector<KpiDefinition> kpis;
  std::vector<SloDefinition> slos;
  std::vector<ProbeTarget> probes;

  const KpiDefinition* FindKpi(std::string_view name) const;
  const SloDefinition* FindSlo(std::string_view name) const;
};

// Parses a definitions file's text; `source` names it in errors ("kpis.toml").
Result<MonitorConfig> ParseMonitorConfig(std::string_view toml_text, std::string_view source);

// Reads and parses `path`; an empty path gives the shipped default set.
Result<MonitorConfig> LoadMonitorConfig(const std::string& path);

// "lower" / "higher".
std::string_view KpiDirectionName(KpiDirection d);

}  // namespace vigia

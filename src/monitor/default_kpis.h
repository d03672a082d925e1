// The shipped KPI and SLO set (the seed SLA sheet; docs/monitoring.md), used when
// `[monitor] kpis_file` is not set, and the starting point for writing one: `vigia check
// --print-default-kpis` prints it.
//
// Every KPI here works on what the SDK and the seed applications send: kind=request events
// with status, route, ip and duration_ms, and the `redacted` marker field the server's
// secret redaction sets on an event it scrubbed.
//
// Thread-safety: returns a constant.
#pragma once

#include <string_view>

namespace vigia {

std::string_view DefaultKpisToml();

}  // namespace vigia

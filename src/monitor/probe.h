// Probes: uptime checks of configured targets, each run producing one ProbeResult that the
// server stores as a kind=probe event (so uptime and probe latency are VQL queries, KPIs and
// alert inputs like any data; docs/monitoring.md "Probes").
//
//   http  — GET (HTTP or HTTPS, libcurl) with custom headers; ok when the status matches
//           (expect_status, default any 2xx/3xx), the body contains expect_body, and the
//           JSON field expect_json_field (dotted path) equals expect_json_value. On HTTPS the
//           server certificate is always recorded — days to expiry, issuer, whether it names
//           the host — whether or not the chain is trusted (self-signed internal services are
//           common); an expired certificate or one for another host fails the probe, and
//           fewer than tls_warning_days / tls_critical_days left is cert_state
//           warning / critical.
//   tcp   — connect to host:port; ok when the connection is accepted within the timeout.
//
// A run never throws and never takes longer than its timeout (plus name resolution): an
// unreachable target, a refused port, a hanging server or garbage is a failed result with
// the error.
//
// Thread-safety: RunProbe is thread-safe (each run has its own curl handle).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vigia {

enum class ProbeKind { kHttp, kTcp };

struct ProbeTarget {
  std::string name;  // [a-z0-9_-]: the `target` field of its events
  ProbeKind kind = ProbeKind::kHttp;
  std::string url;      // http: http(s)://host[:port]/path
  std::string address;  // tcp: host:port
  int64_t interval_ns = 0;
  int64_t timeout_ms = 5000;
  int expect_status = 0;  // 0 = any 2xx or 3xx
  std::string expect_body;
  std::string expect_json_field;  // dotted path, e.g. "status" or "checks.db"
  std::string expect_json_value;  // compared with the field's text (string, number, bool)
  std::vector<std::pair<std::string, std::string>> headers;
  int tls_warning_days = 21;
  int tls_critical_days = 7;
};

struct ProbeResult {
  std::string target;
  ProbeKind kind = ProbeKind::kHttp;
  int64_t ts_ns = 0;  // when the run started (wall clock)
  bool ok = false;
  int status = 0;  // HTTP status; 0 when none
  double latency_ms = 0;
  std::string error;  // why not ok; empty when ok
  // HTTPS only.
  std::optional<double> cert_expiry_days;  // negative when expired
  std::string cert_issuer;
  std::string cert_subject;
  std::optional<bool> cert_hostname_ok;
  std::string cert_state;  // "ok", "warning", "critical" (expired or < critical days)
};

// Runs one probe now. `now_ns`: the wall clock (the certificate's days left count from it).
ProbeResult RunProbe(const ProbeTarget& target, int64_t now_ns);

// The result as one NDJSON line (kind=probe; target, probe_kind, ok, status, latency_ms,
// error, cert_* fields, and level warn/info), ending in '\n'.
std::string ProbeEventLine(const ProbeResult& r);

// "http" / "tcp".
const char* ProbeKindName(ProbeKind k);

// Whether certificate name `pattern` (a DNS name, maybe "*.example.com") covers `host`.
bool CertNameMatches(const std::string& pattern, const std::string& host);

}  // namespace vigia

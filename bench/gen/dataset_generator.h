// DatasetGenerator: produces the benchmark's synthetic event stream — N events of a web
// backend like the seed applications' (request records, correlated application logs,
// audit events, error reports, background-worker logs) plus two incidents: a burst of 5xx
// on the sales API and a brute-force login burst from one IP. The output is a pure function
// of Options: same options, same records, on every machine.
//
// While generating it keeps the ground truth of the benchmark queries (how many events a
// needle request has, how many messages hold the rare word, the login failures per IP in
// the incident hour, ...), so every system's answers can be checked against it.
//
// Thread-safety: externally synchronized.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "gen/record.h"
#include "gen/rng.h"

namespace vigia::bench {

struct GenOptions {
  uint64_t seed = 1;
  uint64_t events = 1000;
  int64_t start_ms = 0;                  // first event's time, ms since the epoch
  int64_t span_ms = 24LL * 3600 * 1000;  // events are spread evenly over [start, start+span)
};

// Answers to the benchmark queries, computed from the records actually emitted.
struct GroundTruth {
  uint64_t events = 0;
  uint64_t requests = 0;
  uint64_t logs = 0;
  uint64_t audits = 0;
  uint64_t errors = 0;

  // request_id lookup: a request from the middle of the data that failed with a 5xx.
  std::string needle_request_id;
  uint64_t needle_events = 0;

  // Word search: events whose msg contains kRareWord.
  uint64_t rare_word_events = 0;

  // `level:error service:sales-api` over the hour [error_hour_start_ms, +1h), which holds
  // the 5xx burst.
  int64_t error_hour_start_ms = 0;
  uint64_t error_hour_events = 0;

  // Requests with status >= 500 overall, minutes holding at least one, busiest minute.
  uint64_t status_5xx = 0;
  uint64_t minutes_with_5xx = 0;
  uint64_t max_5xx_per_minute = 0;

  // Incidents' windows.
  int64_t burst_start_ms = 0, burst_end_ms = 0;
  int64_t brute_start_ms = 0, brute_end_ms = 0;

  // Messages starting with "Login failed" in [login_hour_start_ms, +1h) (an hour holding
  // the brute-force burst), per IP; the IPs with more than 10 (the seed 002 rule).
  int64_t login_hour_start_ms = 0;
  uint64_t login_failures_in_hour = 0;
  uint64_t ips_over_10_failures = 0;
  uint64_t brute_force_ip_failures = 0;

  // Distinct routes seen in request records (groups of the p95-by-route query).
  uint64_t routes_with_requests = 0;
};

class DatasetGenerator {
 public:
  explicit DatasetGenerator(const GenOptions& options);

  // Fills *out with the next event. Returns false once options.events were produced.
  bool Next(Record* out);

  // The ground truth so far; complete after Next() returned false.
  // (Computes the derived per-IP/per-route figures on each call.)
  GroundTruth Truth() const;

 private:
  void NewScenario();
  void RequestScenario(bool brute_force);
  void WorkerScenario();
  Record& Push();
  void FillRequestBase(Record& r, const Route& route, bool brute_force);
  void AddLog(const Record& base, RecordLevel level, std::string_view logger, std::string_view msg);
  void AddAudit(const Record& base, std::string_view action, std::string_view entity,
                std::string_view entity_id, bool success, bool sensitive);
  void AddError(const Record& base, const ErrorSignature& sig);
  int PickStatus(const Route& route, bool in_burst);
  const ErrorSignature& PickError(const Route& route, bool in_burst);
  void Tally(const Record& r);

  GenOptions opt_;
  Rng rng_;
  uint64_t emitted_ = 0;
  uint64_t scenarios_ = 0;

  // Records of the current scenario, emitted in order; reused between scenarios.
  std::vector<Record> pending_;
  size_t pending_size_ = 0;
  size_t pending_pos_ = 0;

  std::vector<uint32_t> route_cum_;
  std::vector<uint32_t> ua_cum_;
  std::vector<uint32_t> error_cum_;
  double brute_force_p_ = 0;
  double rare_p_ = 0;

  GroundTruth truth_;
  bool needle_is_error_ = false;
  std::string fallback_needle_;
  uint64_t fallback_needle_events_ = 0;
  int64_t current_minute_ = -1;
  uint64_t current_minute_5xx_ = 0;
  std::unordered_map<std::string, uint64_t> login_failures_by_ip_;
  std::vector<uint64_t> requests_by_route_;
};

}  // namespace vigia::bench

namespace vigia::bench {

// The ground truth as shell `KEY=value` lines (sourced by bench/run.sh to build the
// benchmark queries and check their answers).
std::string FormatTruthEnv(const GenOptions& options, const GroundTruth& truth);

}  // namespace vigia::bench

#include "query/metered_query_backend.h"

#include <chrono>

namespace vigia {

namespace {

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr const char* kQueriesHelp =
    "Queries run by the server (HTTP, tail backfills, KPIs), by result: ok or the error.";

}  // namespace

MeteredQueryBackend::MeteredQueryBackend(QueryBackend* inner, MetricRegistry* registry)
    : inner_(inner),
      registry_(registry),
      duration_(registry->GetHistogram("vigia_query_duration_seconds",
                                       "Run time of the server's queries, in seconds.",
                                       LatencySecondsBuckets())),
      rows_scanned_(registry->GetCounter("vigia_query_rows_scanned_total",
                                         "Rows the server's queries read.")),
      running_(registry->GetGauge("vigia_queries_running", "Queries running now.")) {
  // Present from the start, so a rate() over them has a first sample.
  registry_->GetCounter("vigia_queries_total", kQueriesHelp, {"result"}, {"ok"});
}

Result<QueryResult> MeteredQueryBackend::Count(int64_t start_ns, Result<QueryResult> r) {
  running_->Add(-1);
  duration_->Observe(static_cast<double>(SteadyNanos() - start_ns) / 1e9);
  const std::string result =
      r.ok() ? std::string("ok") : std::string(StatusCodeName(r.status().code()));
  registry_->GetCounter("vigia_queries_total", kQueriesHelp, {"result"}, {result})->Inc();
  if (r.ok()) rows_scanned_->Inc(r->stats.rows_scanned);
  return r;
}

Result<QueryResult> MeteredQueryBackend::Run(const Query& q, const QueryOptions& options,
                                             const QueryObserver& observer) {
  const int64_t start = SteadyNanos();
  running_->Add(1);
  return Count(start, inner_->Run(q, options, observer));
}

Result<QueryResult> MeteredQueryBackend::Trace(const std::string& request_id,
                                               const QueryOptions& options) {
  const int64_t start = SteadyNanos();
  running_->Add(1);
  return Count(start, inner_->Trace(request_id, options));
}

Result<QueryResult> MeteredQueryBackend::Backfill(const Query& filter, int64_t since_ns,
                                                  const QueryOptions& options,
                                                  const QueryObserver& observer) {
  const int64_t start = SteadyNanos();
  running_->Add(1);
  return Count(start, inner_->Backfill(filter, since_ns, options, observer));
}

}  // namespace vigia

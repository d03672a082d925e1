// MeteredQueryBackend: a QueryBackend decorator that counts every query the server runs
// (HTTP /v1/query and /v1/trace, tail backfills, KPI and SLO evaluation) in the
// MetricRegistry:
//
//   vigia_queries_total{result}              counter; result = "ok" or the StatusCode name
//                                            ("InvalidArgument", "DeadlineExceeded", ...)
//   vigia_query_duration_seconds             histogram of the run time
//   vigia_query_rows_scanned_total           counter
//   vigia_queries_running                    gauge
//
// Thread-safety: as thread-safe as the wrapped backend; the counters are atomic.
#pragma once

#include "common/metric_registry.h"
#include "query/query_backend.h"

namespace vigia {

class MeteredQueryBackend final : public QueryBackend {
 public:
  // REQUIRES: inner and registry outlive this object.
  MeteredQueryBackend(QueryBackend* inner, MetricRegistry* registry);

  Result<QueryResult> Run(const Query& q, const QueryOptions& options,
                          const QueryObserver& observer) override;
  Result<QueryResult> Trace(const std::string& request_id, const QueryOptions& options) override;
  Result<QueryResult> Backfill(const Query& filter, int64_t since_ns, const QueryOptions& options,
                               const QueryObserver& observer) override;
  // Not counted: it reads no events.
  Result<std::string> Explain(const Query& q, const QueryOptions& options) override {
    return inner_->Explain(q, options);
  }
  using QueryBackend::Run;

 private:
  Result<QueryResult> Count(int64_t start_ns, Result<QueryResult> r);

  QueryBackend* const inner_;
  MetricRegistry* const registry_;
  Histogram* const duration_;
  Counter* const rows_scanned_;
  Gauge* const running_;
};

}  // namespace vigia

// RedMetrics: derives the RED metrics of the applications vigia watches (Rate, Errors,
// Duration) from their request events, incrementally at ingest, into the MetricRegistry, so
// a team with Prometheus and Grafana gets `http_requests_total` and
// `http_request_duration_seconds` dashboards from the logs it already sends:
//
//   http_requests_total{service,route,method,status_class}        counter
//   http_request_duration_seconds{service,route,method}           histogram (duration_ms / 1000)
//
// Only events with kind=request count. `route` is the template (`/sales/{id}/pay`), never
// the concrete path, so its values are few; a missing label is "none"; status_class is
// "1xx".."5xx" or "none". Cardinality is bounded by `max_series` per family (the registry's
// overflow: past it, new label sets go to one series whose labels are all "other", counted
// in vigia_metric_series_overflow_total{family}).
//
// The server calls Observe with every batch the store acknowledged (an IngestPipeline
// observer, server/module_monitor.cpp); a batch is aggregated locally first, so the
// registry is looked up once per distinct label set of the batch, not per event.
//
// Thread-safety: thread-safe (Observe may run on every ingest thread at once).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/metric_registry.h"
#include "event/event.h"

namespace vigia {

struct RedMetricsOptions {
  size_t max_series = limits::kMaxRedSeries;  // per family; [monitor] red_max_series
  std::vector<double> duration_buckets = LatencySecondsBuckets();
};

class RedMetrics {
 public:
  // REQUIRES: registry outlives this object.
  RedMetrics(MetricRegistry* registry, RedMetricsOptions options);

  // Counts the kind=request events of a stored batch.
  void Observe(const EventBatch& batch);

  static constexpr const char* kRequestsFamily = "http_requests_total";
  static constexpr const char* kDurationFamily = "http_request_duration_seconds";

  // "2xx" for 200..299, ..., "none" outside 100..599.
  static std::string StatusClass(int64_t status);

 private:
  MetricRegistry* const registry_;
  const RedMetricsOptions options_;
};

}  // namespace vigia

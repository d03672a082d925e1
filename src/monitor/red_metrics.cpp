#include "monitor/red_metrics.h"

#include <map>
#include <string_view>
#include <vector>

#include "event/event_fields.h"
#include "monitor/traffic_stats.h"

namespace vigia {

namespace {

const std::vector<std::string>& RequestLabels() {
  static const std::vector<std::string> labels = {"service", "route", "method", "status_class"};
  return labels;
}

const std::vector<std::string>& DurationLabels() {
  static const std::vector<std::string> labels = {"service", "route", "method"};
  return labels;
}

constexpr std::string_view kNone = "none";

std::string_view StringOr(const Value* v) {
  if (v == nullptr || v->type != ValueType::kString || v->s.empty()) return kNone;
  return v->s;
}

// status may arrive as an integer, a float or a numeric string (read as the live traffic
// statistics read it).
int64_t StatusOf(const Value* v) {
  if (v == nullptr) return 0;
  return TrafficStatusOf(v->type, v->i, v->f,
                         v->type == ValueType::kString ? v->s : std::string_view());
}

bool DurationMsOf(const Value* v, double* out) {
  if (v == nullptr) return false;
  switch (v->type) {
    case ValueType::kInt:
      *out = static_cast<double>(v->i);
      return true;
    case ValueType::kFloat:
      *out = v->f;
      return true;
    case ValueType::kNull:
    case ValueType::kBool:
    case ValueType::kString:
      return false;
  }
  return false;
}

}  // namespace

RedMetrics::RedMetrics(MetricRegistry* registry, RedMetricsOptions options)
    : registry_(registry), options_(std::move(options)) {
  registry_->SetMaxSeries(kRequestsFamily, options_.max_series);
  registry_->SetMaxSeries(kDurationFamily, options_.max_series);
}

std::string RedMetrics::StatusClass(int64_t status) {
  if (status < 100 || status > 599) return std::string(kNone);
  return std::to_string(status / 100) + "xx";
}

void RedMetrics::Observe(const EventBatch& batch) {
  // Aggregated per batch: one registry lookup per distinct label set.
  std::map<LabelValues, uint64_t> counts;
  std::map<LabelValues, std::vector<double>> durations;
  for (const EventBatch::EventRef& e : batch.events()) {
    const Value* kind = batch.Find(e, fields::kKind);
    if (kind == nullptr || kind->type != ValueType::kString || kind->s != "request") continue;
    LabelValues labels = {std::string(StringOr(batch.Find(e, fields::kService))),
                          std::string(StringOr(batch.Find(e, fields::kRoute))),
                          std::string(StringOr(batch.Find(e, fields::kMethod))),
                          StatusClass(StatusOf(batch.Find(e, fields::kStatus)))};
    double ms = 0;
    const bool has_duration = DurationMsOf(batch.Find(e, fields::kDurationMs), &ms);
    ++counts[labels];
    if (has_duration) {
      labels.pop_back();
      durations[std::move(labels)].push_back(ms / 1000.0);
    }
  }
  for (const auto& [labels, n] : counts) {
    registry_
        ->GetCounter(kRequestsFamily,
                     "HTTP requests of the watched applications, from their kind=request events.",
                     RequestLabels(), labels)
        ->Inc(n);
  }
  for (const auto& [labels, values] : durations) {
    Histogram* h = registry_->GetHistogram(
        kDurationFamily,
        "HTTP request duration of the watched applications (duration_ms of kind=request "
        "events), in seconds.",
        options_.duration_buckets, DurationLabels(), labels);
    for (double v : values) h->Observe(v);
  }
}

}  // namespace vigia

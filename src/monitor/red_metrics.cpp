#include "monitor/red_metrics.h"

#include <xxhash.h>

#include <algorithm>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "event/event_fields.h"
#include "event/field_picker.h"
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

// Status classes by index: "1xx".."5xx", then "none" (outside 100..599). The names sort in
// index order, as the label strings did in a std::map.
constexpr size_t kStatusClasses = 6;
constexpr std::string_view kStatusClassNames[kStatusClasses] = {"1xx", "2xx", "3xx",
                                                                "4xx", "5xx", "none"};

size_t StatusClassIndex(int64_t status) {
  return status < 100 || status > 599 ? kStatusClasses - 1 : static_cast<size_t>(status / 100 - 1);
}

// (service, route, method) of a request event, viewing the batch's strings.
struct RedKey {
  std::string_view service, route, method;
  bool operator==(const RedKey&) const = default;
};

struct RedKeyHash {
  size_t operator()(const RedKey& k) const {
    const uint64_t a = XXH3_64bits(k.service.data(), k.service.size());
    const uint64_t b = XXH3_64bits(k.route.data(), k.route.size());
    const uint64_t c = XXH3_64bits(k.method.data(), k.method.size());
    return static_cast<size_t>(a ^ (b * 0x9E3779B97F4A7C15ull) ^ (c * 0xC2B2AE3D27D4EB4Full));
  }
};

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
  // Aggregated per batch: one registry lookup per distinct label set. The batch's strings
  // are grouped by (service, route, method) as views into the batch, with one count per
  // status class, so an event costs a hash and no copies (the strings of a distinct set are
  // made once, below).
  struct Group {
    std::string_view service, route, method;
    uint64_t counts[kStatusClasses] = {};
    std::vector<double> seconds;  // in event order
  };
  std::vector<Group> groups;
  std::unordered_map<RedKey, uint32_t, RedKeyHash> index;
  // The six fields read from every event, in one pass over its fields.
  enum { kKind, kService, kRoute, kMethod, kStatus, kDuration };
  static constexpr FieldPicker<6> kPicker({fields::kKind, fields::kService, fields::kRoute,
                                           fields::kMethod, fields::kStatus, fields::kDurationMs});
  FieldPicker<6>::Values v;
  for (const EventBatch::EventRef& e : batch.events()) {
    kPicker.Pick(batch, e, &v);
    const Value* kind = v[kKind];
    if (kind == nullptr || kind->type != ValueType::kString || kind->s != "request") continue;
    const RedKey key{StringOr(v[kService]), StringOr(v[kRoute]), StringOr(v[kMethod])};
    auto [it, inserted] = index.try_emplace(key, static_cast<uint32_t>(groups.size()));
    if (inserted) groups.push_back(Group{key.service, key.route, key.method, {}, {}});
    Group& g = groups[it->second];
    ++g.counts[StatusClassIndex(StatusOf(v[kStatus]))];
    double ms = 0;
    if (DurationMsOf(v[kDuration], &ms)) g.seconds.push_back(ms / 1000.0);
  }
  if (groups.empty()) return;
  // The registry sees the label sets in the order a std::map<LabelValues> would give them
  // (it decides which sets get a series before the overflow): by service, route, method,
  // then status class ("1xx".."5xx" < "none", the index order).
  std::vector<const Group*> sorted;
  sorted.reserve(groups.size());
  for (const Group& g : groups) sorted.push_back(&g);
  std::sort(sorted.begin(), sorted.end(), [](const Group* a, const Group* b) {
    return std::tie(a->service, a->route, a->method) < std::tie(b->service, b->route, b->method);
  });
  for (const Group* g : sorted) {
    for (size_t c = 0; c < kStatusClasses; ++c) {
      if (g->counts[c] == 0) continue;
      registry_
          ->GetCounter(kRequestsFamily,
                       "HTTP requests of the watched applications, from their kind=request events.",
                       RequestLabels(),
                       {std::string(g->service), std::string(g->route), std::string(g->method),
                        std::string(kStatusClassNames[c])})
          ->Inc(g->counts[c]);
    }
  }
  for (const Group* g : sorted) {
    if (g->seconds.empty()) continue;
    Histogram* h = registry_->GetHistogram(
        kDurationFamily,
        "HTTP request duration of the watched applications (duration_ms of kind=request "
        "events), in seconds.",
        options_.duration_buckets, DurationLabels(),
        {std::string(g->service), std::string(g->route), std::string(g->method)});
    for (double v : g->seconds) h->Observe(v);
  }
}

}  // namespace vigia

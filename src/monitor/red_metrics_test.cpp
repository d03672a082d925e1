#include "monitor/red_metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "monitor/monitor_test_util.h"
#include "monitor/traffic_stats.h"

namespace vigia {
namespace {

using testing::EventSet;
using testing::Request;

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(RedMetrics, CountsRequestsByLabelsAndObservesDurations) {
  MetricRegistry registry;
  RedMetrics red(&registry, {});
  EventSet e;
  Request r;
  r.duration_ms = 30;
  e.Add(r, 3);
  r.status = 503;
  r.duration_ms = 2000;
  e.Add(r, 1);
  e.AddRedacted(testing::kNow);  // not a request: not counted
  red.Observe(e.batch());
  red.Observe(e.batch());
  const std::string text = registry.Exposition();
  EXPECT_TRUE(Has(
      text,
      R"(http_requests_total{service="sales-api",route="/sales/{id}/pay",method="POST",status_class="2xx"} 6)"))
      << text;
  EXPECT_TRUE(Has(
      text,
      R"(http_requests_total{service="sales-api",route="/sales/{id}/pay",method="POST",status_class="5xx"} 2)"))
      << text;
  EXPECT_TRUE(Has(
      text,
      R"(http_request_duration_seconds_count{service="sales-api",route="/sales/{id}/pay",method="POST"} 8)"))
      << text;
  EXPECT_TRUE(Has(
      text,
      R"(http_request_duration_seconds_bucket{service="sales-api",route="/sales/{id}/pay",method="POST",le="0.05"} 6)"))
      << text;
  EXPECT_TRUE(Has(
      text,
      R"(http_request_duration_seconds_sum{service="sales-api",route="/sales/{id}/pay",method="POST"} 4.18)"))
      << text;
}

TEST(RedMetrics, CardinalityOverflowGoesToOtherAndIsCounted) {
  MetricRegistry registry;
  RedMetricsOptions options;
  options.max_series = 3;
  RedMetrics red(&registry, options);
  EventSet e;
  for (int i = 0; i < 10; ++i) {
    Request r;
    r.route = "/r" + std::to_string(i);
    e.Add(r);
  }
  red.Observe(e.batch());
  const std::string text = registry.Exposition();
  EXPECT_TRUE(Has(
      text,
      R"(http_requests_total{service="other",route="other",method="other",status_class="other"} 7)"))
      << text;
  EXPECT_TRUE(Has(text, R"(vigia_metric_series_overflow_total{family="http_requests_total"} 7)"))
      << text;
}

// The aggregation as it was before it grouped views of the batch (issue 20, round nine):
// a std::map of copied label strings, in map order. Observe must leave the registry exactly
// as this does: the same series, the same counts, the same histogram sums (durations added
// in event order) and the same label sets kept before the cardinality overflow.
void ReferenceObserve(const EventBatch& batch, MetricRegistry* registry, size_t max_series) {
  registry->SetMaxSeries(RedMetrics::kRequestsFamily, max_series);
  registry->SetMaxSeries(RedMetrics::kDurationFamily, max_series);
  auto string_or = [](const Value* v) {
    return v == nullptr || v->type != ValueType::kString || v->s.empty() ? std::string("none")
                                                                         : std::string(v->s);
  };
  std::map<LabelValues, uint64_t> counts;
  std::map<LabelValues, std::vector<double>> durations;
  for (const EventBatch::EventRef& e : batch.events()) {
    const Value* kind = batch.Find(e, "kind");
    if (kind == nullptr || kind->type != ValueType::kString || kind->s != "request") continue;
    const Value* s = batch.Find(e, "status");
    const int64_t status =
        s == nullptr ? 0
                     : TrafficStatusOf(s->type, s->i, s->f,
                                       s->type == ValueType::kString ? s->s : std::string_view());
    LabelValues labels = {string_or(batch.Find(e, "service")), string_or(batch.Find(e, "route")),
                          string_or(batch.Find(e, "method")), RedMetrics::StatusClass(status)};
    ++counts[labels];
    const Value* d = batch.Find(e, "duration_ms");
    if (d != nullptr && (d->type == ValueType::kInt || d->type == ValueType::kFloat)) {
      labels.pop_back();
      durations[std::move(labels)].push_back(
          (d->type == ValueType::kInt ? static_cast<double>(d->i) : d->f) / 1000.0);
    }
  }
  for (const auto& [labels, n] : counts) {
    registry
        ->GetCounter(RedMetrics::kRequestsFamily,
                     "HTTP requests of the watched applications, from their kind=request events.",
                     {"service", "route", "method", "status_class"}, labels)
        ->Inc(n);
  }
  for (const auto& [labels, values] : durations) {
    Histogram* h = registry->GetHistogram(
        RedMetrics::kDurationFamily,
        "HTTP request duration of the watched applications (duration_ms of kind=request "
        "events), in seconds.",
        LatencySecondsBuckets(), {"service", "route", "method"}, labels);
    for (double v : values) h->Observe(v);
  }
}

TEST(RedMetrics, SameRegistryAsTheCopiedLabelAggregation) {
  std::mt19937_64 rng(7);
  const std::vector<std::string> services = {"sales-api", "auth-api", "", "none", "a", "b-api"};
  const std::vector<std::string> routes = {"/r/{id}", "/r", "/", "", "/s/{x}/t", "/none"};
  const std::vector<std::string> methods = {"GET", "POST", "", "PUT"};
  for (size_t max_series : {size_t{1000}, size_t{7}, size_t{2}}) {
    auto batch = std::make_shared<EventBatch>();
    EventBatch& b = *batch;
    for (int i = 0; i < 3000; ++i) {
      b.BeginEvent(testing::kNow);
      const int shape = static_cast<int>(rng() % 20);
      b.AddField("kind", shape == 0   ? Value::String("log")
                         : shape == 1 ? Value::Int(1)
                                      : Value::String("request"));
      if (shape != 2) b.AddField("service", Value::String(services[rng() % services.size()]));
      if (shape != 3) b.AddField("route", Value::String(routes[rng() % routes.size()]));
      if (shape == 4) {
        b.AddField("method", Value::Int(5));  // not a string: "none"
      } else if (shape != 5) {
        b.AddField("method", Value::String(methods[rng() % methods.size()]));
      }
      const int64_t status = static_cast<int64_t>(rng() % 700);
      if (shape == 6) {
        b.AddField("status", Value::String(b.arena().Copy(std::to_string(status))));
      } else if (shape == 7) {
        b.AddField("status", Value::Float(static_cast<double>(status) + 0.5));
      } else if (shape == 8) {
        b.AddField("status", Value::String("abc"));
      } else if (shape != 9) {
        b.AddField("status", Value::Int(status));
      }
      // Durations whose float sum depends on the order they are added in.
      const double ms = static_cast<double>(rng() % 100000) / 7.0;
      if (shape == 10) {
        b.AddField("duration_ms", Value::Int(static_cast<int64_t>(rng() % 5000)));
      } else if (shape == 11) {
        b.AddField("duration_ms", Value::String("12"));  // not a number: no duration
      } else if (shape != 12) {
        b.AddField("duration_ms", Value::Float(ms));
      }
    }
    MetricRegistry got_registry, want_registry;
    RedMetricsOptions options;
    options.max_series = max_series;
    RedMetrics red(&got_registry, options);
    red.Observe(b);
    red.Observe(b);
    ReferenceObserve(b, &want_registry, max_series);
    ReferenceObserve(b, &want_registry, max_series);
    const std::string got = got_registry.Exposition();
    EXPECT_EQ(got, want_registry.Exposition()) << "max_series " << max_series;
    EXPECT_NE(got.find("http_request_duration_seconds_sum"), std::string::npos);
  }
}

TEST(RedMetrics, StatusClass) {
  EXPECT_EQ(RedMetrics::StatusClass(200), "2xx");
  EXPECT_EQ(RedMetrics::StatusClass(429), "4xx");
  EXPECT_EQ(RedMetrics::StatusClass(599), "5xx");
  EXPECT_EQ(RedMetrics::StatusClass(0), "none");
  EXPECT_EQ(RedMetrics::StatusClass(600), "none");
}

}  // namespace
}  // namespace vigia

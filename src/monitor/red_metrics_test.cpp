#include "monitor/red_metrics.h"

#include <gtest/gtest.h>

#include "monitor/monitor_test_util.h"

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

TEST(RedMetrics, StatusClass) {
  EXPECT_EQ(RedMetrics::StatusClass(200), "2xx");
  EXPECT_EQ(RedMetrics::StatusClass(429), "4xx");
  EXPECT_EQ(RedMetrics::StatusClass(599), "5xx");
  EXPECT_EQ(RedMetrics::StatusClass(0), "none");
  EXPECT_EQ(RedMetrics::StatusClass(600), "none");
}

}  // namespace
}  // namespace vigia

#include "monitor/slo_evaluator.h"

#include <gtest/gtest.h>

#include "monitor/monitor_test_util.h"

namespace vigia {
namespace {

using testing::EventSet;
using testing::kHour;
using testing::kMin;
using testing::kNow;
using testing::Request;

constexpr const char* kSlos = R"([[slo]]
name = "tight"
total = 'kind:request'
good = 'status:<500'
target = 99.9
period = "30d"

[[slo]]
name = "loose"
total = 'kind:request'
good = 'status:<500'
target = 99
period = "30d"
)";

// Synthetic traffic, with the hand computation of each window:
//   now-2m   100 requests,  5 of them 500
//   now-20m  900 requests, 15 of them 500
//   now-3h  2000 requests, 10 of them 500
//   now-10d 7000 requests, none failed
EventSet Traffic() {
  EventSet e;
  auto add = [&e](int64_t ago, int total, int bad) {
    Request r;
    r.ts_ns = kNow - ago;
    e.Add(r, total - bad);
    r.status = 500;
    e.Add(r, bad);
  };
  add(2 * kMin, 100, 5);
  add(20 * kMin, 900, 15);
  add(3 * kHour, 2000, 10);
  add(240 * kHour, 7000, 0);
  return e;
}

TEST(SloEvaluator, MatchesTheHandComputation) {
  Result<MonitorConfig> c = ParseMonitorConfig(kSlos, "slos.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto config = std::make_shared<const MonitorConfig>(std::move(*c));
  EventSet events = Traffic();
  auto backend = events.Backend();
  SloEvaluator ev(backend.get(), config);

  // target 99.9 %: budget 0.1 % of requests, 0.001 x 43,200 min = 43.2 min.
  SloStatus t = *ev.StatusByName("tight", kNow, TenantScope::All());
  ASSERT_TRUE(t.status.ok()) << t.status.ToString();
  EXPECT_EQ(t.total, 10000u);
  EXPECT_EQ(t.good, 9970u);
  EXPECT_NEAR(*t.attainment_percent, 99.7, 1e-9);
  // error ratio 0.003 = 3x the budget: remaining 1 - 3 = -2 (overspent).
  EXPECT_NEAR(t.budget_remaining_fraction, -2.0, 1e-9);
  EXPECT_NEAR(t.budget_minutes, 43.2, 1e-9);
  EXPECT_NEAR(t.budget_remaining_minutes, -86.4, 1e-9);
  // burn = error ratio / 0.001: 5m 5/100 → 50; 1h 20/1000 → 20; 30m → 20; 6h 30/3000 → 10.
  EXPECT_NEAR(*t.fast.short_window.rate, 50.0, 1e-9);
  EXPECT_NEAR(*t.fast.long_window.rate, 20.0, 1e-9);
  EXPECT_NEAR(*t.slow.short_window.rate, 20.0, 1e-9);
  EXPECT_NEAR(*t.slow.long_window.rate, 10.0, 1e-9);
  EXPECT_EQ(t.fast.long_window.total, 1000u);
  EXPECT_EQ(t.slow.long_window.total, 3000u);
  // 30-day period: thresholds 14.4 (2 % of the budget in 1 h) and 6 (5 % in 6 h).
  EXPECT_NEAR(t.fast.threshold, 14.4, 1e-9);
  EXPECT_NEAR(t.slow.threshold, 6.0, 1e-9);
  EXPECT_TRUE(t.fast.firing);
  EXPECT_TRUE(t.slow.firing);

  // target 99 %: budget 1 %, 432 min; burns are a tenth: 5, 2, 2, 1; nothing fires.
  SloStatus l = *ev.StatusByName("loose", kNow, TenantScope::All());
  EXPECT_NEAR(l.budget_remaining_fraction, 0.7, 1e-9);
  EXPECT_NEAR(l.budget_remaining_minutes, 302.4, 1e-9);
  EXPECT_NEAR(*l.fast.short_window.rate, 5.0, 1e-9);
  EXPECT_NEAR(*l.slow.long_window.rate, 1.0, 1e-9);
  EXPECT_FALSE(l.fast.firing);
  EXPECT_FALSE(l.slow.firing);

  std::string json;
  JsonWriter w(&json);
  WriteSloStatusJson(&w, t);
  EXPECT_NE(json.find(R"("firing":true)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("period":"30d")"), std::string::npos) << json;
}

TEST(SloEvaluator, NoEventsMeansFullBudgetAndNoAlert) {
  Result<MonitorConfig> c = ParseMonitorConfig(kSlos, "slos.toml");
  auto config = std::make_shared<const MonitorConfig>(std::move(*c));
  EventSet empty;
  auto backend = empty.Backend();
  SloEvaluator ev(backend.get(), config);
  SloStatus s = *ev.StatusByName("tight", kNow, TenantScope::All());
  EXPECT_FALSE(s.attainment_percent.has_value());
  EXPECT_DOUBLE_EQ(s.budget_remaining_fraction, 1.0);
  EXPECT_FALSE(s.fast.short_window.rate.has_value());
  EXPECT_FALSE(s.fast.firing);
  EXPECT_EQ(ev.StatusByName("nope", kNow, TenantScope::All()).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigia

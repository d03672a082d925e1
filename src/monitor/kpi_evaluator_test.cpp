#include "monitor/kpi_evaluator.h"

#include <gtest/gtest.h>

#include "common/json_writer.h"
#include "monitor/monitor_config.h"
#include "monitor/monitor_test_util.h"

namespace vigia {
namespace {

using testing::EventSet;
using testing::kHour;
using testing::kMin;
using testing::kNow;
using testing::Request;

std::shared_ptr<const MonitorConfig> Defaults() {
  Result<MonitorConfig> c = LoadMonitorConfig("");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::make_shared<const MonitorConfig>(std::move(*c));
}

KpiStatus Eval(const EventSet& events, std::string_view kpi) {
  auto backend = events.Backend();
  KpiEvaluator ev(backend.get(), Defaults());
  Result<KpiStatus> s = ev.StatusByName(kpi, kNow, TenantScope::All());
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->status.ok()) << s->status.ToString();
  KpiStatus out = *s;
  out.kpi = nullptr;  // points into the evaluator's config, which is gone
  return out;
}

KpiColor ColorFor(const EventSet& events, std::string_view kpi) {
  return Eval(events, kpi).current.color;
}

// n requests with `bad_status` among `total` requests in the last hour.
EventSet Share(int total, int bad, int64_t bad_status, int64_t good_status = 200) {
  EventSet e;
  Request good;
  good.status = good_status;
  e.Add(good, total - bad);
  Request b;
  b.status = bad_status;
  e.Add(b, bad);
  return e;
}

TEST(KpiEvaluator, Rate429GreenYellowRed) {
  EXPECT_EQ(ColorFor(Share(2000, 1, 429), "rate_429"), KpiColor::kGreen);    // 0.05 %
  EXPECT_EQ(ColorFor(Share(2000, 10, 429), "rate_429"), KpiColor::kYellow);  // 0.5 %
  EXPECT_EQ(ColorFor(Share(2000, 60, 429), "rate_429"), KpiColor::kRed);     // 3 %
  EXPECT_DOUBLE_EQ(*Eval(Share(2000, 10, 429), "rate_429").current.value, 0.5);
}

TEST(KpiEvaluator, AuthDeniedShareGreenYellowRed) {
  EXPECT_EQ(ColorFor(Share(1000, 5, 401), "auth_denied_share"), KpiColor::kGreen);    // 0.5 %
  EXPECT_EQ(ColorFor(Share(1000, 30, 403), "auth_denied_share"), KpiColor::kYellow);  // 3 %
  EXPECT_EQ(ColorFor(Share(1000, 100, 401), "auth_denied_share"), KpiColor::kRed);    // 10 %
}

TEST(KpiEvaluator, Rate5xxGreenYellowRed) {
  EXPECT_EQ(ColorFor(Share(2000, 0, 500), "rate_5xx"), KpiColor::kGreen);
  EXPECT_EQ(ColorFor(Share(2000, 10, 503), "rate_5xx"), KpiColor::kYellow);  // 0.5 %
  EXPECT_EQ(ColorFor(Share(2000, 100, 500), "rate_5xx"), KpiColor::kRed);    // 5 %
}

TEST(KpiEvaluator, UptimeGreenYellowRed) {
  // 2xx/3xx share: higher is better.
  EXPECT_EQ(ColorFor(Share(10000, 5, 500, 302), "uptime"), KpiColor::kGreen);  // 99.95 %
  EXPECT_EQ(ColorFor(Share(10000, 50, 404), "uptime"), KpiColor::kYellow);     // 99.5 %
  EXPECT_EQ(ColorFor(Share(10000, 500, 500), "uptime"), KpiColor::kRed);       // 95 %
}

TEST(KpiEvaluator, LatencyP95GreenYellowRed) {
  auto with_slow = [](double slow_ms) {
    EventSet e;
    Request fast;
    e.Add(fast, 90);
    Request slow;
    slow.duration_ms = slow_ms;
    e.Add(slow, 10);
    return e;
  };
  EXPECT_EQ(ColorFor(with_slow(250), "latency_p95"), KpiColor::kGreen);
  EXPECT_EQ(ColorFor(with_slow(800), "latency_p95"), KpiColor::kYellow);
  EXPECT_EQ(ColorFor(with_slow(4000), "latency_p95"), KpiColor::kRed);
  EXPECT_DOUBLE_EQ(*Eval(with_slow(800), "latency_p95").current.value, 800);
}

TEST(KpiEvaluator, LoginFailuresPerIpTakesTheWorstIp) {
  auto failures = [](int worst) {
    EventSet e;
    Request ok;
    ok.route = "/auth/login";
    e.Add(ok, 50);
    Request fail;
    fail.route = "/auth/login";
    fail.status = 401;
    fail.ip = "198.51.100.1";
    e.Add(fail, 3);
    fail.ip = "198.51.100.66";
    e.Add(fail, worst);
    return e;
  };
  EXPECT_EQ(ColorFor(failures(4), "login_failures_per_ip"), KpiColor::kGreen);
  EXPECT_EQ(ColorFor(failures(12), "login_failures_per_ip"), KpiColor::kYellow);
  KpiStatus red = Eval(failures(40), "login_failures_per_ip");
  EXPECT_EQ(red.current.color, KpiColor::kRed);
  EXPECT_DOUBLE_EQ(*red.current.value, 40);
  ASSERT_EQ(red.current.groups.size(), 2u);
  EXPECT_EQ(red.current.groups[0].labels, "ip=198.51.100.66");
  EXPECT_EQ(red.current.groups[1].labels, "ip=198.51.100.1");
  EXPECT_EQ(red.current.groups[1].color, KpiColor::kGreen);
}

TEST(KpiEvaluator, SecretsInLogsGreenYellowRed) {
  EventSet none;
  none.Add(Request{}, 10);
  EXPECT_EQ(ColorFor(none, "secrets_in_logs"), KpiColor::kGreen);
  EventSet few;
  few.AddRedacted(kNow - 2 * kHour, 3);
  EXPECT_EQ(ColorFor(few, "secrets_in_logs"), KpiColor::kYellow);
  EventSet many;
  many.AddRedacted(kNow - 20 * kHour, 9);
  EXPECT_EQ(ColorFor(many, "secrets_in_logs"), KpiColor::kRed);
  // Outside the 24 h window: not counted.
  EventSet old;
  old.AddRedacted(kNow - 25 * kHour, 9);
  EXPECT_EQ(ColorFor(old, "secrets_in_logs"), KpiColor::kGreen);
}

TEST(KpiEvaluator, NoRequestsIsNoData) {
  EventSet empty;
  KpiStatus s = Eval(empty, "rate_429");
  EXPECT_FALSE(s.current.value.has_value());
  EXPECT_EQ(s.current.color, KpiColor::kNone);
}

TEST(KpiEvaluator, PreviousWindowGivesTheTrend) {
  EventSet e;
  Request now;
  e.Add(now, 990);
  Request bad;
  bad.status = 500;
  e.Add(bad, 10);  // 1 % now
  Request before;
  before.ts_ns = kNow - kHour - 10 * kMin;
  e.Add(before, 95);
  before.status = 500;
  e.Add(before, 5);  // 5 % in the hour before
  auto backend = e.Backend();
  KpiEvaluator ev(backend.get(), Defaults());
  KpiStatus s = *ev.StatusByName("rate_5xx", kNow, TenantScope::All());
  EXPECT_DOUBLE_EQ(*s.current.value, 1.0);
  EXPECT_DOUBLE_EQ(*s.previous.value, 5.0);
  EXPECT_EQ(KpiTrend(s), "better");
  std::string json;
  JsonWriter w(&json);
  WriteKpiStatusJson(&w, s);
  EXPECT_NE(json.find(R"("trend":"better")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("color":"yellow")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("window":"1h")"), std::string::npos) << json;
  // A window given by the caller replaces the KPI's own.
  KpiStatus wide =
      ev.StatusOf(*ev.config().FindKpi("rate_5xx"), 2 * kHour, kNow, TenantScope::All());
  EXPECT_NEAR(*wide.current.value, 15.0 / 1100 * 100, 1e-9);
}

// Counts the queries a backend runs.
class CountingBackend final : public QueryBackend {
 public:
  explicit CountingBackend(QueryBackend* inner) : inner_(inner) {}
  Result<QueryResult> Run(const Query& q, const QueryOptions& o,
                          const QueryObserver& obs) override {
    ++runs;
    return inner_->Run(q, o, obs);
  }
  using QueryBackend::Run;
  int runs = 0;

 private:
  QueryBackend* inner_;
};

TEST(KpiEvaluator, StatusOfAllSharesScansAndMatchesStatusOf) {
  EventSet e;
  Request r;
  e.Add(r, 900);
  r.status = 429;
  e.Add(r, 7);
  r.status = 503;
  r.duration_ms = 1500;
  e.Add(r, 20);
  r.status = 401;
  r.route = "/auth/login";
  e.Add(r, 30);
  r.ts_ns = kNow - kHour - kMin;  // the previous window
  r.status = 200;
  e.Add(r, 50);
  e.AddRedacted(kNow - 3 * kHour, 2);
  auto inner = e.Backend();
  CountingBackend backend(inner.get());
  KpiEvaluator ev(&backend, Defaults());
  std::vector<KpiStatus> all = ev.StatusOfAll(0, kNow, TenantScope::All());
  // The five kind:request KPIs over 1 h share one query per window; the per-IP one and
  // the 24 h one have their own: 2 x 3 queries instead of 2 x 7.
  EXPECT_EQ(backend.runs, 6);
  ASSERT_EQ(all.size(), ev.config().kpis.size());
  for (const KpiStatus& fused : all) {
    ASSERT_TRUE(fused.status.ok()) << fused.status.ToString();
    KpiStatus alone = ev.StatusOf(*fused.kpi, 0, kNow, TenantScope::All());
    EXPECT_EQ(fused.current.value, alone.current.value) << fused.kpi->name;
    EXPECT_EQ(fused.current.color, alone.current.color) << fused.kpi->name;
    EXPECT_EQ(fused.previous.value, alone.previous.value) << fused.kpi->name;
    EXPECT_EQ(fused.window_ns, alone.window_ns) << fused.kpi->name;
    EXPECT_TRUE(fused.current.value.has_value()) << fused.kpi->name;
  }
}

TEST(KpiEvaluator, SeriesHasOnePointPerStep) {
  EventSet e;
  for (int i = 0; i < 12; ++i) {
    Request r;
    r.ts_ns = kNow - kHour + i * 5 * kMin + kMin;
    r.duration_ms = 100.0 * (i + 1);
    e.Add(r, 3);
  }
  auto backend = e.Backend();
  KpiEvaluator ev(backend.get(), Defaults());
  Result<std::vector<KpiPoint>> s =
      ev.Series(*ev.config().FindKpi("latency_p95"), kHour, 5 * kMin, kNow, TenantScope::All());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // kNow is a multiple of 5 min: 12 steps, the last one ending at now.
  ASSERT_EQ(s->size(), 12u);
  EXPECT_EQ((*s)[0].from_ns, kNow - kHour);
  EXPECT_DOUBLE_EQ(*(*s)[0].value, 100);
  EXPECT_EQ((*s)[0].color, KpiColor::kGreen);
  EXPECT_EQ((*s)[4].color, KpiColor::kYellow);  // 500 ms
  EXPECT_DOUBLE_EQ(*(*s)[11].value, 1200);
  EXPECT_EQ((*s)[11].color, KpiColor::kRed);
}

}  // namespace
}  // namespace vigia

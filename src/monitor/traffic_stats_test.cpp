#include "monitor/traffic_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iterator>
#include <random>
#include <string>
#include <string_view>

#include "common/fake_clock_env.h"
#include "monitor/hyper_log_log.h"
#include "monitor/monitor_test_util.h"

namespace vigia {
namespace {

using testing::FakeClockEnv;
using testing::kMin;
using testing::kNow;

std::string Ip(uint64_t i) {
  return std::to_string(10 + (i >> 24) % 200) + "." + std::to_string((i >> 16) & 255) + "." +
         std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
}

TEST(HyperLogLog, EstimateWithinTwoPercent) {
  // Across the range where the classic estimator switches and is biased (2.5-5 x 16384).
  for (uint64_t n : {1u, 10u, 100u, 1'000u, 10'000u, 30'000u, 41'000u, 44'653u, 50'000u, 60'000u,
                     80'000u, 100'000u, 1'000'000u}) {
    HyperLogLog h;
    for (uint64_t i = 0; i < n; ++i) {
      h.Add(Ip(i));
      h.Add(Ip(i));  // repeats do not count
    }
    const double err = std::fabs(static_cast<double>(h.Estimate()) - n) / n;
    EXPECT_LE(err, 0.02) << "n=" << n << " estimate=" << h.Estimate();
  }
}

TEST(HyperLogLog, MergeIsTheUnion) {
  HyperLogLog a, b;
  for (uint64_t i = 0; i < 60'000; ++i) a.Add(Ip(i));
  for (uint64_t i = 40'000; i < 100'000; ++i) b.Add(Ip(i));
  a.Merge(b);
  EXPECT_NEAR(static_cast<double>(a.Estimate()), 100'000, 2'000);
  HyperLogLog empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.Estimate(), 0u);
}

TrafficRequest Req(int64_t ts, std::string_view ip, std::string_view route, int64_t status,
                   std::string_view browser = "Chrome", std::string_view device = "desktop",
                   std::string_view tenant = "") {
  TrafficRequest r;
  r.ts_ns = ts;
  r.tenant = tenant;
  r.ip = ip;
  r.method = "GET";
  r.route = route;
  r.status = status;
  r.browser = browser;
  r.os = "Linux";
  r.device = device;
  r.perf_class = status >= 500 ? "very_slow" : "good";
  return r;
}

TEST(TrafficStats, SummarizesTheWindow) {
  FakeClockEnv env(Env::Default(), kNow);
  TrafficStats t(&env);
  // Inside the last 15 minutes: 6 requests from 3 IPs; 20 minutes ago: one more.
  t.Add(Req(kNow - 1 * kMin, "203.0.113.1", "/a", 200), kNow);
  t.Add(Req(kNow - 1 * kMin, "203.0.113.1", "/a", 200), kNow);
  t.Add(Req(kNow - 2 * kMin, "203.0.113.2", "/a", 404, "Firefox"), kNow);
  t.Add(Req(kNow - 3 * kMin, "203.0.113.3", "/b", 503), kNow);
  t.Add(Req(kNow - 3 * kMin, "203.0.113.3", "/b", 302, "Googlebot", "bot"), kNow);
  t.Add(Req(kNow - 10 * kMin, "203.0.113.3", "/c", 0), kNow);
  t.Add(Req(kNow - 20 * kMin, "203.0.113.9", "/old", 200), kNow);
  // Outside the hour the ring holds, and from the future: not live traffic.
  t.Add(Req(kNow - 61 * kMin, "203.0.113.9", "/older", 200), kNow);
  t.Add(Req(kNow + 5 * kMin, "203.0.113.9", "/future", 200), kNow);

  TrafficSummary s = t.Summarize(15 * kMin, kNow, TenantScope::All(), 10);
  EXPECT_EQ(s.requests, 6u);
  EXPECT_EQ(s.unique_ips, 3u);
  ASSERT_EQ(s.endpoints.size(), 3u);
  EXPECT_EQ(s.endpoints[0].name, "GET /a");
  EXPECT_EQ(s.endpoints[0].requests, 3u);
  EXPECT_EQ(s.endpoints[1].name, "GET /b");
  EXPECT_EQ(s.status_classes[1], 2u);  // 2xx
  EXPECT_EQ(s.status_classes[2], 1u);  // 3xx
  EXPECT_EQ(s.status_classes[3], 1u);  // 4xx
  EXPECT_EQ(s.status_classes[4], 1u);  // 5xx
  EXPECT_EQ(s.status_classes[5], 1u);  // none
  EXPECT_EQ(s.bots, 1u);
  ASSERT_FALSE(s.browsers.empty());
  EXPECT_EQ(s.browsers[0].name, "Chrome");
  EXPECT_EQ(s.browsers[0].requests, 4u);
  ASSERT_FALSE(s.perf_classes.empty());
  EXPECT_EQ(s.perf_classes[0].name, "good");

  s = t.Summarize(60 * kMin, kNow, TenantScope::All(), 10);
  EXPECT_EQ(s.requests, 7u);
  EXPECT_EQ(s.unique_ips, 4u);

  std::string json;
  JsonWriter w(&json);
  WriteTrafficJson(&w, s, 60 * kMin);
  EXPECT_NE(json.find(R"("requests":7,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("unique_ips":4,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("status_classes":{"1xx":0,"2xx":3,"3xx":1,"4xx":1,"5xx":1,"other":1})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("bots":{"requests":1,)"), std::string::npos) << json;
}

TEST(TrafficStats, TenantScopeAndTheRingMovingOn) {
  FakeClockEnv env(Env::Default(), kNow);
  TrafficStats t(&env);
  t.Add(Req(kNow - kMin, "203.0.113.1", "/a", 200, "Chrome", "desktop", "acme"), kNow);
  t.Add(Req(kNow - kMin, "203.0.113.2", "/b", 200, "Chrome", "desktop", "globex"), kNow);
  EXPECT_EQ(t.Summarize(15 * kMin, kNow, TenantScope::Only("acme"), 10).requests, 1u);
  EXPECT_EQ(t.Summarize(15 * kMin, kNow, TenantScope::All(), 10).requests, 2u);
  // An hour and more later those minutes have left the ring; new ones reuse their slots.
  const int64_t later = kNow + 61 * kMin;
  t.Add(Req(later - kMin, "203.0.113.3", "/c", 200, "Chrome", "desktop", "acme"), later);
  TrafficSummary s = t.Summarize(60 * kMin, later, TenantScope::All(), 10);
  EXPECT_EQ(s.requests, 1u);
  ASSERT_EQ(s.endpoints.size(), 1u);
  EXPECT_EQ(s.endpoints[0].name, "GET /c");
}

TEST(TrafficStats, ObservesRequestEventsOfABatch) {
  FakeClockEnv env(Env::Default(), testing::kNow);
  TrafficStats t(&env);
  testing::EventSet events;
  testing::Request r;
  events.Add(r, 5);
  r.ip = "198.51.100.1";
  r.status = 500;
  events.Add(r, 2);
  events.AddRedacted(kNow - kMin);  // a log event: not traffic
  t.Observe(events.batch());
  TrafficSummary s = t.Summarize(15 * kMin, kNow, TenantScope::All(), 10);
  EXPECT_EQ(s.requests, 7u);
  EXPECT_EQ(s.unique_ips, 2u);
  EXPECT_EQ(s.status_classes[4], 2u);
  ASSERT_EQ(s.endpoints.size(), 1u);
  EXPECT_EQ(s.endpoints[0].name, "POST /sales/{id}/pay");
}

// RequestOf (one pass over the fields) against the eleven EventBatch::Find lookups it
// replaced: random events with the fields in any order, repeated names (the first counts),
// values of every type, missing fields, names that share a length with the ones read.
TEST(TrafficStats, RequestOfReadsWhatFindReads) {
  auto by_find = [](const EventBatch& batch, const EventBatch::EventRef& e, TrafficRequest* r) {
    auto str = [](const Value* v) {
      return v != nullptr && v->type == ValueType::kString ? v->s : std::string_view();
    };
    if (str(batch.Find(e, "kind")) != "request") return false;
    r->ts_ns = e.ts_ns;
    r->tenant = str(batch.Find(e, "tenant"));
    r->ip = str(batch.Find(e, "ip"));
    r->method = str(batch.Find(e, "method"));
    r->route = str(batch.Find(e, "route"));
    if (r->route.empty()) r->route = str(batch.Find(e, "path"));
    if (const Value* s = batch.Find(e, "status")) {
      r->status = TrafficStatusOf(s->type, s->i, s->f, s->type == ValueType::kString ? s->s : "");
    }
    r->browser = str(batch.Find(e, "browser"));
    r->os = str(batch.Find(e, "os"));
    r->device = str(batch.Find(e, "device"));
    r->perf_class = str(batch.Find(e, "perf_class"));
    return true;
  };
  static constexpr std::string_view kNames[] = {
      "kind",    "tenant",   "ip",         "method",     "route", "path",   "status",
      "browser", "os",       "device",     "perf_class", "io",    "kine",   "routes",
      "statu",   "browsers", "perf_clasz", "level",      "msg",   "service"};
  static constexpr std::string_view kStrings[] = {"request", "log", "",   "GET",    "/a/{id}",
                                                  "/a/1",    "500", "5x", "Chrome", "bot"};
  std::mt19937_64 rng(20);
  EventBatch batch;
  for (int i = 0; i < 5000; ++i) {
    batch.BeginEvent(kNow - static_cast<int64_t>(rng() % 100) * kMin / 7);
    const int n = static_cast<int>(rng() % 14);
    if (rng() % 4 != 0) batch.AddField("kind", Value::String(rng() % 5 ? "request" : "log"));
    for (int k = 0; k < n; ++k) {
      const std::string_view name = kNames[rng() % std::size(kNames)];
      switch (rng() % 5) {
        case 0:
          batch.AddField(name, Value::Int(static_cast<int64_t>(rng() % 700)));
          break;
        case 1:
          batch.AddField(name, Value::Float(static_cast<double>(rng() % 7000) / 10));
          break;
        case 2:
          batch.AddField(name, Value::Null());
          break;
        default:
          batch.AddField(name, Value::String(kStrings[rng() % std::size(kStrings)]));
          break;
      }
    }
  }
  int requests = 0;
  for (const EventBatch::EventRef& e : batch.events()) {
    TrafficRequest want, got;
    const bool is_request = by_find(batch, e, &want);
    ASSERT_EQ(RequestOf(batch, e, &got), is_request);
    if (!is_request) continue;
    ++requests;
    EXPECT_EQ(got.ts_ns, want.ts_ns);
    EXPECT_EQ(got.tenant, want.tenant);
    EXPECT_EQ(got.ip, want.ip);
    EXPECT_EQ(got.method, want.method);
    EXPECT_EQ(got.route, want.route);
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.browser, want.browser);
    EXPECT_EQ(got.os, want.os);
    EXPECT_EQ(got.device, want.device);
    EXPECT_EQ(got.perf_class, want.perf_class);
  }
  EXPECT_GT(requests, 2000);
}

TEST(TrafficStats, LabelValuesAreBounded) {
  FakeClockEnv env(Env::Default(), kNow);
  TrafficStats t(&env);
  std::vector<std::string> paths;
  for (size_t i = 0; i < limits::kTrafficMaxKeys + 50; ++i)
    paths.push_back("/p" + std::to_string(i));
  for (const std::string& p : paths) t.Add(Req(kNow - kMin, "203.0.113.1", p, 200), kNow);
  TrafficSummary s = t.Summarize(15 * kMin, kNow, TenantScope::All(), 0);
  EXPECT_EQ(s.requests, paths.size());
  EXPECT_EQ(s.endpoints.size(), limits::kTrafficMaxKeys + 1);
  EXPECT_EQ(s.endpoints[0].name, "other");
  EXPECT_EQ(s.endpoints[0].requests, 50u);
}

}  // namespace
}  // namespace vigia

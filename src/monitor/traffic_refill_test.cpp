#include "monitor/traffic_refill.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "common/fake_clock_env.h"
#include "monitor/monitor_test_util.h"
#include "query/row_evaluator_backend.h"

namespace vigia {
namespace {

using testing::FakeClockEnv;
using testing::kMin;
using testing::kNow;
using testing::kSec;

// Random request events (and a few others) with every shape the statistics read: missing
// fields, texts where numbers belong and numbers where texts belong, empty routes, several
// tenants, minutes inside, before and after the ring.
std::shared_ptr<EventBatch> RandomEvents(uint32_t seed, int n) {
  std::mt19937 rng(seed);
  auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<uint32_t>(k)); };
  auto b = std::make_shared<EventBatch>();
  auto text = [&](std::string_view s) { return Value::String(b->arena().Copy(s)); };
  const char* tenants[] = {"acme", "globex"};
  const char* methods[] = {"GET", "POST"};
  const char* routes[] = {"/sales/{id}", "/list", "/login"};
  const char* paths[] = {"/sales/1", "/sales/2", "/list", "/x"};
  const char* browsers[] = {"Chrome", "Firefox", "Googlebot"};
  const char* oses[] = {"Linux", "iOS"};
  const char* devices[] = {"desktop", "mobile", "bot"};
  const char* perf[] = {"good", "slow", "very_slow"};
  for (int i = 0; i < n; ++i) {
    // From 70 minutes ago to 3 minutes ahead, in seconds.
    const int64_t ts = kNow - 70 * kMin + pick(73 * 60) * kSec;
    b->BeginEvent(ts);
    b->AddField("kind", text(pick(10) == 0 ? "log" : "request"));
    if (pick(4) != 0) b->AddField("tenant", text(tenants[pick(2)]));
    if (pick(8) != 0) b->AddField("method", text(methods[pick(2)]));
    switch (pick(6)) {
      case 0:
        break;  // no route: the path names the endpoint
      case 1:
        b->AddField("route", text(""));
        break;
      case 2:
        b->AddField("route", Value::Int(5));
        break;
      default:
        b->AddField("route", text(routes[pick(3)]));
    }
    if (pick(5) != 0) b->AddField("path", text(paths[pick(4)]));
    switch (pick(7)) {
      case 0:
        break;
      case 1:
        b->AddField("status", text("502"));
        break;
      case 2:
        b->AddField("status", text("n/a"));
        break;
      case 3:
        b->AddField("status", Value::Float(201.5));
        break;
      default:
        b->AddField("status", Value::Int(std::array<int64_t, 4>{200, 404, 503, 0}[pick(4)]));
    }
    if (pick(6) != 0) b->AddField("browser", text(browsers[pick(3)]));
    if (pick(6) != 0) b->AddField("os", text(oses[pick(2)]));
    if (pick(6) != 0) b->AddField("device", text(devices[pick(3)]));
    if (pick(6) != 0) b->AddField("perf_class", text(perf[pick(3)]));
    if (pick(10) != 0) b->AddField("ip", text("203.0.113." + std::to_string(pick(40))));
  }
  return b;
}

void ExpectSameCounts(const std::vector<TrafficCount>& want, const std::vector<TrafficCount>& got,
                      const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].name, want[i].name) << what << " #" << i;
    EXPECT_EQ(got[i].requests, want[i].requests) << what << " " << want[i].name;
  }
}

void ExpectSameSummary(const TrafficSummary& want, const TrafficSummary& got,
                       const std::string& what) {
  EXPECT_EQ(got.requests, want.requests) << what;
  EXPECT_EQ(got.unique_ips, want.unique_ips) << what;
  for (int i = 0; i < 6; ++i) EXPECT_EQ(got.status_classes[i], want.status_classes[i]) << what;
  EXPECT_EQ(got.bots, want.bots) << what;
  ExpectSameCounts(want.endpoints, got.endpoints, what + " endpoints");
  ExpectSameCounts(want.browsers, got.browsers, what + " browsers");
  ExpectSameCounts(want.os, got.os, what + " os");
  ExpectSameCounts(want.devices, got.devices, what + " devices");
  ExpectSameCounts(want.perf_classes, got.perf_classes, what + " perf");
}

// The refill's grouped questions count what observing every stored request counts, in every
// dimension, tenant and window (the reference engine answers them here; monitor_it checks the
// store's engine end to end).
TEST(TrafficRefill, CountsWhatObservingEachRequestCounts) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    std::shared_ptr<EventBatch> batch = RandomEvents(seed, 3000);
    FakeClockEnv env(Env::Default(), kNow);
    TrafficStats observed(&env), refilled(&env);
    observed.Observe(*batch);
    RowEvaluatorBackend backend(
        [batch](const std::function<Status(const EventBatch&)>& add) { return add(*batch); });
    const QueryOptions o = TrafficRefillOptions(kNow);
    Result<TrafficRefillCounts> counts = RefillTrafficCounts(&backend, &refilled, o);
    ASSERT_TRUE(counts.ok()) << counts.status().ToString();
    EXPECT_EQ(counts->queries, 4u) << "routes are missing in some requests: paths are asked";
    Result<TrafficRefillCounts> ips = RefillTrafficIps(&backend, &refilled, o);
    ASSERT_TRUE(ips.ok()) << ips.status().ToString();
    EXPECT_GT(ips->requests, 40u);
    for (int64_t window : {int64_t{1}, int64_t{15}, int64_t{60}}) {
      for (const char* tenant : {"", "acme", "globex", "*"}) {
        const TenantScope scope =
            std::string_view(tenant) == "*" ? TenantScope::All() : TenantScope::Only(tenant);
        const std::string what = "seed " + std::to_string(seed) + " window " +
                                 std::to_string(window) + "m tenant '" + tenant + "'";
        const TrafficSummary want = observed.Summarize(window * kMin, kNow, scope, 0);
        const TrafficSummary got = refilled.Summarize(window * kMin, kNow, scope, 0);
        if (window == 60) {
          ASSERT_GT(want.requests, 100u) << what;
        }
        ExpectSameSummary(want, got, what);
      }
    }
  }
}

// With a route on every request the paths (high cardinality) are never asked for.
TEST(TrafficRefill, PathsAreAskedOnlyForRequestsWithoutARoute) {
  testing::EventSet events;
  testing::Request r;
  events.Add(r, 20);
  r.route = "/list";
  r.ip = "198.51.100.1";
  events.Add(r, 5);
  std::unique_ptr<QueryBackend> backend = events.Backend();
  FakeClockEnv env(Env::Default(), kNow);
  TrafficStats t(&env);
  Result<TrafficRefillCounts> counts =
      RefillTrafficCounts(backend.get(), &t, TrafficRefillOptions(kNow));
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->queries, 3u);
  EXPECT_EQ(counts->requests, 25u);
  TrafficSummary s = t.Summarize(15 * kMin, kNow, TenantScope::All(), 0);
  EXPECT_EQ(s.requests, 25u);
  EXPECT_EQ(s.unique_ips, 0u) << "IPs are the second step's";
  ASSERT_EQ(s.endpoints.size(), 2u);
  EXPECT_EQ(s.endpoints[0].name, "POST /sales/{id}/pay");
  EXPECT_EQ(s.endpoints[0].requests, 20u);
  ASSERT_TRUE(RefillTrafficIps(backend.get(), &t, TrafficRefillOptions(kNow)).ok());
  EXPECT_EQ(t.Summarize(15 * kMin, kNow, TenantScope::All(), 0).unique_ips, 2u);
}

}  // namespace
}  // namespace vigia

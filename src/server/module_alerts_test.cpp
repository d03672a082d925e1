// The alerts module as `vigia serve` wires it: a real Server on a fake clock, rules from a
// directory, events through POST /v1/events, evaluation by the scheduler (Settle), and the
// routes /v1/alerts, /v1/rules, /v1/rules/reload and /v1/silences called through the router.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "alerting/notification.h"
#include "common/fake_clock_env.h"
#include "common/time_format.h"
#include "server/response_stream_testing.h"
#include "server/server.h"
#include "support/http_client.h"
#include "support/webhook_sink.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;

constexpr const char* kRules = R"(groups:
  - name: http
    interval: 10s
    rules:
      - name: HighErrorRate
        query: 'kind:request _time:1m | stats count() as total, count() if (status:>=500) as errors by (route) | math errors / total as value'
        condition: value > 0.01
        for: 20s
        labels: {severity: page}
        annotations:
          summary: '5xx {{ $value | humanizePercentage }} on {{ $labels.route }}'
)";

class AlertsModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_alerts_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "rules");
    WriteRules(kRules);
    config_.store.store.data_dir = (dir_ / "data").string();
    config_.http.port = 0;
    config_.http.threads = 1;
    config_.ingest.ua_regexes = "off";
    config_.alerts.rules_dir = (dir_ / "rules").string();
    clock_ = std::make_unique<testing::FakeClockEnv>(Env::Default(),
                                                     *ParseRfc3339("2026-11-20T12:00:00Z"), kSec);
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Stop().ok());
    }
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void WriteRules(const std::string& text) { std::ofstream(dir_ / "rules" / "http.yml") << text; }
  void Start() {
    Result<std::unique_ptr<Server>> s = Server::Start(config_, clock_.get());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  HttpResponse Call(std::string_view method, std::string_view target, std::string body = "") {
    HttpRequest req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string_view::npos) req.query = target.substr(q + 1);
    std::vector<std::pair<std::string_view, std::string_view>> headers = {
        {"Content-Type", "application/x-ndjson"}};
    req.headers = headers;
    req.body = std::move(body);
    req.receive_ts_ns = clock_->NowNanos();
    HttpResponse resp;
    server_->router().Dispatch(req, &resp);
    testing::DrainStream(&resp);
    return resp;
  }
  void Requests(int ok, int failed) {
    std::string body;
    const std::string ts = std::to_string(clock_->NowNanos());
    for (int i = 0; i < ok + failed; ++i) {
      body += R"({"ts":)" + ts + R"(,"kind":"request","route":"/pay","status":)" +
              (i < failed ? "500" : "200") + "}\n";
    }
    ASSERT_EQ(Call("POST", "/v1/events", body).status, 200);
  }
  // Moves the fake clock in steps of a second, letting the scheduler run each one.
  void Advance(int64_t ns) {
    for (int64_t done = 0; done < ns; done += kSec) {
      clock_->Advance(kSec);
      server_->scheduler().Settle();
    }
  }
  std::string Alerts() { return Call("GET", "/v1/alerts").body; }

  std::filesystem::path dir_;
  ServerConfig config_;
  std::unique_ptr<testing::FakeClockEnv> clock_;  // outlives server_
  std::unique_ptr<Server> server_;
};

TEST_F(AlertsModuleTest, PendingFiringResolvedAsEventsAndState) {
  Start();
  Requests(90, 10);
  Advance(10 * kSec);
  EXPECT_NE(Alerts().find("\"state\":\"pending\""), std::string::npos) << Alerts();
  Advance(20 * kSec);
  std::string firing = Alerts();
  EXPECT_NE(firing.find("\"state\":\"firing\""), std::string::npos) << firing;
  EXPECT_NE(firing.find("\"summary\":\"5xx 10% on /pay\""), std::string::npos) << firing;
  EXPECT_NE(firing.find("\"route\":\"/pay\""), std::string::npos) << firing;
  // The events leave the query's minute: resolved.
  Advance(60 * kSec);
  EXPECT_NE(Alerts().find("\"state\":\"resolved\""), std::string::npos) << Alerts();
  // Every transition is a kind=alert event.
  HttpResponse q =
      Call("GET", "/v1/query?q=kind:alert%20%7C%20stats%20count()%20by%20(alert.state)");
  EXPECT_NE(q.body.find("{\"alert.state\":\"firing\",\"count()\":1}"), std::string::npos) << q.body;
  EXPECT_NE(q.body.find("{\"alert.state\":\"pending\",\"count()\":1}"), std::string::npos)
      << q.body;
  EXPECT_NE(q.body.find("{\"alert.state\":\"resolved\",\"count()\":1}"), std::string::npos)
      << q.body;
  std::string rules = Call("GET", "/v1/rules").body;
  EXPECT_NE(rules.find("\"health\":\"ok\""), std::string::npos) << rules;
  EXPECT_NE(rules.find("\"interval_sec\":10"), std::string::npos) << rules;
}

TEST_F(AlertsModuleTest, BadReloadKeepsTheRunningRules) {
  Start();
  WriteRules(std::string(kRules) + "        bogus: 1\n");
  HttpResponse r = Call("POST", "/v1/rules/reload");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("http.yml:12:9: unknown field \\\"bogus\\\""), std::string::npos) << r.body;
  EXPECT_EQ(Call("GET", "/health/ready").status, 200);  // degraded, still ready
  EXPECT_NE(Call("GET", "/health/ready").body.find("alert_rules_error"), std::string::npos);
  Requests(0, 10);
  Advance(30 * kSec);
  EXPECT_NE(Alerts().find("\"state\":\"firing\""), std::string::npos) << Alerts();
  WriteRules(kRules);
  r = Call("POST", "/v1/rules/reload");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Call("GET", "/health/ready").body.find("alert_rules_error"), std::string::npos);
  EXPECT_NE(Alerts().find("\"state\":\"firing\""), std::string::npos) << Alerts();
  // A reload (and every admin action) is an audit event.
  HttpResponse q =
      Call("GET", "/v1/query?q=kind:audit%20action:rules.reload%20%7C%20stats%20count()");
  EXPECT_NE(q.body.find("\"count()\":2"), std::string::npos) << q.body;  // the bad one too
}

TEST_F(AlertsModuleTest, RestartKeepsFiringAlertsWithoutNewTransitions) {
  Start();
  Requests(0, 10);
  Advance(30 * kSec);
  ASSERT_NE(Alerts().find("\"state\":\"firing\""), std::string::npos) << Alerts();
  std::string fired_at = Alerts().substr(Alerts().find("\"firedAt\""), 40);
  ASSERT_TRUE(server_->Stop().ok());
  server_.reset();
  Start();
  EXPECT_NE(Alerts().find("\"state\":\"firing\""), std::string::npos) << Alerts();
  EXPECT_NE(Alerts().find(fired_at), std::string::npos) << Alerts();
  Requests(0, 10);
  Advance(10 * kSec);
  HttpResponse q =
      Call("GET", "/v1/query?q=kind:alert%20alert.state:firing%20%7C%20stats%20count()");
  EXPECT_NE(q.body.find("\"count()\":1"), std::string::npos) << q.body;
}

TEST_F(AlertsModuleTest, SilencesApi) {
  Start();
  Requests(0, 10);
  Advance(30 * kSec);
  HttpResponse bad = Call("POST", "/v1/silences",
                          R"({"matchers":["alertname=~("],"duration":"1h","comment":"x"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("invalid regex"), std::string::npos) << bad.body;
  HttpResponse made = Call(
      "POST", "/v1/silences",
      R"({"matchers":["alertname=HighErrorRate"],"duration":"1h","comment":"deploy","createdBy":"ana"})");
  ASSERT_EQ(made.status, 200) << made.body;
  std::string id = made.body.substr(made.body.find(":\"") + 2);
  id = id.substr(0, id.find('"'));
  EXPECT_NE(Alerts().find("\"silenced_by\":[\"" + id + "\"]"), std::string::npos) << Alerts();
  std::string list = Call("GET", "/v1/silences").body;
  EXPECT_NE(list.find("\"status\":\"active\""), std::string::npos) << list;
  EXPECT_EQ(Call("DELETE", "/v1/silences/" + id).status, 200);
  EXPECT_EQ(Call("DELETE", "/v1/silences/nope").status, 404);
  EXPECT_EQ(Alerts().find("silenced_by"), std::string::npos) << Alerts();
  EXPECT_NE(Call("GET", "/v1/silences").body.find("\"status\":\"expired\""), std::string::npos);
}

// Rules on the monitor's KPIs and SLOs by name (alerting/rule_signals.h): a KPI's colour (the
// default condition), its value, a grouped KPI (one instance per group, labelled), an SLO's
// fast burn; an unknown name refuses the set.
TEST_F(AlertsModuleTest, RulesOnKpisAndSlosByName) {
  std::ofstream(dir_ / "kpis.toml") << R"([[kpi]]
name = "error_share"
query = 'kind:request | stats count() if (status:>=500) as bad, count() as total | math bad / total * 100 as value'
window = "5m"
direction = "lower"
green = 1
yellow = 5

[[kpi]]
name = "denied_per_ip"
query = 'kind:request status:401 | stats count() as value by (ip)'
window = "1h"
direction = "lower"
green = 2
yellow = 5

[[slo]]
name = "availability"
total = 'kind:request'
good = 'status:<500'
target = 99.9
period = "30d"
)";
  config_.monitor.kpis_file = (dir_ / "kpis.toml").string();
  std::ofstream(dir_ / "rules" / "kpi.yml") << R"(groups:
  - name: kpis
    interval: 10s
    rules:
      - name: ErrorShareRed
        kpi: error_share
        annotations: {summary: 'error share {{ $value }} %'}
      - name: ErrorShareAbove50
        kpi: error_share
        condition: value > 50
      - name: ErrorShareBelow1
        kpi: error_share
        condition: value < 1
      - name: DeniedIp
        kpi: denied_per_ip
        condition: color >= yellow
      - name: AvailabilityFastBurn
        slo: availability
      - name: AvailabilitySlowBurn
        slo: availability
        condition: slow_burn == 1
)";
  Start();
  Requests(1, 9);
  std::string body;
  for (int i = 0; i < 6; ++i) {
    body += R"({"ts":)" + std::to_string(clock_->NowNanos()) +
            R"(,"kind":"request","route":"/login","status":401,"ip":"203.0.113.7"})"
            "\n";
  }
  body += R"({"ts":)" + std::to_string(clock_->NowNanos()) +
          R"(,"kind":"request","route":"/login","status":401,"ip":"198.51.100.4"})"
          "\n";
  ASSERT_EQ(Call("POST", "/v1/events", body).status, 200);
  Advance(10 * kSec);
  const std::string alerts = Alerts();
  auto firing = [&](const std::string& rule) {
    return alerts.find("\"rule\":\"" + rule + "\",\"state\":\"firing\"") != std::string::npos;
  };
  EXPECT_TRUE(firing("ErrorShareRed")) << alerts;
  EXPECT_TRUE(firing("ErrorShareAbove50")) << alerts;
  EXPECT_EQ(alerts.find("ErrorShareBelow1"), std::string::npos) << alerts;
  EXPECT_TRUE(firing("DeniedIp")) << alerts;
  EXPECT_NE(alerts.find("\"ip\":\"203.0.113.7\""), std::string::npos) << alerts;
  EXPECT_EQ(alerts.find("\"ip\":\"198.51.100.4\""), std::string::npos) << alerts;
  EXPECT_TRUE(firing("AvailabilityFastBurn")) << alerts;
  EXPECT_TRUE(firing("AvailabilitySlowBurn")) << alerts;
  EXPECT_NE(alerts.find("\"query\":\"kpi:error_share\""), std::string::npos) << alerts;
  // 9 of 17 requests failed: the KPI's own value, not its colour, is the instance's value.
  EXPECT_NE(alerts.find("\"summary\":\"error share 52.94"), std::string::npos) << alerts;

  std::ofstream(dir_ / "rules" / "kpi.yml") << R"(groups:
  - name: kpis
    rules:
      - name: Typo
        kpi: eror_share
)";
  HttpResponse r = Call("POST", "/v1/rules/reload");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("kpi.yml:4:9: rule \\\"Typo\\\": kpi \\\"eror_share\\\" is not defined"),
            std::string::npos)
      << r.body;
}

// Notifications: a webhook receiver of the test (signed), a receiver that refuses
// connections and one that hangs; grouping waits, resolved notifications, silences, and the
// per-receiver counters. Delivery runs on real threads, so the test waits (bounded) for it.
class AlertsNotifyTest : public AlertsModuleTest {
 protected:
  void SetUp() override {
    AlertsModuleTest::SetUp();
    ASSERT_TRUE(sink_.Start().ok());
    std::ofstream(dir_ / "notify.yml") << R"(receivers:
  - name: hook
    webhook: {url: ')" + sink_.Url("main") + R"(', secret: 'k3y'}
  - name: refused
    webhook: {url: 'http://127.0.0.1:)" + std::to_string(testing::FreePort()) +
                                              R"(/x', timeout: 1s}
  - name: hanging
    slack: {url: 'http://127.0.0.1:)" + std::to_string(hang_.port()) +
                                              R"(/x', timeout: 1s}
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 5s
  group_interval: 10s
  repeat_interval: 1h
  routes:
    - matchers: ['alertname=HighErrorRate']
      receiver: refused
      continue: true
    - matchers: ['alertname=HighErrorRate']
      receiver: hanging
      continue: true
    - matchers: ['alertname=HighErrorRate']
      receiver: hook
)";
    config_.alerts.notify_file = (dir_ / "notify.yml").string();
    config_.alerts.retry_base_ns = 50'000'000;
  }
  testing::WebhookSink sink_;
  testing::SilentListener hang_;
};

TEST_F(AlertsNotifyTest, FiringAndResolvedReachTheWebhookDespiteBrokenReceivers) {
  Start();
  Requests(0, 10);
  Advance(30 * kSec);                  // firing at 30 s
  EXPECT_EQ(sink_.Count("main"), 0u);  // group_wait
  Advance(5 * kSec);
  ASSERT_TRUE(sink_.WaitFor([](const auto& r) { return !r.empty(); }, 5000));
  std::vector<testing::HookRequest> got = sink_.Requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body.find(R"({"version":"4","receiver":"hook","status":"firing",)"), 0u)
      << got[0].body;
  EXPECT_NE(got[0].body.find(R"("summary":"5xx 100% on /pay")"), std::string::npos);
  EXPECT_EQ(got[0].signature, "sha256=" + HmacSha256Hex("k3y", got[0].body));
  // Nothing more while it keeps firing unchanged.
  Advance(20 * kSec);
  EXPECT_EQ(sink_.Count("main"), 1u);
  // The events age out of the minute: resolved, notified after group_interval.
  Advance(50 * kSec);
  ASSERT_TRUE(sink_.WaitFor([](const auto& r) { return r.size() >= 2; }, 5000));
  EXPECT_EQ(sink_.Count("main", R"("status":"resolved")"), 1u);
  // The broken receivers are counted, and did not hold up the webhook.
  std::string metrics = Call("GET", "/metrics").body;
  EXPECT_NE(
      metrics.find(R"(vigia_alerts_notifications_total{receiver="hook",result="delivered"} 2)"),
      std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(vigia_alerts_notifications_total{receiver="refused",result="failed"})"),
            std::string::npos)
      << metrics;
}

TEST_F(AlertsNotifyTest, SilencedAlertsAreNotDelivered) {
  Start();
  ASSERT_EQ(
      Call("POST", "/v1/silences",
           R"({"matchers":["alertname=HighErrorRate"],"duration":"1h","comment":"maintenance"})")
          .status,
      200);
  Requests(0, 10);
  Advance(45 * kSec);  // firing at 30 s, group_wait passed
  EXPECT_NE(Alerts().find("\"state\":\"firing\""), std::string::npos);
  EXPECT_NE(Alerts().find("silenced_by"), std::string::npos);
  EXPECT_FALSE(sink_.WaitFor([](const auto& r) { return !r.empty(); }, 500));
}

// The notification file reloads with the rules (POST /v1/rules/reload, SIGHUP): a bad one is
// refused with its position and changes nothing; a good one takes effect at once.
TEST_F(AlertsNotifyTest, NotifyFileReloadsWithTheRules) {
  Start();
  std::ofstream(dir_ / "notify.yml") << "receivers:\n  - name: hook\n    webhook: {url: '"
                                     << sink_.Url("main") << "'}\nroute:\n  receiver: nobody\n";
  HttpResponse r = Call("POST", "/v1/rules/reload");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("notify.yml:5:3: route: unknown receiver"), std::string::npos) << r.body;
  EXPECT_NE(Call("GET", "/health/ready").body.find("alert_rules_error"), std::string::npos);
  std::ofstream(dir_ / "notify.yml") << R"(receivers:
  - name: second
    webhook: {url: ')" + sink_.Url("second") +
                                            R"('}
route:
  receiver: second
  group_by: [alertname]
  group_wait: 0s
  group_interval: 10s
)";
  r = Call("POST", "/v1/rules/reload");
  ASSERT_EQ(r.status, 200) << r.body;
  Requests(0, 10);
  Advance(31 * kSec);
  ASSERT_TRUE(sink_.WaitFor([](const auto& rs) { return !rs.empty(); }, 5000));
  EXPECT_EQ(sink_.Count("second", "HighErrorRate"), 1u);
  EXPECT_EQ(sink_.Count("main"), 0u);
  HttpResponse q = Call(
      "GET",
      "/v1/query?q=kind:audit%20action:rules.reload%20outcome:success%20%7C%20stats%20count()");
  EXPECT_NE(q.body.find("\"count()\":1"), std::string::npos) << q.body;
}

}  // namespace
}  // namespace vigia

namespace vigia {
namespace {

// The built-in error-group rules (alerting/error_group_alerts.h) on the errors module's
// hooks: a new group fires ErrorGroupNew at the next second, a regression (an occurrence
// after an operator resolved the group) ErrorGroupRegression, a group over
// errors.rate_threshold_per_min ErrorGroupRateAbove; each resolves error_group_resolve_sec
// after its last event, and the alerts are routed like any (the default `log` receiver).
TEST_F(AlertsModuleTest, ErrorGroupAlertsOnNewGroupsRegressionsAndRates) {
  config_.errors.rate_threshold_per_min = 5;
  config_.alerts.error_group_resolve_sec = 60;
  Start();
  auto error = [&](int n) {
    std::string body;
    for (int i = 0; i < n; ++i) {
      body += R"({"ts":)" + std::to_string(clock_->NowNanos()) +
              R"(,"kind":"error","service":"shop","msg":"KeyError: 'sku'",)"
              R"("error":{"type":"KeyError","message":"'sku'"}})"
              "\n";
    }
    ASSERT_EQ(Call("POST", "/v1/events", body).status, 200);
  };
  error(1);
  Advance(2 * kSec);
  std::string alerts = Alerts();
  EXPECT_NE(alerts.find(R"("rule":"ErrorGroupNew","state":"firing")"), std::string::npos) << alerts;
  EXPECT_NE(alerts.find(R"("service":"shop")"), std::string::npos) << alerts;
  EXPECT_NE(alerts.find(R"("title":"KeyError: 'sku'")"), std::string::npos) << alerts;
  EXPECT_NE(alerts.find(R"("summary":"New error in shop: KeyError: 'sku'")"), std::string::npos)
      << alerts;
  const size_t at = alerts.find(R"("fingerprint":")", alerts.find(R"("labels":{)"));
  ASSERT_NE(at, std::string::npos);
  const std::string fp = alerts.substr(at + 15, alerts.find('"', at + 15) - at - 15);
  std::string rules = Call("GET", "/v1/rules").body;
  EXPECT_NE(rules.find(R"("name":"vigia-error-groups")"), std::string::npos) << rules;

  // Resolved by an operator, then seen again: a regression.
  ASSERT_EQ(Call("PATCH", "/v1/errors/" + fp, R"({"status":"resolved"})").status, 200);
  Advance(kSec);
  error(1);
  Advance(2 * kSec);
  alerts = Alerts();
  EXPECT_NE(alerts.find(R"("rule":"ErrorGroupRegression","state":"firing")"), std::string::npos)
      << alerts;
  // Five in a minute reach the rate threshold.
  error(5);
  Advance(2 * kSec);
  alerts = Alerts();
  EXPECT_NE(alerts.find(R"("rule":"ErrorGroupRateAbove","state":"firing")"), std::string::npos)
      << alerts;

  // Quiet for the resolve time: all three resolve; every transition is a kind=alert event and
  // the log receiver (no notify file) recorded the notifications.
  Advance(70 * kSec);
  alerts = Alerts();
  EXPECT_EQ(alerts.find(R"("state":"firing")"), std::string::npos) << alerts;
  HttpResponse q = Call("GET",
                        "/v1/query?q=kind:alert%20alert.state:resolved%20alert.name:ErrorGroup*"
                        "%20-notification.receiver:*%20%7C%20stats%20count()");
  EXPECT_NE(q.body.find("\"count()\":3"), std::string::npos) << q.body;
  q = Call("GET",
           "/v1/query?q=kind:alert%20notification.receiver:*%20alert.name:ErrorGroupNew"
           "%20%7C%20stats%20count()");
  EXPECT_EQ(q.body.find("\"count()\":0"), std::string::npos) << q.body;
  EXPECT_NE(q.body.find("\"count()\""), std::string::npos) << q.body;
}

TEST_F(AlertsModuleTest, ErrorGroupAlertsCanBeTurnedOff) {
  config_.alerts.error_group_alerts = false;
  Start();
  std::string body = R"({"ts":)" + std::to_string(clock_->NowNanos()) +
                     R"(,"kind":"error","service":"shop","msg":"boom","error":{"type":"E"}})"
                     "\n";
  ASSERT_EQ(Call("POST", "/v1/events", body).status, 200);
  Advance(2 * kSec);
  EXPECT_EQ(Alerts().find("ErrorGroup"), std::string::npos) << Alerts();
  EXPECT_EQ(Call("GET", "/v1/rules").body.find("vigia-error-groups"), std::string::npos);
}

}  // namespace
}  // namespace vigia

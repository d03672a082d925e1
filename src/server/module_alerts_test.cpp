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

}  // namespace
}  // namespace vigia

// The shipped rule pack (rules/vigia-seeds.yml, docs/alerting.md) rule by rule: each is driven
// to firing by generated events that should fire it, and stays quiet on events that should
// not. A real Server on a fake clock runs the pack as `vigia serve` would (the file copied
// into alerts.rules_dir), so the events go through the real ingest pipeline — the redaction
// marker of SecretsInLogs and the error fingerprint of NewErrorType are the ones the server
// derives — and the rules run on the server's columnar engine.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "common/fake_clock_env.h"
#include "common/time_format.h"
#include "server/response_stream_testing.h"
#include "server/server.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;

struct Instance {
  std::string state;
  std::map<std::string, std::string> labels;
};

class SeedRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_seed_rules_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "rules");
    const char* src = std::getenv("VIGIA_SOURCE_DIR");
    ASSERT_NE(src, nullptr);
    std::filesystem::copy_file(std::filesystem::path(src) / "rules" / "vigia-seeds.yml",
                               dir_ / "rules" / "vigia-seeds.yml");
    ServerConfig config;
    config.store.store.data_dir = (dir_ / "data").string();
    config.http.port = 0;
    config.http.threads = 1;
    config.ingest.ua_regexes = "off";
    config.alerts.rules_dir = (dir_ / "rules").string();
    // On a minute boundary, so the 30 s and 1 m groups run at known times.
    clock_ = std::make_unique<testing::FakeClockEnv>(Env::Default(),
                                                     *ParseRfc3339("2026-11-20T12:00:00Z"), kSec);
    Result<std::unique_ptr<Server>> s = Server::Start(config, clock_.get());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Stop().ok());
    }
    server_.reset();
    std::filesystem::remove_all(dir_);
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
  void Post(const std::string& ndjson) {
    if (ndjson.empty()) return;
    HttpResponse r = Call("POST", "/v1/events", ndjson);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // Moves the fake clock in steps of a second, letting the scheduler run each one.
  void Advance(int64_t ns) {
    for (int64_t done = 0; done < ns; done += kSec) {
      clock_->Advance(kSec);
      server_->scheduler().Settle();
    }
  }
  // For `span`, every `step`: posts gen(now) then lets time pass.
  void Drive(int64_t span, int64_t step, const std::function<std::string(int64_t)>& gen) {
    for (int64_t t = 0; t < span; t += step) {
      Post(gen(clock_->NowNanos()));
      Advance(step);
    }
  }
  // The instances of `rule` in GET /v1/alerts.
  std::vector<Instance> Instances(const std::string& rule) {
    HttpResponse r = Call("GET", "/v1/alerts");
    EXPECT_EQ(r.status, 200);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::vector<Instance> out;
    if (parser.parse(r.body).get(root)) return out;
    for (simdjson::dom::element a : root["alerts"].get_array()) {
      std::string_view name;
      if (a["rule"].get_string().get(name) || name != rule) continue;
      Instance inst;
      inst.state = std::string(a["state"].get_string().value());
      for (auto [k, v] : a["labels"].get_object()) {
        inst.labels[std::string(k)] = std::string(v.get_string().value());
      }
      out.push_back(std::move(inst));
    }
    return out;
  }
  // Whether `rule` ever had an instance during the drive: checked after each step.
  bool EverActive(const std::string& rule, int64_t span, int64_t step,
                  const std::function<std::string(int64_t)>& gen) {
    bool active = false;
    for (int64_t t = 0; t < span; t += step) {
      Post(gen(clock_->NowNanos()));
      Advance(step);
      active = active || !Instances(rule).empty();
    }
    return active;
  }

  std::filesystem::path dir_;
  std::unique_ptr<testing::FakeClockEnv> clock_;  // outlives server_
  std::unique_ptr<Server> server_;
};

// `n` request events at `ts`, the first `special` of them with `special_status`, the rest 200.
std::string Requests(int64_t ts, int n, int special, int special_status,
                     const std::string& route = "/orders", double duration_ms = 40) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += R"({"ts":)" + std::to_string(ts) + R"(,"kind":"request","service":"shop","route":")" +
           route + R"(","status":)" + std::to_string(i < special ? special_status : 200) +
           R"(,"duration_ms":)" + std::to_string(duration_ms) + "}\n";
  }
  return out;
}

bool OneFiring(const std::vector<Instance>& v) { return v.size() == 1 && v[0].state == "firing"; }

TEST_F(SeedRulesTest, High5xxShare) {
  // 3 % of requests fail for 7 minutes: pending at once, firing after 5 m.
  Drive(7 * kMin, 10 * kSec, [](int64_t ts) { return Requests(ts, 100, 3, 503); });
  EXPECT_TRUE(OneFiring(Instances("High5xxShare")));
}

TEST_F(SeedRulesTest, High5xxShareQuiet) {
  // 0.5 % 5xx, and client errors (404) that are not the server's fault.
  EXPECT_FALSE(EverActive("High5xxShare", 7 * kMin, 10 * kSec, [](int64_t ts) {
    return Requests(ts, 200, 1, 500) + Requests(ts, 20, 20, 404);
  }));
}

TEST_F(SeedRulesTest, SlowRouteP95) {
  Drive(7 * kMin, 10 * kSec, [](int64_t ts) {
    return Requests(ts, 20, 0, 200, "/reports/{id}", 1800) + Requests(ts, 50, 0, 200, "/cart", 30);
  });
  std::vector<Instance> v = Instances("SlowRouteP95");
  ASSERT_TRUE(OneFiring(v));
  EXPECT_EQ(v[0].labels["route"], "/reports/{id}");  // the fast route is not alerted
}

TEST_F(SeedRulesTest, SlowRouteP95Quiet) {
  // A few slow requests (under 5 %) do not move the p95.
  EXPECT_FALSE(EverActive("SlowRouteP95", 7 * kMin, 10 * kSec, [](int64_t ts) {
    return Requests(ts, 2, 0, 200, "/cart", 5000) + Requests(ts, 60, 0, 200, "/cart", 30);
  }));
}

TEST_F(SeedRulesTest, HighDeniedShare) {
  Drive(7 * kMin, 10 * kSec,
        [](int64_t ts) { return Requests(ts, 100, 6, 401) + Requests(ts, 4, 4, 403); });
  EXPECT_TRUE(OneFiring(Instances("HighDeniedShare")));
}

TEST_F(SeedRulesTest, HighDeniedShareQuiet) {
  EXPECT_FALSE(EverActive("HighDeniedShare", 7 * kMin, 10 * kSec, [](int64_t ts) {
    return Requests(ts, 100, 2, 403) + Requests(ts, 20, 20, 404);
  }));
}

TEST_F(SeedRulesTest, HighThrottledShare) {
  Drive(7 * kMin, 10 * kSec, [](int64_t ts) { return Requests(ts, 100, 5, 429); });
  EXPECT_TRUE(OneFiring(Instances("HighThrottledShare")));
}

TEST_F(SeedRulesTest, HighThrottledShareQuiet) {
  EXPECT_FALSE(EverActive("HighThrottledShare", 7 * kMin, 10 * kSec,
                          [](int64_t ts) { return Requests(ts, 100, 1, 429); }));
}

std::string LoginFailures(int64_t ts, const std::string& ip, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += R"({"ts":)" + std::to_string(ts) +
           R"(,"service":"auth","level":"warn","msg":"Login failed for user ana","ip":")" + ip +
           "\"}\n";
  }
  return out;
}

TEST_F(SeedRulesTest, LoginFailuresPerIp) {
  // 12 failures from one address within the hour (2 a minute), 3 from another.
  Drive(6 * kMin, kMin, [](int64_t ts) {
    return LoginFailures(ts, "203.0.113.7", 2) +
           (ts % (2 * kMin) == 0 ? LoginFailures(ts, "198.51.100.4", 1) : "");
  });
  std::vector<Instance> v = Instances("LoginFailuresPerIp");
  ASSERT_TRUE(OneFiring(v));
  EXPECT_EQ(v[0].labels["ip"], "203.0.113.7");
}

TEST_F(SeedRulesTest, LoginFailuresPerIpQuiet) {
  // One failure every 7 minutes: at most 9 in any hour; successful logins do not count.
  EXPECT_FALSE(EverActive("LoginFailuresPerIp", 2 * 60 * kMin, 7 * kMin, [](int64_t ts) {
    return LoginFailures(ts, "203.0.113.7", 1) + R"({"ts":)" + std::to_string(ts) +
           R"(,"service":"auth","msg":"Login succeeded for user ana","ip":"203.0.113.7"})"
           "\n";
  }));
}

TEST_F(SeedRulesTest, SecretsInLogs) {
  Drive(2 * kMin, 10 * kSec, [](int64_t ts) { return Requests(ts, 10, 0, 200); });
  EXPECT_TRUE(Instances("SecretsInLogs").empty());
  // A password in a log line: the ingest redactor removes it and marks the event.
  Post(R"({"ts":)" + std::to_string(clock_->NowNanos()) +
       R"(,"service":"shop","msg":"connecting","password":"hunter2-very-secret"})"
       "\n");
  Advance(kMin);
  EXPECT_TRUE(OneFiring(Instances("SecretsInLogs")));
  // Fifteen minutes later the window no longer holds it.
  Advance(16 * kMin);
  std::vector<Instance> v = Instances("SecretsInLogs");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].state, "resolved");
}

TEST_F(SeedRulesTest, ServiceSilent) {
  // Both services talk for 10 minutes, then the worker stops.
  Drive(10 * kMin, 30 * kSec, [](int64_t ts) {
    return R"({"ts":)" + std::to_string(ts) +
           R"(,"service":"api","msg":"tick"})"
           "\n" +
           R"({"ts":)" + std::to_string(ts) +
           R"(,"service":"worker","msg":"heartbeat"})"
           "\n";
  });
  EXPECT_TRUE(Instances("ServiceSilent").empty());
  Drive(7 * kMin, 30 * kSec, [](int64_t ts) {
    return R"({"ts":)" + std::to_string(ts) +
           R"(,"service":"api","msg":"tick"})"
           "\n";
  });
  std::vector<Instance> v = Instances("ServiceSilent");
  ASSERT_TRUE(OneFiring(v));
  EXPECT_EQ(v[0].labels["service"], "worker");
}

TEST_F(SeedRulesTest, ServiceSilentQuiet) {
  // A service heard every 4 minutes is never silent for 5; vigia's own events (alert
  // transitions, audit) are not a service that can go silent.
  EXPECT_FALSE(EverActive("ServiceSilent", 40 * kMin, 4 * kMin, [](int64_t ts) {
    return R"({"ts":)" + std::to_string(ts) +
           R"(,"service":"cron","msg":"run"})"
           "\n";
  }));
}

std::string Error(int64_t ts, const std::string& type, const std::string& function) {
  return R"({"ts":)" + std::to_string(ts) +
         R"(,"kind":"error","service":"shop","error":{"type":")" + type +
         R"(","message":"boom","stack":"Traceback (most recent call last):\n  File \"/app/)" +
         function + R"(.py\", line 10, in )" + function + R"(\n)" + type +
         R"(: boom"}})"
         "\n";
}

TEST_F(SeedRulesTest, NewErrorType) {
  // A known error all along; then a new one appears.
  // (it was new itself at first: resolved after 5 minutes, forgotten 15 minutes later)
  Drive(25 * kMin, kMin, [](int64_t ts) { return Error(ts, "KeyError", "load_cart"); });
  EXPECT_TRUE(Instances("NewErrorType").empty());
  Post(Error(clock_->NowNanos(), "ZeroDivisionError", "split_bill"));
  Advance(kMin);
  std::vector<Instance> v = Instances("NewErrorType");
  ASSERT_TRUE(OneFiring(v));
  EXPECT_FALSE(v[0].labels["fingerprint"].empty());
  // Five minutes on it is no longer new.
  Drive(6 * kMin, kMin, [](int64_t ts) { return Error(ts, "ZeroDivisionError", "split_bill"); });
  v = Instances("NewErrorType");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].state, "resolved");
}

}  // namespace
}  // namespace vigia

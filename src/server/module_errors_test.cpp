// The errors module in a real server (its module list, the store on a temp dir, a fake
// clock): error events ingested become groups; the list, detail and PATCH routes; status
// changes and regressions recorded as audit events; the table saved, reloaded, and rebuilt
// from the store (with the status changes replayed) when its file is lost.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>

#include "common/fake_clock_env.h"
#include "server/server_route_fixture.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1'790'000'000 * kSec;

class ErrorsModuleTest : public testing::ServerRouteFixture {
 protected:
  void StartAt() {
    Result<std::unique_ptr<Server>> s = Server::Start(config_, &env_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  void Restart() {
    ASSERT_TRUE(server_->Stop().ok());
    server_.reset();
    StartAt();
  }
  // One error event of group A (stack trace) or B (message only) at now - 1 s.
  std::string EventA(std::string_view user, std::string_view version, std::string_view host) {
    return "{\"ts\":" + std::to_string(env_.NowNanos() - kSec) +
           ",\"kind\":\"error\",\"service\":\"api\",\"env\":\"prod\",\"user_id\":\"" +
           std::string(user) + "\",\"version\":\"" + std::string(version) + "\",\"host\":\"" +
           std::string(host) +
           "\",\"route\":\"/users/{id}\",\"error\":{\"type\":\"KeyError\",\"message\":\"user 42\","
           "\"stack\":\"Traceback (most recent call last):\\n  File \\\"/app/api/users.py\\\", "
           "line 88, in get_user\\n    x\\nKeyError: 42\"}}\n";
  }
  std::string EventB() {
    return "{\"ts\":" + std::to_string(env_.NowNanos() - kSec) +
           ",\"kind\":\"error\",\"service\":\"worker\",\"msg\":\"job 17 timed out after 30s\"}\n";
  }
  void Post(const std::string& body) {
    HttpResponse r = Call("POST", "/v1/events", body, {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  simdjson::dom::element Json(const HttpResponse& r) {
    simdjson::dom::element e;
    EXPECT_EQ(parser_.parse(r.body).get(e), simdjson::SUCCESS) << r.body;
    return e;
  }
  // The fingerprint of the group whose service is `service` in GET /v1/errors.
  std::string FingerprintOf(std::string_view service) {
    HttpResponse r = Call("GET", "/v1/errors?service=" + std::string(service));
    EXPECT_EQ(r.status, 200) << r.body;
    std::string_view fp;
    EXPECT_EQ(Json(r)["errors"].at(0)["fingerprint"].get_string().get(fp), simdjson::SUCCESS);
    return std::string(fp);
  }
  uint64_t QueryCount(const std::string& vql) {
    HttpResponse r = Call("GET", "/v1/query?q=" + vql + "%20%7C%20stats%20count()%20as%20n");
    EXPECT_EQ(r.status, 200) << r.body;
    uint64_t n = 0;
    EXPECT_EQ(Json(r)["rows"].at(0)["n"].get_uint64().get(n), simdjson::SUCCESS) << r.body;
    return n;
  }

  testing::FakeClockEnv env_{Env::Default(), kT0};
  simdjson::dom::parser parser_;
};

TEST_F(ErrorsModuleTest, GroupsStatusWorkflowAuditAndRebuild) {
  StartAt();
  Post(EventA("u1", "1.0", "h1") + EventA("u2", "1.1", "h2") + EventA("u1", "1.1", "h1") +
       EventB());
  HttpResponse list = Call("GET", "/v1/errors?sort=count");
  ASSERT_EQ(list.status, 200) << list.body;
  simdjson::dom::element l = Json(list);
  EXPECT_EQ(uint64_t(l["total"]), 2u);
  simdjson::dom::element a = l["errors"].at(0);
  EXPECT_EQ(std::string_view(a["title"]), "KeyError: user 42");
  EXPECT_EQ(std::string_view(a["culprit"]), "get_user (users.py)");
  EXPECT_EQ(uint64_t(a["count"]), 3u);
  EXPECT_EQ(uint64_t(a["users"]), 2u);
  EXPECT_EQ(uint64_t(a["events"]), 3u);
  EXPECT_EQ(std::string_view(a["status"]), "unresolved");
  EXPECT_EQ(simdjson::dom::array(a["releases"]).size(), 2u);
  simdjson::dom::array spark = a["sparkline"];
  ASSERT_EQ(spark.size(), uint64_t(l["sparkline"]["buckets"]));
  uint64_t sum = 0;
  for (simdjson::dom::element n : spark) sum += uint64_t(n);
  EXPECT_EQ(sum, 3u);
  const std::string fa{std::string_view(a["fingerprint"])};
  const std::string fb = FingerprintOf("worker");
  EXPECT_NE(fa, fb);

  EXPECT_EQ(Call("GET", "/v1/errors?status=bogus").status, 400);
  EXPECT_EQ(Call("GET", "/v1/errors?sort=bogus").status, 400);
  EXPECT_EQ(uint64_t(Json(Call("GET", "/v1/errors?status=resolved,ignored"))["total"]), 0u);
  EXPECT_EQ(Call("GET", "/v1/errors/0000000000000000").status, 404);

  HttpResponse show = Call("GET", "/v1/errors/" + fa);
  ASSERT_EQ(show.status, 200) << show.body;
  simdjson::dom::element d = Json(show);
  EXPECT_EQ(simdjson::dom::array(d["latest_events"]).size(), 3u);
  simdjson::dom::element rel = d["distribution"]["release"].at(0);
  EXPECT_EQ(std::string_view(rel["value"]), "1.1");
  EXPECT_EQ(uint64_t(rel["count"]), 2u);
  EXPECT_EQ(simdjson::dom::array(d["distribution"]["host"]).size(), 2u);
  EXPECT_EQ(uint64_t(d["group"]["count"]), 3u);

  // Resolve in next release: 1.1 again is not a regression, 2.0 is.
  HttpResponse p =
      Call("PATCH", "/v1/errors/" + fa, R"({"status":"resolved","in_next_release":true})");
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(std::string_view(Json(p)["status"]), "resolved");
  EXPECT_EQ(QueryCount("kind:audit%20action:error.resolved%20entity:error%20entity_id:" + fa), 1u);
  EXPECT_EQ(Call("PATCH", "/v1/errors/" + fa, R"({"status":"regressed"})").status, 400);
  EXPECT_EQ(Call("PATCH", "/v1/errors/" + fa, R"({"status":"resolved","for":"1h"})").status, 400);
  EXPECT_EQ(Call("PATCH", "/v1/errors/" + fa, "not json").status, 400);
  EXPECT_EQ(Call("PATCH", "/v1/errors/0000000000000000", R"({"status":"resolved"})").status, 404);
  HttpResponse ig = Call("PATCH", "/v1/errors/" + fb, R"({"status":"ignored","for":"1h"})");
  ASSERT_EQ(ig.status, 200) << ig.body;

  env_.Advance(60 * kSec);
  Post(EventA("u3", "1.1", "h1"));
  EXPECT_EQ(std::string_view(Json(Call("GET", "/v1/errors/" + fa))["group"]["status"]), "resolved");
  Post(EventA("u3", "2.0", "h3"));
  simdjson::dom::element g = Json(Call("GET", "/v1/errors/" + fa))["group"];
  EXPECT_EQ(std::string_view(g["status"]), "regressed");
  EXPECT_EQ(uint64_t(g["regressions"]), 1u);
  // The regression's audit event is written by the persist task.
  env_.Advance(10 * kSec);
  server_->scheduler().Settle();
  EXPECT_EQ(QueryCount("kind:audit%20action:error.regressed%20actor:vigia"), 1u);
  EXPECT_NE(
      Call("GET", "/metrics").body.find("vigia_error_group_events_total{kind=\"regression\"} 1"),
      std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "data" / "errors" / "groups.ndjson"));

  // Saved and loaded.
  Restart();
  g = Json(Call("GET", "/v1/errors/" + fa))["group"];
  EXPECT_EQ(std::string_view(g["status"]), "regressed");
  EXPECT_EQ(uint64_t(g["count"]), 5u);
  EXPECT_EQ(uint64_t(g["users"]), 3u);
  // Lost: rebuilt from the store, the operators' changes replayed.
  ASSERT_TRUE(server_->Stop().ok());
  server_.reset();
  std::filesystem::remove_all(dir_ / "data" / "errors");
  StartAt();
  g = Json(Call("GET", "/v1/errors/" + fa))["group"];
  EXPECT_EQ(std::string_view(g["status"]), "regressed");
  EXPECT_EQ(uint64_t(g["count"]), 5u);
  EXPECT_EQ(uint64_t(g["users"]), 3u);
  EXPECT_EQ(std::string_view(g["culprit"]), "get_user (users.py)");
  simdjson::dom::element b = Json(Call("GET", "/v1/errors/" + fb))["group"];
  EXPECT_EQ(std::string_view(b["status"]), "ignored");
  EXPECT_EQ(uint64_t(b["count"]), 1u);
  // A damaged file is rebuilt too.
  ASSERT_TRUE(server_->Stop().ok());
  server_.reset();
  {
    std::FILE* f = std::fopen((dir_ / "data" / "errors" / "groups.ndjson").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("{\"vigia_error_groups\":1}\n{broken\n", f);
    std::fclose(f);
  }
  StartAt();
  EXPECT_EQ(uint64_t(Json(Call("GET", "/v1/errors"))["total"]), 2u);
}

}  // namespace
}  // namespace vigia

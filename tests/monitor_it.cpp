// Integration: the monitor module on the real server — KPIs, their series and SLOs over
// HTTP on events ingested through POST /v1/events, the RED metrics derived from them and the
// server's own metrics on GET /metrics, and a KPI file with a VQL error refused at start.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <thread>

#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

const Headers kNdjson = {{"Content-Type", "application/x-ndjson"}};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Requests(int n, int status, int64_t ts_ms, double duration_ms,
                     const std::string& route = "/pay") {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += R"({"ts":)" + std::to_string(ts_ms) +
           R"(,"kind":"request","service":"shop","method":"POST","route":")" + route +
           R"(","status":)" + std::to_string(status) + R"(,"duration_ms":)" +
           std::to_string(duration_ms) + R"(,"ip":"203.0.113.)" + std::to_string(i % 7) + "\"}\n";
  }
  return out;
}

// The value of the first `"key":"..."` after `anchor` in `json`.
std::string StringAfter(const std::string& json, const std::string& anchor,
                        const std::string& key) {
  size_t p = json.find(anchor);
  if (p == std::string::npos) return "<no " + anchor + ">";
  const std::string k = "\"" + key + "\":\"";
  p = json.find(k, p);
  if (p == std::string::npos) return "<no " + key + ">";
  p += k.size();
  return json.substr(p, json.find('"', p) - p);
}

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(MonitorIt, KpisSlosAndMetricsFromIngestedRequests) {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  HttpClient c(server.port(), 30000);

  // The last minute: 1000 requests, 20 of them 500 (2 %: red), 3 of them 429 (0.3 %:
  // yellow), all fast (p95 green). The hour before: 5xx at 0.5 % (the trend is worse).
  const int64_t now = NowMs();
  std::string body = Requests(977, 200, now - 60'000, 12.5) + Requests(20, 500, now - 60'000, 40) +
                     Requests(3, 429, now - 60'000, 3) + Requests(995, 200, now - 90 * 60'000, 10) +
                     Requests(5, 503, now - 90 * 60'000, 10);
  Result<HttpResult> r = c.Request("POST", "/v1/events", body, kNdjson);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  ASSERT_NE(r->body.find(R"("accepted":2000)"), std::string::npos) << r->body;

  r = c.Request("GET", "/v1/kpis");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string kpis = r->body;
  EXPECT_EQ(StringAfter(kpis, R"("name":"rate_5xx")", "color"), "red") << kpis;
  EXPECT_EQ(StringAfter(kpis, R"("name":"rate_5xx")", "trend"), "worse") << kpis;
  EXPECT_EQ(StringAfter(kpis, R"("name":"rate_429")", "color"), "yellow") << kpis;
  EXPECT_EQ(StringAfter(kpis, R"("name":"latency_p95")", "color"), "green") << kpis;
  EXPECT_EQ(StringAfter(kpis, R"("name":"uptime")", "color"), "red") << kpis;  // 97.7 %
  EXPECT_EQ(StringAfter(kpis, R"("name":"secrets_in_logs")", "color"), "green") << kpis;
  EXPECT_NE(kpis.find(R"("color":"red","kpis":[)"), std::string::npos) << kpis;

  // A window given by the caller: the last 3 h hold both batches (25 of 2000 = 1.25 %).
  r = c.Request("GET", "/v1/kpis/rate_5xx?window=3h");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find(R"("value":1.25,"color":"red")"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("window":"3h")"), std::string::npos) << r->body;

  r = c.Request("GET", "/v1/kpis/rate_5xx/series?step=30m&window=3h");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Count(r->body, R"("ts":)"), 6u) << r->body;
  EXPECT_EQ(Count(r->body, R"("color":"red")"), 1u) << r->body;
  EXPECT_EQ(Count(r->body, R"("color":"yellow")"), 1u) << r->body;

  r = c.Request("GET", "/v1/kpis/nope");
  EXPECT_EQ(r->status, 404);
  r = c.Request("GET", "/v1/kpis?window=1x");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("bad_request"), std::string::npos) << r->body;
  r = c.Request("GET", "/v1/kpis/rate_5xx/series?step=1s&window=1d");
  EXPECT_EQ(r->status, 400) << r->body;

  r = c.Request("GET", "/v1/slos");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  // 25 of 2000 failed: attainment 98.75 %, the 99.9 % availability SLO's budget overspent;
  // the last minute's 2 % is a burn rate of 20 over 5 m and 1 h (fast burn fires).
  EXPECT_NE(r->body.find(R"("total":2000,"good":1975,"attainment":98.75)"), std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find(R"("fast":{"threshold":14.4,"firing":true)"), std::string::npos)
      << r->body;

  r = c.Request("GET", "/metrics");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200);
  const std::string& m = r->body;
  EXPECT_NE(
      m.find(
          R"(http_requests_total{service="shop",route="/pay",method="POST",status_class="5xx"} 25)"),
      std::string::npos)
      << m;
  EXPECT_NE(
      m.find(
          R"(http_request_duration_seconds_count{service="shop",route="/pay",method="POST"} 2000)"),
      std::string::npos)
      << m;
  EXPECT_NE(m.find(R"(vigia_ingest_records_total{protocol="ndjson",result="accepted"} 2000)"),
            std::string::npos);
  EXPECT_NE(m.find(R"(vigia_ingest_bytes_total{protocol="ndjson"} )" + std::to_string(body.size())),
            std::string::npos);
  EXPECT_NE(m.find(R"(vigia_ingest_events_total{result="accepted"} 2000)"), std::string::npos);
  EXPECT_NE(m.find("vigia_store_events 2000\n"), std::string::npos);
  EXPECT_NE(m.find(R"(vigia_queries_total{result="ok"} )"), std::string::npos);
  EXPECT_NE(m.find("vigia_query_duration_seconds_count "), std::string::npos);
  EXPECT_NE(m.find("vigia_tail_subscribers 0\n"), std::string::npos);
  EXPECT_NE(m.find("vigia_store_wal_syncs_total "), std::string::npos);
  EXPECT_NE(m.find("vigia_store_wal_sync_duration_seconds_bucket{le=\"0.001\"} "),
            std::string::npos)
      << m;
}

TEST(MonitorIt, LiveTrafficStatisticsSurviveARestart) {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.wait_ready = true;  // the user-agent rules derive browser and device
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  // 30 requests from 3 IPs in the last minutes: 20 from Chrome on /pay (2 of them 500),
  // 10 from Googlebot on /list; and one from two hours ago (not live any more).
  const int64_t now = NowMs();
  const std::string chrome =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36";
  const std::string bot =
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
  std::string body;
  for (int i = 0; i < 30; ++i) {
    const bool is_bot = i >= 20;
    body += R"({"ts":)" + std::to_string(now - 60'000 * (1 + i % 5)) +
            R"(,"kind":"request","method":"GET","route":")" + (is_bot ? "/list" : "/pay") +
            R"(","status":)" + (i < 2 ? "500" : "200") + R"(,"duration_ms":30,"ip":"203.0.113.)" +
            std::to_string(i % 3) + R"(","ua":")" + (is_bot ? bot : chrome) + "\"}\n";
  }
  body += R"({"ts":)" + std::to_string(now - 2 * 3600'000) +
          R"(,"kind":"request","route":"/old","status":200,"ip":"198.51.100.1"})" + "\n";
  {
    HttpClient c(server.port(), 30000);
    Result<HttpResult> r = c.Request("POST", "/v1/events", body, kNdjson);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }
  auto check = [](const std::string& t) {
    EXPECT_NE(t.find(R"("window_seconds":900,)"), std::string::npos) << t;
    EXPECT_NE(t.find(R"("requests":30,)"), std::string::npos) << t;
    EXPECT_NE(t.find(R"("unique_ips":3,)"), std::string::npos) << t;
    EXPECT_NE(t.find(R"("top_endpoints":[{"endpoint":"GET /pay","requests":20,)"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find(R"("status_classes":{"1xx":0,"2xx":28,"3xx":0,"4xx":0,"5xx":2,"other":0})"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find(R"("browsers":[{"name":"Chrome","requests":20,)"), std::string::npos) << t;
    EXPECT_NE(t.find(R"("bots":{"requests":10,)"), std::string::npos) << t;
  };
  {
    HttpClient c(server.port(), 30000);
    Result<HttpResult> r = c.Request("GET", "/v1/stats/traffic");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
    check(r->body);
    r = c.Request("GET", "/v1/stats/traffic?window=2h");
    EXPECT_EQ(r->status, 400) << r->body;
  }
  // After a restart the last hour is refilled from the store.
  ASSERT_EQ(server.Stop(SIGTERM), 0);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  HttpClient c(server.port(), 30000);
  // The counts are refilled before the server is ready, the unique IPs in the background:
  // "refilling" turns false when they are done too.
  Result<HttpResult> r = Status::Internal("not asked");
  for (int i = 0; i < 200; ++i) {
    r = c.Request("GET", "/v1/stats/traffic?window=15m");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
    if (r->body.find(R"("refilling":false)") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  check(r->body);
}

TEST(MonitorIt, KpiFileWithAVqlErrorStopsTheStart) {
  TempDir dir;
  const std::string file = dir.path() + "/kpis.toml";
  std::ofstream(file) << "[[kpi]]\nname = \"ok\"\nquery = '* | stats count() as value'\n"
                         "window = \"1h\"\ndirection = \"lower\"\ngreen = 1\nyellow = 2\n\n"
                         "[[kpi]]\nname = \"bad\"\nquery = 'status:>=500 | stats cnt() as value'\n"
                         "window = \"1h\"\ndirection = \"lower\"\ngreen = 1\nyellow = 2\n";
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.env = {{"VIGIA_MONITOR_KPIS_FILE", file}};
  ServerProcess server(o);
  EXPECT_FALSE(server.Start().ok());
  EXPECT_NE(server.Log().find("kpis.toml:9: kpi \\\"bad\\\": query: 1:22:"), std::string::npos)
      << server.Log();
}

TEST(MonitorIt, ProbesAreStoredAsEventsAndReported) {
  // A TCP port the test listens on (up) and one nothing listens on (down).
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 64), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const int up_port = ntohs(a.sin_port);
  const int down_port = FreePort();

  TempDir dir;
  const std::string file = dir.path() + "/monitor.toml";
  std::ofstream(file) << "[[probe]]\nname = \"db\"\ntcp = \"127.0.0.1:" << up_port
                      << "\"\ninterval = \"1s\"\ntimeout = \"1s\"\n\n"
                      << "[[probe]]\nname = \"api\"\nurl = \"http://127.0.0.1:" << down_port
                      << "/health/ready\"\ninterval = \"1s\"\ntimeout = \"1s\"\n";
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.env = {{"VIGIA_MONITOR_KPIS_FILE", file}};
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  HttpClient c(server.port(), 30000);

  // Both probes run at start and then every second.
  std::string probes;
  for (int i = 0; i < 100; ++i) {
    Result<HttpResult> r = c.Request("GET", "/v1/probes");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
    probes = r->body;
    if (Count(probes, R"("runs_24h":)") == 2 &&
        probes.find(R"("runs_24h":0)") == std::string::npos && Count(probes, R"("last":{)") == 2) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(probes.find(R"("name":"db","kind":"tcp")"), std::string::npos) << probes;
  EXPECT_NE(probes.find(R"("uptime_24h":1,)"), std::string::npos) << probes;
  EXPECT_NE(probes.find(R"("uptime_24h":0,)"), std::string::npos) << probes;
  EXPECT_NE(StringAfter(probes, R"("name":"api")", "error").find("onnect"), std::string::npos)
      << probes;

  // The results are events like any other: uptime is a VQL query.
  Result<HttpResult> r =
      c.Request("GET", "/v1/query?q=kind:probe%20target:api%20ok:false&format=ndjson&limit=1");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find(R"("probe_kind":"http")"), std::string::npos) << r->body;
  r = c.Request("GET", "/metrics");
  EXPECT_NE(r->body.find(R"(vigia_probe_up{target="db"} 1)"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"(vigia_probe_up{target="api"} 0)"), std::string::npos) << r->body;
  close(fd);
}

}  // namespace
}  // namespace vigia::testing

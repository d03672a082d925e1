// Integration with the real Prometheus (Debian's prometheus and promtool): vigia's /metrics
// exposition — its own metrics and the RED metrics derived from ingested request events —
// passes `promtool check metrics`, and a Prometheus started by the test scrapes it and
// answers /api/v1/query with the expected series. Labels peers;no_sanitizer.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

const Headers kNdjson = {{"Content-Type", "application/x-ndjson"}};

std::string Requests(int n, const std::string& route, int status, double duration_ms) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += R"({"ts":)" + std::to_string(now_ms) +
           R"(,"kind":"request","service":"shop","method":"GET","route":")" + route +
           R"(","status":)" + std::to_string(status) + R"(,"duration_ms":)" +
           std::to_string(duration_ms) + "}\n";
  }
  return out;
}

// A child process with stdout/stderr to `log`; killed (SIGTERM, then waited for) on scope exit.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log) {
    pid_ = fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
  }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(PrometheusIt, PromtoolAcceptsTheExpositionAndPrometheusScrapesIt) {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  HttpClient c(server.port(), 30000);
  const std::string body = Requests(40, "/items/{id}", 200, 12) +
                           Requests(7, "/items/{id}", 503, 250) + Requests(5, "/cart", 429, 1);
  Result<HttpResult> r = c.Request("POST", "/v1/events", body, kNdjson);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  // A KPI read, so the query metrics have samples too.
  ASSERT_EQ(c.Request("GET", "/v1/kpis")->status, 200);

  r = c.Request("GET", "/metrics");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200);
  const std::string exposition = dir.path() + "/metrics.txt";
  std::ofstream(exposition) << r->body;
  const std::string check_log = dir.path() + "/promtool.log";
  const int rc =
      std::system(("promtool check metrics < " + exposition + " > " + check_log + " 2>&1").c_str());
  EXPECT_EQ(rc, 0) << ReadFile(check_log) << "\n" << r->body;

  const uint16_t prom_port = FreePort();
  const std::string config = dir.path() + "/prometheus.yml";
  std::ofstream(config) << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                           "scrape_configs:\n  - job_name: vigia\n    static_configs:\n"
                           "      - targets: ['127.0.0.1:"
                        << server.port() << "']\n";
  const std::string prom_log = dir.path() + "/prometheus.log";
  Child prometheus(
      {"prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.path() + "/tsdb",
       "--web.listen-address=127.0.0.1:" + std::to_string(prom_port), "--log.level=warn"},
      prom_log);
  ASSERT_TRUE(prometheus.started());

  // Prometheus starts, scrapes within a second or two, and the series become queryable.
  const std::string query = "/api/v1/query?query=http_requests_total%7Bstatus_class%3D%225xx%22%7D";
  const std::string want = R"("route":"/items/{id}")";
  std::string last;
  bool found = false;
  for (int i = 0; i < 300 && !found; ++i) {
    HttpClient p(prom_port, 2000);
    Result<HttpResult> q = p.Request("GET", query);
    if (q.ok() && q->status == 200) {
      last = q->body;
      found = last.find(want) != std::string::npos && last.find(R"("7"])") != std::string::npos;
    }
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(found) << last << "\n" << ReadFile(prom_log);
  EXPECT_NE(last.find(R"("service":"shop")"), std::string::npos) << last;
  EXPECT_NE(last.find(R"("job":"vigia")"), std::string::npos) << last;

  // A histogram quantile over the derived durations, and vigia's own ingest counter.
  HttpClient p(prom_port, 5000);
  Result<HttpResult> q = p.Request("GET",
                                   "/api/v1/"
                                   "query?query=vigia_ingest_records_total%7Bprotocol%3D%22ndjson%"
                                   "22%2Cresult%3D%22accepted%22%7D");
  ASSERT_TRUE(q.ok());
  EXPECT_NE(q->body.find(R"("52"])"), std::string::npos) << q->body;
  q = p.Request(
      "GET",
      "/api/v1/query?query=histogram_quantile(0.99%2C%20http_request_duration_seconds_bucket"
      "%7Broute%3D%22%2Fitems%2F%7Bid%7D%22%7D)");
  ASSERT_TRUE(q.ok());
  EXPECT_NE(q->body.find(R"("resultType":"vector")"), std::string::npos) << q->body;
  EXPECT_NE(q->body.find(R"("route":"/items/{id}")"), std::string::npos) << q->body;
}

}  // namespace
}  // namespace vigia::testing

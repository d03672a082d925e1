// `vigia serve` with storage.backend = "clickhouse" against a real clickhouse-server (Debian's,
// started by bench/clickhouse/clickhouse.sh on loopback in a temp dir, as clickhouse_it does):
//   - events sent through vigia (NDJSON and a Loki push) come back through vigia's /v1/query
//     and /v1/trace, answered by ClickHouse;
//   - kill -9 of vigia while two clients send, then a restart: every acknowledged event is in
//     ClickHouse exactly once (count() = uniqExact(request_id), every acknowledged id there);
//   - ClickHouse stopped while two clients send: vigia keeps acknowledging into its outbox
//     until the backlog (clickhouse.max_backlog_bytes, 1 MiB here) is full, then answers 503
//     with Retry-After; ClickHouse restarted: every acknowledged event arrives, exactly once.
//   - `vigia clickhouse init` creates the schema, `migrate` afterwards changes nothing.
// Labels peers;no_sanitizer.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"
#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path Source() {
  const char* src = std::getenv("VIGIA_SOURCE_DIR");
  return fs::path(src ? src : ".");
}

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[256];
  while (fgets(buf, sizeof(buf), p)) out += buf;
  if (pclose(p) != 0) out = "";
  return out;
}

// One clickhouse-server under a temp dir; Restart() starts it again on the same ports.
class ClickHouseServer {
 public:
  ClickHouseServer() {
    dir_ = (fs::temp_directory_path() / ("vigia_chs_" + std::to_string(::getpid()))).string();
    fs::remove_all(dir_);
    std::string out = Shell(Script() + " start " + dir_);
    if (std::sscanf(out.c_str(), "%d %d", &http_, &tcp_) != 2) http_ = 0;
  }
  ~ClickHouseServer() {
    Stop();
    fs::remove_all(dir_);
  }
  void Stop() { Shell(Script() + " stop " + dir_); }
  // The script's start picks free ports; vigia is configured with these, so start the
  // server again with the config it wrote.
  bool Restart() {
    std::string cmd = "cd " + dir_ + " && (exec $(command -v clickhouse-server || echo " +
                      "/usr/sbin/clickhouse-server) --config-file=" + dir_ + "/config.xml >>" +
                      dir_ + "/log/stdout.log 2>&1 & echo $! >" + dir_ + "/pid) && echo started";
    if (Shell(cmd).empty()) return false;
    for (int i = 0; i < 600; ++i) {
      if (Shell("curl -s " + url() + "/ping") == "Ok.\n") return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  bool ok() const { return http_ != 0; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http_); }

 private:
  static std::string Script() { return (Source() / "bench/clickhouse/clickhouse.sh").string(); }
  std::string dir_;
  int http_ = 0, tcp_ = 0;
};

struct Acked {
  std::mutex mu;
  std::set<std::string> uids;
  uint64_t batches = 0;
  uint64_t refused = 0;  // 503s
  bool retry_after_missing = false;
};

// Sends batches of `per_batch` events until `stop`; records the acknowledged ones. A
// connection error (vigia killed) or a 503 acknowledges nothing.
void Stream(uint16_t port, const std::string& tag, int per_batch, std::atomic<bool>* stop,
            Acked* acked) {
  HttpClient c(port, 10000);
  for (int b = 0; !stop->load(); ++b) {
    std::vector<std::string> uids;
    std::string batch;
    for (int e = 0; e < per_batch; ++e) {
      uids.push_back(tag + "-b" + std::to_string(b) + "-e" + std::to_string(e));
      batch += EventLine(uids.back());
    }
    Result<HttpResult> r =
        c.Request("POST", "/v1/events", batch, {{"Content-Type", "application/x-ndjson"}});
    if (!r.ok()) {
      c.Close();
      std::this_thread::sleep_for(5ms);
      continue;
    }
    std::lock_guard<std::mutex> lock(acked->mu);
    if (r->status == 200) {
      acked->uids.insert(uids.begin(), uids.end());
      ++acked->batches;
    } else if (r->status == 503) {
      ++acked->refused;
      if (r->Header("retry-after").empty()) acked->retry_after_missing = true;
    }
    if (r->status != 200) std::this_thread::sleep_for(20ms);
  }
}

uint64_t AckedBatches(Acked* a) {
  std::lock_guard<std::mutex> lock(a->mu);
  return a->batches;
}
uint64_t Refused(Acked* a) {
  std::lock_guard<std::mutex> lock(a->mu);
  return a->refused;
}

// Waits (bounded) until vigia's outbox is empty: every acknowledged event is in ClickHouse.
bool WaitDrained(uint16_t port) {
  HttpClient c(port, 10000);
  for (int i = 0; i < 600; ++i) {
    Result<HttpResult> r = c.Request("GET", "/health/ready");
    if (r.ok() && r->body.find("\"backlog_events\":0,") != std::string::npos) return true;
    if (!r.ok()) c.Close();
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// Every acknowledged event in ClickHouse, none twice (request_id is "req-<uid>").
void CheckExactlyOnce(const std::string& url, Acked* acked, const char* phase) {
  clickhouse::ClickHouseClient ch(url);
  Result<std::string> counts =
      ch.Execute("SELECT count(), uniqExact(request_id) FROM vigia.events FORMAT TabSeparated");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  unsigned long long rows = 0, distinct = 0;
  ASSERT_EQ(std::sscanf(counts->c_str(), "%llu\t%llu", &rows, &distinct), 2) << *counts;
  EXPECT_EQ(rows, distinct) << phase << ": events stored twice";
  Result<std::string> ids = ch.Execute("SELECT request_id FROM vigia.events FORMAT TabSeparated");
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  std::set<std::string> stored;
  size_t pos = 0;
  while (pos < ids->size()) {
    size_t nl = ids->find('\n', pos);
    if (nl == std::string::npos) nl = ids->size();
    stored.insert(ids->substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::lock_guard<std::mutex> lock(acked->mu);
  size_t missing = 0;
  for (const std::string& uid : acked->uids) missing += stored.count("req-" + uid) == 0;
  EXPECT_EQ(missing, 0u) << phase << ": acknowledged events lost (of " << acked->uids.size() << ")";
  std::fprintf(stderr, "[clickhouse_server_it] %s: %zu acknowledged, %llu rows, %llu distinct\n",
               phase, acked->uids.size(), rows, distinct);
}

TEST(ClickHouseServerIt, IngestQueryKillNineAndClickHouseRestart) {
  ClickHouseServer ch;
  ASSERT_TRUE(ch.ok()) << "clickhouse-server did not start (scripts/install-deps.sh)";
  {
    // The schema through the CLI; a second run (migrate) changes nothing.
    const std::string vigia_bin = std::getenv("VIGIA_BINARY") ? std::getenv("VIGIA_BINARY") : "";
    ASSERT_FALSE(vigia_bin.empty()) << "VIGIA_BINARY is not set";
    std::string init = Shell(vigia_bin + " clickhouse init --url " + ch.url() + " 2>&1");
    EXPECT_NE(init.find("schema version 1 created"), std::string::npos) << init;
    std::string again = Shell(vigia_bin + " clickhouse migrate --url " + ch.url() + " 2>&1");
    EXPECT_NE(again.find("already at version 1"), std::string::npos) << again;
    clickhouse::ClickHouseClient client(ch.url());
    Result<uint32_t> version =
        clickhouse::CurrentSchemaVersion(client, clickhouse::SchemaOptions{});
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    ASSERT_EQ(*version, 1u);
  }

  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.wait_ready = true;
  o.env = {{"VIGIA_STORAGE_BACKEND", "clickhouse"},
           {"VIGIA_CLICKHOUSE_URL", ch.url()},
           {"VIGIA_CLICKHOUSE_MAX_BACKLOG_BYTES", std::to_string(1 << 20)}};
  ServerProcess vigia(o);
  ASSERT_TRUE(vigia.Start().ok()) << vigia.Log();

  // --- ingest and query through vigia -------------------------------------------------
  Acked acked;
  {
    HttpClient c(vigia.port(), 10000);
    std::string batch;
    for (int i = 0; i < 50; ++i) batch += EventLine("q-" + std::to_string(i));
    Result<HttpResult> r =
        c.Request("POST", "/v1/events", batch, {{"Content-Type", "application/x-ndjson"}});
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    for (int i = 0; i < 50; ++i) acked.uids.insert("q-" + std::to_string(i));
    // Loki push: another protocol, the same pipeline upstream of the outbox.
    std::string loki =
        R"({"streams":[{"stream":{"service_name":"loki-svc"},"values":[["1795341662123000000",)"
        R"("{\"msg\":\"from loki\",\"request_id\":\"req-loki-1\",\"uid\":\"loki-1\"}"]]}]})";
    r = c.Request("POST", "/loki/api/v1/push", loki, {{"Content-Type", "application/json"}});
    ASSERT_TRUE(r.ok() && r->status == 204) << (r.ok() ? r->body : r.status().ToString());
    acked.uids.insert("loki-1");

    std::map<std::string, int> seen;
    for (int i = 0; i < 200 && seen.size() < 51; ++i) {
      Result<HttpResult> q = c.Request("GET", "/v1/query?q=*&format=ndjson&limit=1000");
      ASSERT_TRUE(q.ok()) << q.status().ToString();
      ASSERT_EQ(q->status, 200) << q->body;
      seen = CountUids(q->body);
      if (seen.size() < 51) std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(seen.size(), 51u);
    for (const auto& [uid, n] : seen) EXPECT_EQ(n, 1) << uid;
    Result<HttpResult> q =
        c.Request("GET", "/v1/query?q=" + std::string("service:loki-svc") + "&format=ndjson");
    ASSERT_TRUE(q.ok() && q->status == 200);
    EXPECT_NE(q->body.find("from loki"), std::string::npos) << q->body;
    Result<HttpResult> t = c.Request("GET", "/v1/trace/req-q-7");
    ASSERT_TRUE(t.ok() && t->status == 200) << (t.ok() ? t->body : t.status().ToString());
    EXPECT_NE(t->body.find("q-7"), std::string::npos) << t->body;
    Result<HttpResult> m = c.Request("GET", "/metrics");
    ASSERT_TRUE(m.ok() && m->status == 200);
    EXPECT_NE(m->body.find("vigia_clickhouse_backlog_bytes"), std::string::npos);
    EXPECT_NE(m->body.find("\nvigia_clickhouse_shipped_rows_total "), std::string::npos);
    EXPECT_EQ(m->body.find("\nvigia_clickhouse_shipped_rows_total 0\n"), std::string::npos);
  }

  // --- kill -9 while two clients send ---------------------------------------------------
  {
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 2; ++t) {
      clients.emplace_back(Stream, vigia.port(), "k" + std::to_string(t), 20, &stop, &acked);
    }
    for (int i = 0; i < 300 && AckedBatches(&acked) < 40; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(vigia.Stop(SIGKILL), 128 + SIGKILL);
    stop = true;
    for (auto& t : clients) t.join();
    ASSERT_TRUE(vigia.Start().ok()) << vigia.Log();
    ASSERT_TRUE(WaitDrained(vigia.port())) << vigia.Log();
    CheckExactlyOnce(ch.url(), &acked, "after kill -9");
  }

  // --- ClickHouse stopped while two clients send -------------------------------------------
  {
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 2; ++t) {
      clients.emplace_back(Stream, vigia.port(), "c" + std::to_string(t), 50, &stop, &acked);
    }
    const uint64_t before = AckedBatches(&acked);
    for (int i = 0; i < 300 && AckedBatches(&acked) < before + 10; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    ch.Stop();
    // Acknowledged into the outbox until the 1 MiB backlog is full, then 503.
    for (int i = 0; i < 3000 && Refused(&acked) == 0; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_GT(Refused(&acked), 0u) << "the backlog bound never refused a batch";
    ASSERT_TRUE(ch.Restart());
    std::this_thread::sleep_for(300ms);
    stop = true;
    for (auto& t : clients) t.join();
    ASSERT_TRUE(WaitDrained(vigia.port())) << vigia.Log();
    {
      std::lock_guard<std::mutex> lock(acked.mu);
      EXPECT_FALSE(acked.retry_after_missing) << "a 503 without Retry-After";
    }
    CheckExactlyOnce(ch.url(), &acked, "after a ClickHouse restart");
  }
  EXPECT_EQ(vigia.Stop(SIGTERM), 0) << vigia.Log();
}

}  // namespace
}  // namespace vigia::testing

// `vigia serve` with storage.backend = "clickhouse" against a real clickhouse-server (Debian's,
// started by bench/clickhouse/clickhouse.sh on loopback in a temp dir, as clickhouse_it does):
//   - events sent through vigia (NDJSON and a Loki push) come back through vigia's /v1/query
//     and /v1/trace, answered by ClickHouse;
//   - kill -9 of vigia while two clients send, then a restart: every acknowledged event is in
//     ClickHouse exactly once (count() = uniqExact(request_id), every acknowledged id there);
//   - ClickHouse stopped while two clients send: vigia keeps acknowledging into its outbox
//     until the backlog (clickhouse.max_backlog_bytes, 1 MiB here) is full, then answers 503
//     with Retry-After; ClickHouse restarted: every acknowledged event arrives, exactly once.
//   - `vigia clickhouse init` creates the schema, `migrate` afterwards changes nothing;
//   - two shards (two servers, one cluster): vigia nodes A and B ingest, C only queries;
//     kill -9 of A mid-ingest loses and doubles nothing and C sees every event; a shard
//     down makes C's query a 503 (never a silently partial answer; a node with
//     clickhouse.partial_results answers from the live shard, marked "partial") while A
//     acknowledges into its outbox and catches up once the shard is back.
// Labels peers;no_sanitizer.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"
#include "it_util.h"
#include "support/clickhouse_process.h"
#include "support/cluster_ingest.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

using namespace std::chrono_literals;

TEST(ClickHouseServerIt, IngestQueryKillNineAndClickHouseRestart) {
  ClickHouseProcess ch("single");
  ASSERT_TRUE(ch.ok()) << "clickhouse-server did not start (scripts/install-deps.sh)";
  {
    // The schema through the CLI; a second run (migrate) changes nothing.
    const std::string vigia_bin = std::getenv("VIGIA_BINARY") ? std::getenv("VIGIA_BINARY") : "";
    ASSERT_FALSE(vigia_bin.empty()) << "VIGIA_BINARY is not set";
    std::string init = ShellOutput(vigia_bin + " clickhouse init --url " + ch.url() + " 2>&1");
    EXPECT_NE(
        init.find("schema version " + std::to_string(clickhouse::kSchemaVersion) + " created"),
        std::string::npos)
        << init;
    std::string again = ShellOutput(vigia_bin + " clickhouse migrate --url " + ch.url() + " 2>&1");
    EXPECT_NE(again.find("already at version " + std::to_string(clickhouse::kSchemaVersion)),
              std::string::npos)
        << again;
    clickhouse::ClickHouseClient client(ch.url());
    Result<uint32_t> version =
        clickhouse::CurrentSchemaVersion(client, clickhouse::SchemaOptions{});
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    ASSERT_EQ(*version, clickhouse::kSchemaVersion);
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

// Issue 19's shape: stateless vigia nodes over one ClickHouse cluster. Nodes A and B ingest
// (each through its own shard's server, into the Distributed table), node C only answers
// queries. kill -9 of A while both ingest, restart: every acknowledged event stored once and
// visible through C. Then a shard down: C's query fails with a clear 503 (never a partial
// answer), A keeps acknowledging into its outbox, and once the shard is back every event
// acknowledged meanwhile arrives, once.
TEST(ClickHouseServerIt, TwoNodesIngestIntoTwoShardsAThirdQueriesKillNineAndShardDown) {
  ClickHouseProcess s1("node_shard1"), s2("node_shard2");
  ASSERT_TRUE(s1.ok() && s2.ok()) << "clickhouse-server did not start (scripts/install-deps.sh)";
  ASSERT_TRUE(ConfigureCluster({&s1, &s2}, "vigia_nodes")) << "cluster config not loaded";
  const char* bin = std::getenv("VIGIA_BINARY");
  ASSERT_NE(bin, nullptr) << "VIGIA_BINARY is not set";
  std::string init = ShellOutput(std::string(bin) + " clickhouse init --url " + s1.url() +
                                 " --url " + s2.url() + " --cluster vigia_nodes 2>&1");
  EXPECT_NE(init.find(s2.url() + ": schema version " + std::to_string(clickhouse::kSchemaVersion) +
                      " created"),
            std::string::npos)
      << init;

  TempDir dir;
  ServerProcess a(NodeOptions(dir, "a", s1.url(), "vigia_nodes"));
  ServerProcess b(NodeOptions(dir, "b", s2.url(), "vigia_nodes"));
  ServerProcess c(NodeOptions(dir, "c", s1.url(), "vigia_nodes"));
  ASSERT_TRUE(a.Start().ok()) << a.Log();
  ASSERT_TRUE(b.Start().ok()) << b.Log();
  ASSERT_TRUE(c.Start().ok()) << c.Log();

  Acked acked;
  {
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 2; ++t) {
      clients.emplace_back(Stream, a.port(), "a" + std::to_string(t), 20, &stop, &acked);
      clients.emplace_back(Stream, b.port(), "b" + std::to_string(t), 20, &stop, &acked);
    }
    for (int i = 0; i < 500 && AckedBatches(&acked) < 60; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(a.Stop(SIGKILL), 128 + SIGKILL);
    // B goes on alone for a moment.
    const uint64_t at_kill = AckedBatches(&acked);
    for (int i = 0; i < 300 && AckedBatches(&acked) < at_kill + 10; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    stop = true;
    for (auto& t : clients) t.join();
  }
  ASSERT_TRUE(a.Start().ok()) << a.Log();
  ASSERT_TRUE(WaitDrained(a.port())) << a.Log();
  ASSERT_TRUE(WaitDrained(b.port())) << b.Log();
  CheckExactlyOnce(s1.url(), &acked, "two nodes, after kill -9 of one");
  {
    // Both shards hold events, and node C (which ingested nothing) sees all of them.
    clickhouse::ClickHouseClient c1(s1.url()), c2(s2.url());
    Result<std::string> on1 = c1.Execute("SELECT count() FROM vigia.events_local");
    Result<std::string> on2 = c2.Execute("SELECT count() FROM vigia.events_local");
    ASSERT_TRUE(on1.ok() && on2.ok());
    EXPECT_NE(*on1, "0\n");
    EXPECT_NE(*on2, "0\n");
    Result<std::string> total =
        c1.Execute("SELECT count() FROM vigia.events WHERE request_id IS NOT NULL");
    ASSERT_TRUE(total.ok());
    auto [n, d] = CountThrough(c.port());
    EXPECT_EQ(std::to_string(n) + "\n", *total) << "node C's count differs from ClickHouse's";
    EXPECT_EQ(n, d) << "node C counts an event twice";
    std::string uid;
    {
      std::lock_guard<std::mutex> lock(acked.mu);
      for (const std::string& u : acked.uids) {
        if (u[0] == 'b') uid = u;
      }
    }
    ASSERT_FALSE(uid.empty());
    HttpClient hc(c.port(), 30000);
    Result<HttpResult> t = hc.Request("GET", "/v1/trace/req-" + uid);
    ASSERT_TRUE(t.ok() && t->status == 200) << (t.ok() ? t->body : t.status().ToString());
    EXPECT_NE(t->body.find(uid), std::string::npos) << t->body;
  }

  // --- one shard down -------------------------------------------------------------------
  s2.Stop();
  {
    HttpClient hc(c.port(), 30000);
    Result<HttpResult> q = hc.Request("GET", "/v1/query?q=%2A%20%7C%20stats%20count%28%29");
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    EXPECT_EQ(q->status, 503) << "a query with a shard down must fail, not answer partially: "
                              << q->body;
    EXPECT_NE(q->body.find("\"error\""), std::string::npos) << q->body;
  }
  {
    // A node that allows partial answers: the live shard's events, marked partial.
    ServerOptions po = NodeOptions(dir, "d", s1.url(), "vigia_nodes");
    po.env.push_back({"VIGIA_CLICKHOUSE_PARTIAL_RESULTS", "true"});
    ServerProcess d(po);
    ASSERT_TRUE(d.Start().ok()) << d.Log();
    HttpClient hc(d.port(), 30000);
    Result<HttpResult> q =
        hc.Request("GET", "/v1/query?format=json&q=%2A%20%7C%20stats%20count%28%29%20as%20n");
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    ASSERT_EQ(q->status, 200) << q->body;
    EXPECT_NE(q->body.find("\"partial\":true"), std::string::npos) << q->body;
    EXPECT_NE(q->body.find("\"shards_total\":2,\"shards_unavailable\":1"), std::string::npos)
        << q->body;
    clickhouse::ClickHouseClient c1(s1.url());
    Result<std::string> local = c1.Execute("SELECT count() FROM vigia.events_local");
    ASSERT_TRUE(local.ok());
    EXPECT_NE(q->body.find("{\"n\":" + local->substr(0, local->size() - 1) + "}"),
              std::string::npos)
        << "expected the live shard's count " << *local << q->body;
    Result<HttpResult> nd =
        hc.Request("GET", "/v1/query?format=ndjson&q=%2A%20%7C%20stats%20count%28%29%20as%20n");
    ASSERT_TRUE(nd.ok() && nd->status == 200);
    EXPECT_NE(nd->body.find("{\"partial\":{\"shards_unavailable\":1,\"shards_total\":2}}\n"),
              std::string::npos)
        << nd->body;
    EXPECT_EQ(d.Stop(SIGTERM), 0) << d.Log();
  }
  {
    std::atomic<bool> stop{false};
    std::thread client(Stream, a.port(), "down", 20, &stop, &acked);
    const uint64_t before = AckedBatches(&acked);
    for (int i = 0; i < 500 && AckedBatches(&acked) < before + 10; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    stop = true;
    client.join();
    EXPECT_GE(AckedBatches(&acked), before + 10) << "ingest stopped while a shard was down";
  }
  ASSERT_TRUE(s2.Restart());
  ASSERT_TRUE(WaitDrained(a.port())) << a.Log();
  CheckExactlyOnce(s1.url(), &acked, "two nodes, after a shard came back");
  EXPECT_EQ(a.Stop(SIGTERM), 0) << a.Log();
  EXPECT_EQ(b.Stop(SIGTERM), 0) << b.Log();
  EXPECT_EQ(c.Stop(SIGTERM), 0) << c.Log();
}

}  // namespace
}  // namespace vigia::testing

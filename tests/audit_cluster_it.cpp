// The audit ledger in cluster mode (issue 19) on a real 2-shard ClickHouse cluster (two
// clickhouse-server 18.16 processes, `vigia clickhouse init --cluster`, schema version 4) and
// two vigia nodes, each talking to its own shard:
//   - both nodes ingest audit events into four tenants; each node mirrors its chains and
//     signed checkpoints into ClickHouse (each node's log on one shard); verification through
//     node-b covers node-a's log too, and through node-a node-b's: every chain passes;
//   - tampering done to node-a's rows in ClickHouse — a record changed (a different row at a
//     used position, what an INSERT can do beside the node's own), a record removed and the
//     chain cut before its last checkpoint (ALTER TABLE ... DELETE, a mutation on 18.16), a
//     checkpoint whose signature does not verify — is named per tenant through node-b, while
//     node-b's own log still passes; pinning only node-b's key flags node-a's log as
//     untrusted;
//   - ClickHouse's shard holding node-a's log stopped while node-a ingests audit events:
//     node-a keeps acknowledging (its chain and outbox are local), /health/ready says the
//     mirror fails; the shard back: the mirror catches up and the chain verifies;
//   - kill -9 of node-a while three clients send audit events, restart: its mirror resumes
//     where ClickHouse is, and node-b's cluster verification shows node-a's chain whole — as
//     many events as node-a's own ledger holds, at least every acknowledged one, and it passes.
// Labels peers;cluster;no_sanitizer.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "clickhouse/clickhouse_client.h"
#include "support/clickhouse_process.h"
#include "support/cluster_ingest.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr char kCluster[] = "vigia_audit";
const Headers kNdjson = {{"Content-Type", "application/x-ndjson"}};

ServerOptions AuditNode(const TempDir& dir, const std::string& name, const std::string& ch_url) {
  ServerOptions o = NodeOptions(dir, name, ch_url, kCluster);
  o.env.push_back({"VIGIA_CLUSTER_NODE_ID", "node-" + name});
  o.env.push_back({"VIGIA_AUDIT_CHECKPOINT_INTERVAL_SEC", "1"});
  return o;
}

std::string AuditLine(const std::string& tenant, const std::string& id) {
  return R"({"kind":"audit","action":"sale.created","actor":"u-1","entity":"sale","entity_id":")" +
         id + "\"" + (tenant.empty() ? "" : ",\"tenant\":\"" + tenant + "\"") + "}\n";
}
std::string StreamedAuditLine(const std::string& uid) { return AuditLine("kill", uid); }

// `batches` batches of `per` audit events for `tenant` into the node; all must be acknowledged.
void SendAudit(uint16_t port, const std::string& tenant, int batches, int per) {
  HttpClient c(port, 10000);
  for (int b = 0; b < batches; ++b) {
    std::string body;
    for (int i = 0; i < per; ++i)
      body += AuditLine(tenant, tenant + "-" + std::to_string(b * per + i));
    Result<HttpResult> r = c.Request("POST", "/v1/events", body, kNdjson);
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
  }
}

// The unsigned integer after `"key":` in `text` from `from` on; -1 when absent.
long long Number(const std::string& text, const std::string& key, size_t from = 0) {
  const size_t at = text.find("\"" + key + "\":", from);
  if (at == std::string::npos) return -1;
  return std::strtoll(text.c_str() + at + key.size() + 3, nullptr, 10);
}

// The part of a cluster report about node `node`'s log ("" when it has none).
std::string LogOf(const std::string& report, const std::string& node) {
  const size_t at = report.find("\"nodes\":[\"" + node + "\"]");
  if (at == std::string::npos) return "";
  const size_t start = report.rfind("{\"public_key\"", at);
  const size_t end = report.find("{\"public_key\"", at);
  return report.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The report of tenant `tenant` inside one log's part.
std::string TenantOf(const std::string& log, const std::string& tenant) {
  const size_t at = log.find("{\"tenant\":\"" + tenant + "\"");
  if (at == std::string::npos) return "";
  const size_t end = log.find("{\"tenant\":", at + 1);
  return log.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::string ClusterVerify(uint16_t port) { return GetBody(port, "/v1/audit/verify?scope=cluster"); }

// The audit events of `tenant`'s chain in the node's own ledger (its /v1/audit/verify).
long long LocalEvents(uint16_t port, const std::string& tenant) {
  return Number(GetBody(port, "/v1/audit/verify?tenant=" + tenant), "records");
}

// The audit events of `tenant`'s chain in one log of a cluster report (-1: no such chain).
long long LogEvents(const std::string& log, const std::string& tenant) {
  return Number(TenantOf(log, tenant), "records");
}

// The log's own verdict (after its tenants' reports in the JSON: "missing":..,"ok":..).
bool LogOk(const std::string& log) {
  return log.find("\"missing\":false,\"ok\":true") != std::string::npos;
}

// The body of /health/ready whatever its status.
std::string Ready(uint16_t port) {
  Result<HttpResult> r = HttpClient(port, 10000).Request("GET", "/health/ready");
  return r.ok() ? r->body : "";
}

// Every tenant of the log is sealed up to its end: "last_seq" == "sealed_seq".
bool Sealed(const std::string& log) {
  if (log.empty()) return false;
  for (size_t at = log.find("{\"tenant\":"); at != std::string::npos;
       at = log.find("{\"tenant\":", at + 1)) {
    if (Number(log, "last_seq", at) != Number(log, "sealed_seq", at)) return false;
  }
  return true;
}

std::string Scalar(clickhouse::ClickHouseClient& ch, const std::string& sql) {
  Result<std::string> r = ch.Execute(sql);
  if (!r.ok()) {
    ADD_FAILURE() << sql << ": " << r.status().ToString();
    return "";
  }
  std::string s = *r;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// Runs `sql` (ALTER TABLE ... DELETE) on the `_local` table of both servers and waits until the
// mutation is done (18.16 runs mutations in the background).
void Mutate(ClickHouseProcess* s1, ClickHouseProcess* s2, const std::string& sql) {
  for (ClickHouseProcess* s : {s1, s2}) {
    clickhouse::ClickHouseClient ch(s->url());
    Result<std::string> r = ch.Execute(sql);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    EXPECT_TRUE(Eventually(
        [&] { return Scalar(ch, "SELECT count() FROM system.mutations WHERE is_done = 0") == "0"; },
        30000));
  }
}

// Two shards and two vigia nodes, node-a through shard 1 and node-b through shard 2.
class AuditClusterIt : public ::testing::Test {
 protected:
  void StartNodes() {
    s1_ = std::make_unique<ClickHouseProcess>("audit_shard1");
    s2_ = std::make_unique<ClickHouseProcess>("audit_shard2");
    ASSERT_NO_FATAL_FAILURE(StartShardedCluster(s1_.get(), s2_.get(), kCluster));
    a_ = std::make_unique<ServerProcess>(AuditNode(dir_, "a", s1_->url()));
    b_ = std::make_unique<ServerProcess>(AuditNode(dir_, "b", s2_->url()));
    ASSERT_TRUE(a_->Start().ok()) << a_->Log();
    ASSERT_TRUE(b_->Start().ok()) << b_->Log();
  }

  TempDir dir_;
  std::unique_ptr<ClickHouseProcess> s1_, s2_;
  std::unique_ptr<ServerProcess> a_, b_;
};

TEST_F(AuditClusterIt, EveryNodeVerifiesEveryNodesChainAndClickHouseTamperingIsNamed) {
  ASSERT_NO_FATAL_FAILURE(StartNodes());
  ClickHouseProcess &s1 = *s1_, &s2 = *s2_;
  ServerProcess &a = *a_, &b = *b_;
  const TempDir& dir = dir_;
  for (const char* t : {"edit", "gone", "cut", "sig"}) {
    ASSERT_NO_FATAL_FAILURE(SendAudit(a.port(), t, 6, 5));
  }
  ASSERT_NO_FATAL_FAILURE(SendAudit(b.port(), "edit", 4, 5));

  // Both logs in ClickHouse with every chain sealed (checkpoints every second, mirrored every
  // second), seen through node-b.
  std::string report;
  ASSERT_TRUE(Eventually(
      [&] {
        report = ClusterVerify(b.port());
        const std::string la = LogOf(report, "node-a"), lb = LogOf(report, "node-b");
        return Sealed(la) && Sealed(lb) && LogEvents(la, "sig") == 30 &&
               LogEvents(lb, "edit") == 20;
      },
      20000))
      << report << "\n"
      << a.Log();
  EXPECT_NE(report.find("\"scope\":\"cluster\",\"ok\":true"), std::string::npos) << report;
  for (const char* t : {"edit", "gone", "cut", "sig"}) {
    EXPECT_EQ(LogEvents(LogOf(report, "node-a"), t), 30) << t;
    EXPECT_EQ(LocalEvents(a.port(), t), 30) << t;
  }
  EXPECT_NE(LogOf(report, "node-b").find("\"own\":true"), std::string::npos);
  // And through node-a: the same logs, its own now.
  const std::string from_a = ClusterVerify(a.port());
  EXPECT_NE(from_a.find("\"ok\":true"), std::string::npos) << from_a;
  EXPECT_NE(LogOf(from_a, "node-a").find("\"own\":true"), std::string::npos) << from_a;
  EXPECT_TRUE(LogOk(LogOf(from_a, "node-b"))) << from_a;

  // Each node's log lives on one shard (sharded by its key): no key has rows on both.
  clickhouse::ClickHouseClient c1(s1.url()), c2(s2.url());
  const std::string keys = "SELECT uniqExact(key) FROM vigia.audit_records";
  EXPECT_EQ(Scalar(c1, keys), "2");
  EXPECT_EQ(std::stoi(Scalar(c1, keys + "_local")) + std::stoi(Scalar(c2, keys + "_local")), 2);
  const std::string key_a = Scalar(c1, "SELECT key FROM vigia.audit_keys WHERE node = 'node-a'");
  ASSERT_EQ(key_a.size(), 64u);
  const std::string where_a = "key = '" + key_a + "'";

  // --- tampering in ClickHouse, one tenant each --------------------------------------
  // A record changed: a different row at position 6 of tenant "edit" (a byte of its payload
  // flipped), inserted beside node-a's own.
  clickhouse::ClickHouseRequest ins;
  ins.sql =
      "INSERT INTO vigia.audit_records SELECT key, tenant, seq, last_seq, "
      "concat(substring(record, 1, 100), 'X', substring(record, 102)) FROM "
      "vigia.audit_records WHERE " +
      where_a + " AND tenant = 'edit' AND seq = 6";
  ins.settings.emplace_back("insert_distributed_sync", "1");
  Result<std::string> inserted = c1.Execute(ins);
  ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
  // A record removed: tenant "gone"'s record at position 11.
  ASSERT_NO_FATAL_FAILURE(Mutate(&s1, &s2,
                                 "ALTER TABLE vigia.audit_records_local DELETE WHERE " + where_a +
                                     " AND tenant = 'gone' AND seq = 11"));
  // The chain cut before its last checkpoint: tenant "cut"'s last two records.
  ASSERT_NO_FATAL_FAILURE(Mutate(&s1, &s2,
                                 "ALTER TABLE vigia.audit_records_local DELETE WHERE " + where_a +
                                     " AND tenant = 'cut' AND seq >= 21"));
  // A checkpoint whose signature does not verify: tenant "sig"'s last one, its seq changed.
  const std::string sealed = Scalar(
      c1, "SELECT max(seq) FROM vigia.audit_checkpoints WHERE " + where_a + " AND tenant = 'sig'");
  clickhouse::ClickHouseRequest forge;
  forge.sql =
      "INSERT INTO vigia.audit_checkpoints SELECT key, tenant, 99, replaceOne(checkpoint, "
      "'\"seq\":" +
      sealed + ",', '\"seq\":99,') FROM vigia.audit_checkpoints WHERE " + where_a +
      " AND tenant = 'sig' AND seq = " + sealed;
  forge.settings.emplace_back("insert_distributed_sync", "1");
  Result<std::string> forged = c1.Execute(forge);
  ASSERT_TRUE(forged.ok()) << forged.status().ToString();

  report = ClusterVerify(b.port());
  const std::string log_a = LogOf(report, "node-a");
  std::printf("%s\n", log_a.c_str());
  EXPECT_NE(report.find("\"scope\":\"cluster\",\"ok\":false"), std::string::npos) << report;
  EXPECT_TRUE(LogOk(LogOf(report, "node-b"))) << report;
  EXPECT_FALSE(LogOk(log_a));
  const std::string edit = TenantOf(log_a, "edit");
  EXPECT_TRUE(edit.find("\"kind\":\"edited\",\"seq\":6") != std::string::npos ||
              edit.find("\"kind\":\"inserted\",\"seq\":6") != std::string::npos)
      << edit;
  EXPECT_NE(TenantOf(log_a, "gone").find("\"kind\":\"deleted\",\"seq\":11"), std::string::npos)
      << log_a;
  EXPECT_NE(TenantOf(log_a, "cut").find("\"kind\":\"truncated\",\"seq\":21"), std::string::npos)
      << log_a;
  EXPECT_NE(TenantOf(log_a, "sig").find("\"kind\":\"forged\",\"seq\":99"), std::string::npos)
      << log_a;

  // Pinning only node-b's key: node-a's log is not trusted (a key ClickHouse alone vouches for).
  const std::string key_b = Scalar(c1, "SELECT key FROM vigia.audit_keys WHERE node = 'node-b'");
  ASSERT_EQ(b.Stop(SIGTERM), 0);
  ServerOptions pinned = AuditNode(dir, "b", s2.url());
  pinned.env.push_back({"VIGIA_AUDIT_TRUSTED_KEYS", key_b});
  ServerProcess b2(pinned);
  ASSERT_TRUE(b2.Start().ok()) << b2.Log();
  report = ClusterVerify(b2.port());
  EXPECT_NE(LogOf(report, "node-a").find("\"pinned\":false,\"trusted\":false"), std::string::npos)
      << report;
  EXPECT_NE(LogOf(report, "node-b").find("\"pinned\":true,\"trusted\":true"), std::string::npos)
      << report;
}

TEST_F(AuditClusterIt, TheMirrorCatchesUpAfterClickHouseWasDownAndAfterKillNine) {
  ASSERT_NO_FATAL_FAILURE(StartNodes());
  ClickHouseProcess &s1 = *s1_, &s2 = *s2_;
  ServerProcess &a = *a_, &b = *b_;
  ASSERT_NO_FATAL_FAILURE(SendAudit(a.port(), "down", 2, 10));
  std::string report;
  ASSERT_TRUE(Eventually(
      [&] { return LogEvents(LogOf(report = ClusterVerify(b.port()), "node-a"), "down") == 20; },
      10000))
      << report;

  // --- the shard holding node-a's log down ---------------------------------------------
  clickhouse::ClickHouseClient c1(s1.url());
  const bool on_1 =
      Scalar(c1, "SELECT count() FROM vigia.audit_keys_local WHERE node = 'node-a'") != "0";
  ClickHouseProcess* holder = on_1 ? &s1 : &s2;
  std::printf("node-a's log is on shard %d\n", on_1 ? 1 : 2);
  holder->Stop();
  ASSERT_NO_FATAL_FAILURE(SendAudit(a.port(), "down", 5, 10));  // acknowledged, chained locally
  EXPECT_TRUE(Eventually(
      [&] { return Ready(a.port()).find("\"audit_mirror\"") != std::string::npos; }, 10000))
      << Ready(a.port());
  ASSERT_TRUE(holder->Restart());
  EXPECT_TRUE(Eventually(
      [&] { return LogEvents(LogOf(report = ClusterVerify(b.port()), "node-a"), "down") == 70; },
      30000))
      << report << "\n"
      << a.Log();
  EXPECT_EQ(LocalEvents(a.port(), "down"), 70);
  EXPECT_EQ(TenantOf(LogOf(report, "node-a"), "down").rfind("{\"tenant\":\"down\",\"ok\":true", 0),
            0u)
      << report;
  EXPECT_EQ(Ready(a.port()).find("\"audit_mirror\""), std::string::npos) << Ready(a.port());

  // --- kill -9 of node-a during audit ingest, restart ---------------------------------
  Acked acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back(StreamLines, a.port(), "k" + std::to_string(t), 20, &stop, &acked,
                         &StreamedAuditLine);
  }
  ASSERT_TRUE(Eventually([&] { return AckedBatches(&acked) >= 30; }, 20000));
  EXPECT_EQ(a.Stop(SIGKILL), 128 + SIGKILL);
  stop = true;
  for (std::thread& t : clients) t.join();
  ASSERT_TRUE(a.Start().ok()) << a.Log();
  const long long local = LocalEvents(a.port(), "kill");
  EXPECT_GE(local, static_cast<long long>(acked.uids.size()));
  EXPECT_TRUE(Eventually(
      [&] { return LogEvents(LogOf(report = ClusterVerify(b.port()), "node-a"), "kill") == local; },
      30000))
      << report << "\n"
      << a.Log();
  EXPECT_TRUE(LogOk(LogOf(report, "node-a"))) << report;
  EXPECT_NE(report.find("\"scope\":\"cluster\",\"ok\":true"), std::string::npos) << report;
  std::printf(
      "kill -9 during audit ingest: %zu acknowledged audit events, node-a's chain of "
      "tenant kill %lld events on the node and in ClickHouse\n",
      acked.uids.size(), local);
}

// Measurement, not part of the default run: AUDIT_CLUSTER_IT_BENCH_EVENTS=N ingests N audit
// events (batches of 1,000) into one node, then measures (1) the mirror's catch-up of the whole
// chain — the node stopped, its rows deleted from ClickHouse, the node started: the time until
// ClickHouse holds all N (the mirror's first round starts one interval, 1 s, after the start)
// — and (2) GET /v1/audit/verify?scope=cluster over them, three runs.
TEST_F(AuditClusterIt, MirrorAndClusterVerifyRates) {
  const char* env = std::getenv("AUDIT_CLUSTER_IT_BENCH_EVENTS");
  if (env == nullptr) GTEST_SKIP() << "set AUDIT_CLUSTER_IT_BENCH_EVENTS=N to measure";
  const long long n = std::atoll(env);
  ASSERT_NO_FATAL_FAILURE(StartNodes());
  ClickHouseProcess &s1 = *s1_, &s2 = *s2_;
  ServerProcess& a = *a_;
  const auto t0 = Clock::now();
  ASSERT_NO_FATAL_FAILURE(SendAudit(a.port(), "bench", static_cast<int>(n / 1000), 1000));
  const double ingest_s = std::chrono::duration<double>(Clock::now() - t0).count();
  clickhouse::ClickHouseClient c1(s1.url()), c2(s2.url());
  auto mirrored = [&] {
    return std::atoll(Scalar(c1,
                             "SELECT sum(last_seq - seq + 1) FROM vigia.audit_records WHERE "
                             "tenant = 'bench'")
                          .c_str());
  };
  ASSERT_TRUE(Eventually([&] { return mirrored() == n; }, 600000));
  ASSERT_EQ(a.Stop(SIGTERM), 0);
  for (clickhouse::ClickHouseClient* c : {&c1, &c2}) {
    ASSERT_TRUE(c->Execute("TRUNCATE TABLE vigia.audit_records_local").ok());
    ASSERT_TRUE(c->Execute("TRUNCATE TABLE vigia.audit_checkpoints_local").ok());
  }
  ASSERT_EQ(mirrored(), 0);
  ASSERT_TRUE(a.Start().ok()) << a.Log();
  const auto t1 = Clock::now();
  ASSERT_TRUE(Eventually([&] { return mirrored() == n; }, 600000));
  const double catchup_s = std::chrono::duration<double>(Clock::now() - t1).count();
  const std::string bytes =
      Scalar(c1, "SELECT sum(length(record)) FROM vigia.audit_records WHERE tenant = 'bench'");
  std::vector<double> verify_s;
  std::string report;
  for (int i = 0; i < 3; ++i) {
    const auto t = Clock::now();
    report = ClusterVerify(a.port());
    verify_s.push_back(std::chrono::duration<double>(Clock::now() - t).count());
    ASSERT_EQ(LogEvents(LogOf(report, "node-a"), "bench"), n) << report.substr(0, 2000);
    EXPECT_TRUE(LogOk(LogOf(report, "node-a"))) << report.substr(0, 2000);
  }
  std::sort(verify_s.begin(), verify_s.end());
  std::printf(
      "%lld audit events (%s record bytes): ingest %.2f s; mirror catch-up %.2f s from the "
      "start (%.0f events/s); cluster verify %.3f / %.3f / %.3f s (median %.0f events/s)\n",
      n, bytes.c_str(), ingest_s, catchup_s, n / catchup_s, verify_s[0], verify_s[1], verify_s[2],
      n / verify_s[1]);
}

}  // namespace
}  // namespace vigia::testing

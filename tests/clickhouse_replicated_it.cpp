// Issue 19's replicated shape on real servers: ZooKeeper (Debian's `zookeeper`, standalone)
// and four clickhouse-server processes as a cluster of 2 shards x 2 replicas, the schema made
// by `vigia clickhouse init --replicated` (ReplicatedMergeTree `events_local` on each, the
// Distributed `events` over the cluster). Two vigia nodes ingest through different servers
// while kill -9 takes one replica of a shard away:
//   - ingest goes on (the Distributed insert fails over to the shard's other replica) and a
//     third node's queries answer in full, not partially — the shard still has a replica;
//   - meanwhile nothing is doubled; what only the killed replica had taken is invisible until
//     it restarts and catches up from ZooKeeper's log: then both replicas of each shard hold
//     the same rows, and every acknowledged event is stored exactly once;
//   - a node with clickhouse.insert_quorum = 2: everything it shipped stays visible with a
//     replica killed, and what it acknowledged while a shard had one live
//     replica arrives once the replica is back.
// Labels peers;cluster;replicated;no_sanitizer (~1 min on the 2-core machine).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "clickhouse/clickhouse_client.h"
#include "it_util.h"
#include "support/clickhouse_process.h"
#include "support/cluster_ingest.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/zookeeper_process.h"

namespace vigia::testing {
namespace {

using namespace std::chrono_literals;

std::string Sql(const ClickHouseProcess& s, const std::string& sql) {
  clickhouse::ClickHouseClient c(s.url());
  Result<std::string> r = c.Execute(sql);
  return r.ok() ? *r : "error: " + r.status().ToString();
}

// Waits until a replica has fetched everything its shard's replication log holds.
bool SyncReplica(const ClickHouseProcess& s) {
  for (int i = 0; i < 60; ++i) {
    if (Sql(s, "SYSTEM SYNC REPLICA vigia.events_local").rfind("error", 0) != 0) return true;
    std::this_thread::sleep_for(500ms);
  }
  return false;
}

TEST(ClickHouseReplicatedIt, TwoShardsTwoReplicasKillNineOfAReplicaLosesAndDoublesNothing) {
  ZooKeeperProcess zk("replicated");
  ASSERT_TRUE(zk.ok()) << "ZooKeeper did not start (scripts/install-deps.sh installs zookeeper)"
                       << zk.Log();
  ClickHouseProcess s11("rep_s1r1", ReplicaConfig(zk.port(), 1, 1));
  ClickHouseProcess s12("rep_s1r2", ReplicaConfig(zk.port(), 1, 2));
  ClickHouseProcess s21("rep_s2r1", ReplicaConfig(zk.port(), 2, 1));
  ClickHouseProcess s22("rep_s2r2", ReplicaConfig(zk.port(), 2, 2));
  ASSERT_TRUE(s11.ok() && s12.ok() && s21.ok() && s22.ok())
      << "clickhouse-server did not start (scripts/install-deps.sh)";
  ASSERT_TRUE(ConfigureReplicatedCluster({{&s11, &s12}, {&s21, &s22}}, "vigia_rep"))
      << "cluster config not loaded";
  const char* bin = std::getenv("VIGIA_BINARY");
  ASSERT_NE(bin, nullptr) << "VIGIA_BINARY is not set";
  std::string init = ShellOutput(
      std::string(bin) + " clickhouse init --url " + s11.url() + " --url " + s12.url() + " --url " +
      s21.url() + " --url " + s22.url() + " --cluster vigia_rep --replicated 2>&1; echo exit $?");
  EXPECT_NE(init.find(s22.url() + ": schema version 4 created"), std::string::npos) << init;
  for (const ClickHouseProcess* s : {&s11, &s12, &s21, &s22}) {
    EXPECT_EQ(Sql(*s,
                  "SELECT engine FROM system.tables WHERE database = 'vigia' AND name = "
                  "'events_local'"),
              "ReplicatedMergeTree\n");
  }

  TempDir dir;
  ServerProcess a(NodeOptions(dir, "a", s11.url(), "vigia_rep"));
  ServerProcess b(NodeOptions(dir, "b", s22.url(), "vigia_rep"));
  ServerProcess c(NodeOptions(dir, "c", s12.url(), "vigia_rep"));
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
    for (int i = 0; i < 1000 && AckedBatches(&acked) < 60; ++i) std::this_thread::sleep_for(10ms);
    // A replica of shard 2 that neither ingesting node talks to directly: the Distributed
    // inserts of both nodes (node B's local replica s22 aside) must go to s22 from now on.
    s21.Kill();
    const uint64_t at_kill = AckedBatches(&acked);
    for (int i = 0; i < 3000 && AckedBatches(&acked) < at_kill + 60; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    EXPECT_GE(AckedBatches(&acked), at_kill + 60)
        << "ingest stalled with one replica of a shard down\n"
        << a.Log();
    // Queries answer in full: the shard still has a live replica.
    HttpClient hc(c.port(), 30000);
    Result<HttpResult> q =
        hc.Request("GET", "/v1/query?format=json&q=%2A%20%7C%20stats%20count%28%29%20as%20n");
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    EXPECT_EQ(q->status, 200) << q->body;
    EXPECT_NE(q->body.find("\"partial\":false"), std::string::npos) << q->body;
    stop = true;
    for (auto& t : clients) t.join();
  }
  ASSERT_TRUE(WaitDrained(a.port())) << a.Log();
  ASSERT_TRUE(WaitDrained(b.port())) << b.Log();
  const std::string counts = "SELECT count(), uniqExact(request_id) FROM vigia.events";
  {
    // With ClickHouse's default asynchronous replication an insert is acknowledged by one
    // replica; what s21 took just before its kill and s22 had not copied yet is invisible
    // until s21 returns — never doubled, never lost.
    unsigned long long rows = 0, distinct = 0;
    ASSERT_EQ(std::sscanf(Sql(s11, counts).c_str(), "%llu\t%llu", &rows, &distinct), 2);
    EXPECT_EQ(rows, distinct) << "events stored twice";
    std::lock_guard<std::mutex> lock(acked.mu);
    EXPECT_LE(rows, acked.uids.size());
    std::fprintf(stderr,
                 "[clickhouse_replicated_it] a replica of shard 2 down: %llu of %zu acknowledged "
                 "events visible\n",
                 rows, acked.uids.size());
  }

  // The killed replica comes back and catches up; both replicas of each shard agree.
  ASSERT_TRUE(s21.Restart());
  for (const ClickHouseProcess* s : {&s11, &s12, &s21, &s22}) {
    ASSERT_TRUE(SyncReplica(*s)) << s->dir();
  }
  const std::string local =
      "SELECT count(), uniqExact(request_id) FROM vigia.events_local FORMAT TabSeparated";
  EXPECT_EQ(Sql(s11, local), Sql(s12, local)) << "shard 1's replicas differ";
  EXPECT_EQ(Sql(s21, local), Sql(s22, local)) << "shard 2's replicas differ";
  EXPECT_NE(Sql(s11, local), "0\t0\n");
  EXPECT_NE(Sql(s21, local), "0\t0\n");
  // Every acknowledged event once, read through the restarted replica's Distributed table.
  CheckExactlyOnce(s21.url(), &acked, "2x2, after the replica caught up");
  auto [n, d] = CountThrough(c.port());
  EXPECT_EQ(n, d) << "node C counts an event twice";
  EXPECT_EQ(std::to_string(n) + "\n",
            Sql(s21, "SELECT count() FROM vigia.events WHERE request_id IS NOT NULL"));

  // clickhouse.insert_quorum = 2: node D's acknowledged and shipped events are on both
  // replicas, so they all stay visible when either is killed; while a shard has one live
  // replica D's inserts fail and it buffers, then catches up.
  ServerOptions qo = NodeOptions(dir, "d", s12.url(), "vigia_rep");
  qo.env.push_back({"VIGIA_CLICKHOUSE_INSERT_QUORUM", "2"});
  ServerProcess qd(qo);
  ASSERT_TRUE(qd.Start().ok()) << qd.Log();
  auto stream_into_d = [&](const std::string& tag, uint64_t batches) {
    std::atomic<bool> stop{false};
    std::thread client(Stream, qd.port(), tag, 20, &stop, &acked);
    const uint64_t before = AckedBatches(&acked);
    for (int i = 0; i < 3000 && AckedBatches(&acked) < before + batches; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    stop = true;
    client.join();
    EXPECT_GE(AckedBatches(&acked), before + batches) << qd.Log();
  };
  stream_into_d("quorum", 40);
  ASSERT_TRUE(WaitDrained(qd.port())) << qd.Log();
  // Shard 2's rows reach it through D's server (s12, a shard 1 replica): whichever replica of
  // shard 2 took an insert, with the quorum the other has it too.
  s22.Kill();
  CheckExactlyOnce(s12.url(), &acked, "quorum 2, a replica of shard 2 killed");
  stream_into_d("quorum-down", 20);
  ASSERT_TRUE(s22.Restart());
  ASSERT_TRUE(WaitDrained(qd.port())) << qd.Log();
  CheckExactlyOnce(s22.url(), &acked, "quorum 2, after the replica returned");
  EXPECT_EQ(qd.Stop(SIGTERM), 0) << qd.Log();
  EXPECT_EQ(a.Stop(SIGTERM), 0) << a.Log();
  EXPECT_EQ(b.Stop(SIGTERM), 0) << b.Log();
  EXPECT_EQ(c.Stop(SIGTERM), 0) << c.Log();
}

}  // namespace
}  // namespace vigia::testing

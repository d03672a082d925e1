#include "support/cluster_ingest.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_schema.h"
#include "support/http_client.h"

namespace vigia::testing {

using namespace std::chrono_literals;

void Stream(uint16_t port, const std::string& tag, int per_batch, std::atomic<bool>* stop,
            Acked* acked) {
  StreamLines(port, tag, per_batch, stop, acked, &EventLine);
}

void StreamLines(uint16_t port, const std::string& tag, int per_batch, std::atomic<bool>* stop,
                 Acked* acked, std::string (*line)(const std::string& uid)) {
  HttpClient c(port, 10000);
  for (int b = 0; !stop->load(); ++b) {
    std::vector<std::string> uids;
    std::string batch;
    for (int e = 0; e < per_batch; ++e) {
      uids.push_back(tag + "-b" + std::to_string(b) + "-e" + std::to_string(e));
      batch += line(uids.back());
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

void CheckExactlyOnce(const std::string& url, Acked* acked, const char* phase,
                      const std::string& table) {
  clickhouse::ClickHouseClient ch(url);
  Result<std::string> counts =
      // The test's events all have a request_id; the nodes' own events (the lease's kind=audit
      // events, module_cluster.h) have none and are not the test's to count.
      ch.Execute("SELECT count(), uniqExact(request_id) FROM " + table +
                 " WHERE request_id IS NOT NULL FORMAT TabSeparated");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  unsigned long long rows = 0, distinct = 0;
  ASSERT_EQ(std::sscanf(counts->c_str(), "%llu\t%llu", &rows, &distinct), 2) << *counts;
  EXPECT_EQ(rows, distinct) << phase << ": events stored twice";
  Result<std::string> ids = ch.Execute("SELECT request_id FROM " + table +
                                       " WHERE request_id IS NOT NULL FORMAT TabSeparated");
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
  std::fprintf(stderr, "[clickhouse] %s: %zu acknowledged, %llu rows, %llu distinct\n", phase,
               acked->uids.size(), rows, distinct);
}

ServerOptions NodeOptions(const TempDir& dir, const std::string& name, const std::string& ch_url,
                          const std::string& cluster) {
  ServerOptions o;
  o.data_dir = dir.path() + "/" + name;
  o.wait_ready = true;
  o.env = {{"VIGIA_STORAGE_BACKEND", "clickhouse"},
           {"VIGIA_CLICKHOUSE_URL", ch_url},
           {"VIGIA_CLICKHOUSE_CLUSTER", cluster}};
  return o;
}

std::pair<uint64_t, uint64_t> CountThrough(uint16_t port) {
  HttpClient c(port, 30000);
  Result<HttpResult> r = c.Request(
      "GET",
      "/v1/query?format=ndjson&q=request_id%3A%2A%20%7C%20stats%20count%28%29%20as%20n%2C%20"
      "count_distinct%28request_id%29%20as%20d");
  unsigned long long n = 0, d = 0;
  if (!r.ok() || r->status != 200) return {0, 0};
  size_t pn = r->body.find("\"n\":"), pd = r->body.find("\"d\":");
  if (pn == std::string::npos || pd == std::string::npos) return {0, 0};
  n = std::strtoull(r->body.c_str() + pn + 4, nullptr, 10);
  d = std::strtoull(r->body.c_str() + pd + 4, nullptr, 10);
  return {n, d};
}

std::string GetBody(uint16_t port, const std::string& path) {
  HttpClient c(port, 30000);
  Result<HttpResult> r = c.Request("GET", path);
  return r.ok() && r->status == 200 ? r->body : std::string();
}

void StartShardedCluster(ClickHouseProcess* s1, ClickHouseProcess* s2, const std::string& cluster) {
  ASSERT_TRUE(s1->ok() && s2->ok()) << "clickhouse-server did not start (scripts/install-deps.sh)";
  ASSERT_TRUE(ConfigureCluster({s1, s2}, cluster)) << "cluster config not loaded";
  const char* bin = std::getenv("VIGIA_BINARY");
  ASSERT_NE(bin, nullptr) << "VIGIA_BINARY is not set";
  const std::string init = ShellOutput(std::string(bin) + " clickhouse init --url " + s1->url() +
                                       " --url " + s2->url() + " --cluster " + cluster + " 2>&1");
  ASSERT_NE(init.find(s2->url() + ": schema version " + std::to_string(clickhouse::kSchemaVersion) +
                      " created"),
            std::string::npos)
      << init;
}

}  // namespace vigia::testing

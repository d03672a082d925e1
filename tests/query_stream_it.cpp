// Integration: /v1/query streams a plain filter's rows while the scan runs, against the real
// `vigia serve` with enough events in several parts that rows are final long before the last
// block is read. The streamed answer (chunked, X-Vigia-Streamed) must equal the answer the
// server gives in one piece for the same rows (a sort by ts: not streamable), in NDJSON and
// JSON (truncation and stats at the end); a client that goes away stops the query.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/stream_client.h"

namespace vigia::testing {
namespace {

constexpr int kEvents = 60000;
constexpr int kPerPost = 5000;

// Event i of one service, 1 ms apart from 10:00:00 (so parts and blocks are time-ordered).
std::string Line(int i) {
  char ts[64];
  std::snprintf(ts, sizeof(ts), "2026-11-22T10:%02d:%02d.%03dZ", i / 60000, (i / 1000) % 60,
                i % 1000);
  return std::string(R"({"ts":")") + ts + R"(","level":")" + (i % 7 == 0 ? "error" : "info") +
         R"(","service":"api","msg":"event number )" + std::to_string(i) + R"(","uid":"u)" +
         std::to_string(i) + "\"}\n";
}

class QueryStreamIt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ServerOptions o;
    o.data_dir = dir_->path() + "/data";
    // Small memtable flushes: the events land in several parts (later merged), blocks of
    // one service sorted by time.
    o.env = {{"VIGIA_STORE_MEMTABLE_FLUSH_BYTES", "1000000"},
             {"VIGIA_STORE_MEMTABLE_FLUSH_AGE_MS", "100"}};
    server_ = new ServerProcess(o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    HttpClient c(server_->port());
    for (int first = 0; first < kEvents; first += kPerPost) {
      std::string body;
      for (int i = first; i < first + kPerPost; ++i) body += Line(i);
      auto r = c.Request("POST", "/v1/events", body, {{"Content-Type", "application/x-ndjson"}});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 200) << r->body;
    }
    // Everything in parts (the memtable's rows would only be final at the end of a scan).
    std::string stats;
    for (int i = 0; i < 200 && stats.find("\"memtable\":{\"events\":0,") == std::string::npos;
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      auto r = c.Request("GET", "/v1/stats");
      ASSERT_TRUE(r.ok());
      stats = r->body;
    }
    ASSERT_NE(stats.find("\"memtable\":{\"events\":0,"), std::string::npos) << stats;
    // No query ran yet (the start-up jobs' scans are background ones), so the flushes warmed
    // nothing into the chunk cache (query/fresh_data_warmer.h): the error-group rebuild of a
    // fresh data directory once made its columns hot for 10 minutes.
    EXPECT_NE(stats.find("\"query_cache\":{\"bytes\":0,"), std::string::npos) << stats;
  }
  static void TearDownTestSuite() {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    }
    delete server_;
    delete dir_;
  }

  static std::string Get(const std::string& target) {
    HttpClient c(server_->port());
    auto r = c.Request("GET", target);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 200) << r->body;
    return r->body;
  }

  static inline TempDir* dir_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

TEST_F(QueryStreamIt, NdjsonRowsArriveWhileTheScanRunsAndEqualTheWholeAnswer) {
  StreamClient s(server_->port());
  ASSERT_TRUE(s.Open("/v1/query?q=*&format=ndjson&limit=1000000").ok());
  ASSERT_EQ(s.status(), 200);
  // The handler answers with a stream only when rows were final while blocks were still
  // unread: the header (and those rows) left before the scan ended.
  EXPECT_EQ(s.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(s.Header("x-vigia-streamed"), "true");
  Result<std::string> first = s.ReadLine(30000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_NE(first->find("\"uid\":\"u0\""), std::string::npos) << *first;
  Result<std::string> rest = s.ReadToEnd(60000);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_TRUE(s.ended_cleanly());
  std::string streamed = *first + "\n" + *rest;

  // `sort by (ts)` is not streamable: the same rows, answered in one piece.
  std::string whole = Get("/v1/query?q=*+%7C+sort+by+(ts)&format=ndjson&limit=1000000");
  EXPECT_EQ(std::count(streamed.begin(), streamed.end(), '\n'), kEvents);
  EXPECT_TRUE(streamed == whole) << "streamed " << streamed.size() << " bytes, whole "
                                 << whole.size();
}

TEST_F(QueryStreamIt, JsonStreamEndsWithTruncationAndStats) {
  StreamClient s(server_->port());
  ASSERT_TRUE(s.Open("/v1/query?q=level%3Ainfo+%7C+fields+ts,+uid&format=json&limit=40000").ok());
  ASSERT_EQ(s.status(), 200);
  EXPECT_EQ(s.Header("x-vigia-streamed"), "true");
  EXPECT_EQ(s.Header("content-type"), "application/json");
  Result<std::string> body = s.ReadToEnd(60000);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  std::string whole =
      Get("/v1/query?q=level%3Ainfo+%7C+fields+ts,+uid+%7C+sort+by+(ts)&format=json&limit=40000");
  // Equal up to the stats, which differ in elapsed_ms (and the scan itself).
  size_t cut = body->find("],\"truncated\":");
  ASSERT_NE(cut, std::string::npos) << body->substr(body->size() - 300);
  EXPECT_EQ(body->substr(0, cut), whole.substr(0, whole.find("],\"truncated\":")));
  EXPECT_EQ(body->substr(cut, 48), "],\"truncated\":true,\"partial\":false,\"stats\":{\"row");
  EXPECT_NE(body->find("\"elapsed_ms\":", cut), std::string::npos);
  EXPECT_EQ(body->back(), '}');
}

// The number after `"key":` in the object after `section` of a JSON text (-1 if absent).
double NumberIn(const std::string& json, const std::string& section, const std::string& key) {
  size_t at = json.find("\"" + section + "\":{");
  if (at == std::string::npos) return -1;
  at = json.find("\"" + key + "\":", at);
  if (at == std::string::npos) return -1;
  return std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

// The chunk cache is much of a server's memory: /v1/stats ("query_cache") and /metrics
// (vigia_query_chunk_cache_*) show what it holds and how it serves. A query run three times
// is served from the cache at the latest on its third run (a chunk is kept on its second
// read; the suite's earlier queries may have read it already).
TEST_F(QueryStreamIt, TheChunkCacheShowsInStatsAndMetrics) {
  const std::string before = Get("/v1/stats");
  ASSERT_GE(NumberIn(before, "query_cache", "capacity_bytes"), 1 << 20) << before;
  const double hits0 = NumberIn(before, "query_cache", "hits");
  ASSERT_GE(hits0, 0);
  for (int i = 0; i < 3; ++i) Get("/v1/query?q=*+%7C+stats+count()+by+(uid)&limit=10");
  const std::string after = Get("/v1/stats");
  EXPECT_GT(NumberIn(after, "query_cache", "bytes"), 0) << after;
  EXPECT_GT(NumberIn(after, "query_cache", "entries"), 0);
  EXPECT_GT(NumberIn(after, "query_cache", "misses"), 0);  // every chunk's first read
  EXPECT_GT(NumberIn(after, "query_cache", "hits"), hits0);
  const std::string metrics = Get("/metrics");
  EXPECT_NE(metrics.find("\nvigia_query_chunk_cache_bytes "), std::string::npos);
  EXPECT_EQ(metrics.find("\nvigia_query_chunk_cache_bytes 0\n"), std::string::npos);
  EXPECT_NE(metrics.find("\nvigia_query_chunk_cache_hits_total "), std::string::npos);
}

TEST_F(QueryStreamIt, ClientGoneStopsTheQuery) {
  {
    StreamClient s(server_->port());
    ASSERT_TRUE(s.Open("/v1/query?q=*&format=ndjson&limit=1000000").ok());
    ASSERT_EQ(s.Header("x-vigia-streamed"), "true");
    ASSERT_TRUE(s.ReadLine(30000).ok());
  }  // closed after the first row
  // The transport notices, the query stops and frees its slot: the server answers the next
  // queries (more than the concurrent-query limit, one after the other) normally.
  for (int i = 0; i < 20; ++i) {
    EXPECT_NE(Get("/v1/query?q=uid%3Au5&format=ndjson").find("\"u5\""), std::string::npos);
  }
  std::string log;
  for (int i = 0; i < 100 && log.find("client_gone") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log = server_->Log();
  }
  EXPECT_NE(log.find("\"stream_end\":\"client_gone\""), std::string::npos) << log.substr(0, 2000);
}

}  // namespace
}  // namespace vigia::testing

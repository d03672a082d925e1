// Integration: accepted means kept, on the server's defaults (retention 30 days,
// ingest.max_future_sec one day). Events retention would drop, or dated too far ahead, are
// refused line by line with the reason; everything acknowledged survives a clean restart and
// a kill -9 followed by WAL replay.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>

#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

const Headers kNdjson = {{"Content-Type", "application/x-ndjson"}};
constexpr int64_t kDayMs = 86'400'000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Line(int64_t ts_ms, const std::string& uid) {
  return R"({"ts":)" + std::to_string(ts_ms) + R"(,"service":"import","msg":"m","uid":")" + uid +
         "\"}\n";
}

size_t CountStored(ServerProcess& server, const std::string& prefix) {
  HttpClient c(server.port(), 60000);
  Result<HttpResult> r = c.Request("GET", "/v1/query?q=*&format=ndjson&limit=1000000");
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return 0;
  EXPECT_EQ(r->status, 200) << r->body;
  size_t n = 0;
  for (const auto& [uid, count] : CountUids(r->body)) {
    if (uid.rfind(prefix, 0) == 0) n += static_cast<size_t>(count);
  }
  return n;
}

TEST(RetentionIt, AcceptedMeansKeptOnTheDefaults) {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.default_retention = true;
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  HttpClient c(server.port(), 30000);
  const int64_t now = NowMs();

  // Last quarter's logs: refused, each line with its reason, none acknowledged.
  std::string old;
  for (int i = 0; i < 50; ++i) old += Line(now - 60 * kDayMs + i, "old-" + std::to_string(i));
  Result<HttpResult> r = c.Request("POST", "/v1/events", old, kNdjson);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find(R"("accepted":0,"rejected":50)"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"j({"line":1,"error":"older than retention (30d)"})j"), std::string::npos)
      << r->body;

  // Recent events are accepted; ones dated two days ahead are refused.
  std::string mixed;
  for (int i = 0; i < 10; ++i) mixed += Line(now - 3'600'000 + i, "new-" + std::to_string(i));
  for (int i = 0; i < 3; ++i) mixed += Line(now + 2 * kDayMs, "future-" + std::to_string(i));
  r = c.Request("POST", "/v1/events", mixed, kNdjson);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find(R"("accepted":10,"rejected":3)"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"({"line":11,"error":"more than 1d in the future"})"), std::string::npos)
      << r->body;
  EXPECT_EQ(CountStored(server, "new-"), 10u);
  EXPECT_EQ(CountStored(server, "old-") + CountStored(server, "future-"), 0u);
  Result<HttpResult> stats = c.Request("GET", "/v1/stats");
  ASSERT_TRUE(stats.ok());
  EXPECT_NE(stats->body.find(R"("ingest":{"accepted":10,"rejected":53,)"), std::string::npos)
      << stats->body;

  // A clean restart (the memtable is flushed to parts): still all there.
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  EXPECT_EQ(CountStored(server, "new-"), 10u);

  // kill -9 with events only in the WAL: the replay keeps them.
  std::string more;
  for (int i = 0; i < 5; ++i) more += Line(now - kDayMs + i, "wal-" + std::to_string(i));
  HttpClient c2(server.port(), 30000);
  r = c2.Request("POST", "/v1/events", more, kNdjson);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find(R"("accepted":5,"rejected":0)"), std::string::npos) << r->body;
  EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  EXPECT_EQ(CountStored(server, "new-"), 10u);
  EXPECT_EQ(CountStored(server, "wal-"), 5u);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

}  // namespace
}  // namespace vigia::testing

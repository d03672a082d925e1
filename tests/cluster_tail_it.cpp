// The live tail in a cluster (issue 19; server/cluster_tail.h, docs/scale-out.md "The live
// tail in a cluster") on a real 2-shard ClickHouse cluster (two clickhouse-server processes,
// the schema of `vigia clickhouse init --cluster`) and two vigia nodes, node-a through shard 1
// and node-b through shard 2:
//   - a tail opened on node-a with a filter shows the matching events ingested through node-b
//     and through node-a, each exactly once, in the order they were sent (rounds; within one
//     round, a shard's rows may come a poll before the other's), none that does not match — also
//     after several polls re-read the lag window; an event that reaches ClickHouse within the
//     lag window after its ts is shown once, one later than the window is not;
//   - a `since` tail on node-b: the backfill and the polled events meet without a duplicate;
//   - a filter that cannot be compiled is a 400 naming the cluster's tail;
//   - a shard down: the tail says {"cluster":{"state":"unavailable",...}}, then "ok" when it is
//     back, and the events stored meanwhile are shown, once.
// CLUSTER_TAIL_IT_BENCH=1 runs the measurement of docs/scale-out.md instead (ingest on
// node-b at a modest rate, seen on node-a's tail: delay median/p99; the cost of one poll).
// Labels peers;cluster;no_sanitizer.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_tail_reader.h"
#include "common/time_format.h"
#include "support/clickhouse_process.h"
#include "support/cluster_ingest.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/stream_client.h"
#include "vql/vql_parser.h"

namespace vigia::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kCluster = "vigia_tail";
constexpr int kPollMs = 300;
constexpr int kLagMs = 4000;

int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ServerOptions TailNode(const TempDir& dir, const std::string& name, const std::string& ch_url,
                       int poll_ms, int lag_ms) {
  ServerOptions o = NodeOptions(dir, name, ch_url, kCluster);
  o.env.push_back({"VIGIA_CLUSTER_NODE_ID", "node-" + name});
  o.env.push_back({"VIGIA_TAIL_CLUSTER_POLL_MS", std::to_string(poll_ms)});
  o.env.push_back({"VIGIA_TAIL_CLUSTER_LAG_MS", std::to_string(lag_ms)});
  return o;
}

// One event: service checkout (matching the tails' filter when `match`) or billing, a uid and
// its place `n`; ts = `ts_ns` when given, else the node's receive time.
std::string Line(const std::string& uid, bool match, int n, int64_t ts_ns = 0) {
  std::string s = "{";
  if (ts_ns != 0) s += "\"ts\":\"" + FormatRfc3339(ts_ns, 9) + "\",";
  s += std::string("\"service\":\"") + (match ? "checkout" : "billing") +
       "\",\"level\":\"error\",\"msg\":\"payment failed\",\"uid\":\"" + uid +
       "\",\"n\":" + std::to_string(n) + ",\"sent_ns\":" + std::to_string(WallNs()) + "}\n";
  return s;
}

void Post(uint16_t port, const std::string& body) {
  HttpClient c(port);
  auto r = c.Request("POST", "/v1/events", body, {{"Content-Type", "application/x-ndjson"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, 200) << r->body;
}

// A batch of `count` events with uids <tag>-<i>, every other one matching; returns the
// matching uids in order.
std::vector<std::string> PostBatch(uint16_t port, const std::string& tag, int count) {
  std::string body;
  std::vector<std::string> matching;
  for (int i = 0; i < count; ++i) {
    const std::string uid = tag + "-" + std::to_string(i);
    body += Line(uid, i % 2 == 0, i);
    if (i % 2 == 0) matching.push_back(uid);
  }
  Post(port, body);
  return matching;
}

std::string FieldOf(const std::string& line, const std::string& key) {
  const std::string k = "\"" + key + "\":";
  size_t at = line.find(k);
  if (at == std::string::npos) return "";
  at += k.size();
  if (line[at] == '"') {
    size_t end = line.find('"', at + 1);
    return line.substr(at + 1, end - at - 1);
  }
  size_t end = line.find_first_of(",}", at);
  return line.substr(at, end - at);
}

// Reads a tail's lines: events (their uids, in order) and notices.
struct TailReader {
  explicit TailReader(uint16_t port) : client(port) {}
  StreamClient client;
  std::vector<std::string> uids;
  std::vector<std::string> notices;
  std::vector<std::string> services;

  // Reads for up to `ms` or until `until()` holds.
  template <typename Pred>
  bool ReadUntil(Pred until, int ms) {
    const auto end = Clock::now() + std::chrono::milliseconds(ms);
    while (!until()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
      if (left <= 0) return false;
      auto line = client.ReadLine(static_cast<int>(std::min<int64_t>(left, 500)));
      if (!line.ok()) {
        if (line.status().code() == StatusCode::kNotFound) return until();
        continue;
      }
      std::string l = *line;
      if (l.rfind("data: ", 0) == 0) l = l.substr(6);
      if (l.empty() || l[0] == ':' || l.rfind("event:", 0) == 0) continue;
      if (l.find("\"cluster\":{") != std::string::npos) {
        notices.push_back(l);
        continue;
      }
      uids.push_back(FieldOf(l, "uid"));
      services.push_back(FieldOf(l, "service"));
    }
    return true;
  }
  size_t Count(const std::string& uid) const { return std::count(uids.begin(), uids.end(), uid); }
};

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class ClusterTailIt : public ::testing::Test {
 protected:
  void StartNodes(int poll_ms, int lag_ms) {
    s1_ = std::make_unique<ClickHouseProcess>("tail_shard1");
    s2_ = std::make_unique<ClickHouseProcess>("tail_shard2");
    ASSERT_NO_FATAL_FAILURE(StartShardedCluster(s1_.get(), s2_.get(), kCluster));
    a_ = std::make_unique<ServerProcess>(TailNode(dir_, "a", s1_->url(), poll_ms, lag_ms));
    b_ = std::make_unique<ServerProcess>(TailNode(dir_, "b", s2_->url(), poll_ms, lag_ms));
    ASSERT_TRUE(a_->Start().ok()) << a_->Log();
    ASSERT_TRUE(b_->Start().ok()) << b_->Log();
  }

  TempDir dir_;
  std::unique_ptr<ClickHouseProcess> s1_, s2_;
  std::unique_ptr<ServerProcess> a_, b_;
};

const char* kFilterQuery = "/v1/tail?q=service%3Acheckout%20level%3Aerror";

TEST_F(ClusterTailIt, ATailOnOneNodeShowsEveryNodesEventsOnceInOrderFiltered) {
  if (std::getenv("CLUSTER_TAIL_IT_BENCH") != nullptr) GTEST_SKIP() << "bench run";
  ASSERT_NO_FATAL_FAILURE(StartNodes(kPollMs, kLagMs));
  ServerProcess &a = *a_, &b = *b_;
  const auto opened = Clock::now();
  TailReader tail(a.port());
  ASSERT_TRUE(tail.client.Open(kFilterQuery).ok());
  ASSERT_EQ(tail.client.status(), 200);

  // Three rounds, each seen before the next is sent: through b, a, b. A round's rows become
  // visible shard by shard (a Distributed INSERT writes each shard's part in turn), so a
  // poll can see one shard's half of a round before the other's: within a round the order
  // is (ts, seq) per shard, across rounds it is the order they were sent.
  std::vector<std::string> want;
  for (auto [port, tag] : {std::pair{b.port(), "b1"}, {a.port(), "a1"}, {b.port(), "b2"}}) {
    std::vector<std::string> m;
    ASSERT_NO_FATAL_FAILURE(m = PostBatch(port, tag, 20));
    const size_t before = want.size();
    want.insert(want.end(), m.begin(), m.end());
    ASSERT_TRUE(tail.ReadUntil([&] { return tail.uids.size() >= want.size(); }, 10000))
        << tag << ": " << tail.uids.size() << " of " << want.size() << "\n"
        << a.Log();
    ASSERT_EQ(tail.uids.size(), want.size());
    std::vector<std::string> got(tail.uids.begin() + before, tail.uids.end());
    std::sort(got.begin(), got.end());
    std::sort(m.begin(), m.end());
    EXPECT_EQ(got, m) << tag << ": not each of the round once, after the rounds before it";
  }
  for (const std::string& s : tail.services) EXPECT_EQ(s, "checkout");

  // Late arrivals: ts 2 s before now is inside the 4 s lag window (shown once), 7 s before is
  // not (not shown); both after the tail opened.
  std::this_thread::sleep_until(opened + 8s);
  const int64_t now = WallNs();
  ASSERT_NO_FATAL_FAILURE(Post(b.port(), Line("late-in", true, 0, now - 2'000'000'000) +
                                             Line("late-out", true, 0, now - 7'000'000'000)));
  ASSERT_TRUE(tail.ReadUntil([&] { return Contains(tail.uids, "late-in"); }, 10000));
  // Several polls re-read the window: nothing shown twice, the late one never.
  tail.ReadUntil([] { return false; }, kLagMs + 4 * kPollMs);
  EXPECT_EQ(tail.Count("late-in"), 1u);
  EXPECT_EQ(tail.Count("late-out"), 0u) << "an event later than the lag window was shown";
  for (const std::string& u : want) EXPECT_EQ(tail.Count(u), 1u) << u;
  EXPECT_EQ(tail.uids.size(), want.size() + 1);
  // It is stored all the same.
  EXPECT_NE(GetBody(a.port(), "/v1/query?q=uid%3Alate-out").find("late-out"), std::string::npos);

  // A `since` tail on node-b: what is stored (backfill) and what comes next (polls), once.
  TailReader since(b.port());
  ASSERT_TRUE(since.client.Open(std::string(kFilterQuery) + "&since=5m").ok());
  ASSERT_EQ(since.client.status(), 200);
  ASSERT_TRUE(since.ReadUntil([&] { return since.uids.size() >= want.size() + 2; }, 10000));
  std::vector<std::string> more;
  ASSERT_NO_FATAL_FAILURE(more = PostBatch(a.port(), "a2", 10));
  ASSERT_TRUE(since.ReadUntil([&] { return Contains(since.uids, more.back()); }, 10000));
  since.ReadUntil([] { return false; }, 3 * kPollMs);
  for (const std::string& u : want) EXPECT_EQ(since.Count(u), 1u) << u;
  for (const std::string& u : more) EXPECT_EQ(since.Count(u), 1u) << u;
  // The backfill reads what is stored: the event later than the lag window too.
  EXPECT_EQ(since.Count("late-in"), 1u);
  EXPECT_EQ(since.Count("late-out"), 1u);
  EXPECT_EQ(since.uids.size(), want.size() + 2 + more.size());

  // A filter that cannot be compiled (a bad regular expression): 400, before any stream.
  HttpClient c(a.port());
  auto bad = c.Request("GET", "/v1/tail?q=msg%3A~%22(%22");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_NE(bad->body.find("cluster's tail"), std::string::npos) << bad->body;
}

TEST_F(ClusterTailIt, AShardDownIsNamedOnTheTailAndItsEventsFollowWhenItIsBack) {
  if (std::getenv("CLUSTER_TAIL_IT_BENCH") != nullptr) GTEST_SKIP() << "bench run";
  ASSERT_NO_FATAL_FAILURE(StartNodes(kPollMs, kLagMs));
  ServerProcess& a = *a_;
  TailReader tail(a.port());
  ASSERT_TRUE(tail.client.Open(std::string(kFilterQuery) + "&format=sse").ok());
  std::vector<std::string> want;
  ASSERT_NO_FATAL_FAILURE(want = PostBatch(a.port(), "up", 10));
  ASSERT_TRUE(tail.ReadUntil([&] { return tail.uids.size() >= want.size(); }, 10000));

  s2_->Stop();
  ASSERT_TRUE(tail.ReadUntil([&] { return !tail.notices.empty(); }, 10000)) << a.Log();
  EXPECT_NE(tail.notices[0].find("\"state\":\"unavailable\""), std::string::npos)
      << tail.notices[0];
  // Ingest goes on into node-a's outbox meanwhile.
  std::vector<std::string> during;
  ASSERT_NO_FATAL_FAILURE(during = PostBatch(a.port(), "down", 10));
  ASSERT_TRUE(s2_->Restart());
  ASSERT_TRUE(tail.ReadUntil(
      [&] { return tail.notices.size() >= 2 && Contains(tail.uids, during.back()); }, 20000))
      << a.Log();
  EXPECT_NE(tail.notices[1].find("\"state\":\"ok\""), std::string::npos) << tail.notices[1];
  tail.ReadUntil([] { return false; }, 3 * kPollMs);
  // Each once, the rounds in order (within a round a shard's rows may come first).
  ASSERT_EQ(tail.uids.size(), want.size() + during.size());
  std::vector<std::string> first(tail.uids.begin(), tail.uids.begin() + want.size()),
      second(tail.uids.begin() + want.size(), tail.uids.end());
  for (auto* v : {&first, &second, &want, &during}) std::sort(v->begin(), v->end());
  EXPECT_EQ(first, want);
  EXPECT_EQ(second, during);
}

// The measurement of docs/scale-out.md: node-a's tail at the default poll interval and lag,
// events ingested through node-b at ~200 events/s for 20 s (20 every 100 ms), each carrying the
// wall time it was sent; the delay is the time it was read on the tail minus that.
TEST_F(ClusterTailIt, Bench) {
  if (std::getenv("CLUSTER_TAIL_IT_BENCH") == nullptr) GTEST_SKIP() << "CLUSTER_TAIL_IT_BENCH";
  ASSERT_NO_FATAL_FAILURE(StartNodes(1000, 10000));
  ServerProcess &a = *a_, &b = *b_;
  StreamClient tail(a.port());
  ASSERT_TRUE(tail.Open(kFilterQuery).ok());
  std::atomic<bool> stop{false};
  int sent_matching = 0;
  std::thread sender([&] {
    int n = 0;
    while (!stop) {
      std::string body;
      for (int i = 0; i < 20; ++i, ++n) body += Line("e" + std::to_string(n), i % 2 == 0, n);
      sent_matching += 10;
      Post(b.port(), body);
      std::this_thread::sleep_for(100ms);
    }
  });
  std::vector<double> delays_ms;
  const auto end = Clock::now() + 20s;
  while (Clock::now() < end + 3s) {
    auto line = tail.ReadLine(500);
    if (!line.ok() || line->empty()) continue;
    if (Clock::now() >= end) stop = true;
    const std::string sent = FieldOf(*line, "sent_ns");
    if (sent.empty()) continue;
    delays_ms.push_back(static_cast<double>(WallNs() - std::stoll(sent)) / 1e6);
  }
  stop = true;
  sender.join();
  ASSERT_FALSE(delays_ms.empty());
  std::sort(delays_ms.begin(), delays_ms.end());
  auto pct = [&](double p) { return delays_ms[static_cast<size_t>(p * (delays_ms.size() - 1))]; };
  std::printf(
      "tail delay (ingest on node-b -> read on node-a's tail), %zu of %d events: "
      "median %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms\n",
      delays_ms.size(), sent_matching, pct(0.5), pct(0.9), pct(0.99), delays_ms.back());
  std::printf("node-a metrics:\n%s\n",
              [&] {
                std::string m = GetBody(a.port(), "/metrics"), out;
                size_t pos = 0;
                while ((pos = m.find("\nvigia_tail_cluster_", pos)) != std::string::npos) {
                  size_t e = m.find('\n', pos + 1);
                  out += m.substr(pos + 1, e - pos - 1) + "\n";
                  pos = e;
                }
                return out;
              }()
                  .c_str());

  // One poll as the node sends it (the filter's condition, the 10 s window of events at
  // ~200/s), timed from here: its wall time, rows and bytes, 10 rounds.
  clickhouse::ClickHouseBackendOptions o;
  o.url = s1_->url();
  o.schema.cluster = kCluster;
  clickhouse::ClickHouseTailReader reader(o);
  auto q = ParseVql("service:checkout level:error");
  ASSERT_TRUE(q.ok());
  auto cond = clickhouse::ClickHouseTailReader::Condition(*q->filter, WallNs());
  ASSERT_TRUE(cond.ok());
  std::vector<double> ms;
  clickhouse::TailReadResult last;
  for (int i = 0; i < 10; ++i) {
    const auto t0 = Clock::now();
    auto r = reader.Read(
        {*cond}, WallNs() - 10'000'000'000, [](int64_t, uint64_t) { return false; },
        [](std::shared_ptr<EventBatch>) { return Status::Ok(); }, Clock::now() + 10s, nullptr);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    last = *r;
  }
  std::sort(ms.begin(), ms.end());
  std::printf(
      "one poll over the last 10 s: %llu rows, %llu bytes; wall median %.1f ms (min %.1f, "
      "max %.1f)\n",
      static_cast<unsigned long long>(last.rows_read),
      static_cast<unsigned long long>(last.bytes_read), ms[ms.size() / 2], ms.front(), ms.back());
}

}  // namespace
}  // namespace vigia::testing

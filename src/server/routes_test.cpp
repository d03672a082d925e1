// Every route as `vigia serve` wires it: a real Server (its module list, the store on a temp
// dir, an ephemeral port), called through its router without sockets. Covers what each
// endpoint answers, /health/ready combining the modules' health, the store-failure path
// (503, hard to provoke over HTTP: a FaultEnv makes the disk read-only) and retention run by
// the server's scheduler on a fake clock.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/fake_clock_env.h"
#include "common/fault_env.h"
#include "common/time_format.h"
#include "server/ingest_routes.h"
#include "server/response_stream_testing.h"
#include "server/server.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kDay = 86400 * kSec;

class RoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_routes_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    config_.store.store.data_dir = (dir_ / "data").string();
    config_.http.port = 0;  // any free port
    config_.http.threads = 1;
    config_.ingest.ua_regexes = "off";  // ready at once
  }
  void TearDown() override {
    if (server_) {
      EXPECT_TRUE(server_->Stop().ok());
    }
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start(Env* env = nullptr) {
    Result<std::unique_ptr<Server>> s = Server::Start(config_, env);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  HttpResponse Call(std::string_view method, std::string_view target, std::string body = "",
                    std::vector<std::pair<std::string_view, std::string_view>> headers = {}) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string_view::npos) req.query = target.substr(q + 1);
    req.headers = std::move(headers);
    req.body = std::move(body);
    req.receive_ts_ns = receive_ts_ns_;
    HttpResponse resp;
    server_->router().Dispatch(req, &resp);
    testing::DrainStream(&resp);
    return resp;
  }

  std::filesystem::path dir_;
  ServerConfig config_;
  std::unique_ptr<testing::FakeClockEnv> clock_;  // outlives server_
  std::unique_ptr<Server> server_;
  int64_t receive_ts_ns_ = 1'700'000'000'000'000'000;
};

TEST_F(RoutesTest, IngestThenQuery) {
  config_.store.store.retention.days = 0;  // the events are from 2023
  Start();
  HttpResponse r = Call("POST", "/v1/events",
                        "{\"msg\":\"one\",\"service\":\"a\"}\nnot json\n{\"msg\":\"two\"}\n",
                        {{"Content-Type", "application/x-ndjson"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("{\"accepted\":2,\"rejected\":1,\"errors\":[{\"line\":2,"), 0u) << r.body;

  HttpResponse q = Call("GET", "/v1/query?q=*&format=ndjson");
  EXPECT_EQ(q.status, 200) << q.body;
  EXPECT_NE(q.body.find("\"msg\":\"one\""), std::string::npos) << q.body;
  EXPECT_EQ(std::count(q.body.begin(), q.body.end(), '\n'), 2) << q.body;
  HttpResponse stats = Call("GET", "/v1/stats");
  EXPECT_EQ(stats.status, 200);
  EXPECT_EQ(stats.body.find("{\"events\":2,"), 0u) << stats.body;
  // The per-protocol counters (server/ingest_metrics.h).
  HttpResponse m = Call("GET", "/metrics");
  EXPECT_NE(m.body.find("vigia_ingest_records_total{protocol=\"ndjson\",result=\"accepted\"} 2\n"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("vigia_ingest_records_total{protocol=\"ndjson\",result=\"rejected\"} 1\n"),
            std::string::npos);
  EXPECT_NE(m.body.find("vigia_ingest_requests_total{protocol=\"ndjson\",outcome=\"partial\"} 1\n"),
            std::string::npos);
  EXPECT_NE(m.body.find("vigia_ingest_bytes_total{protocol=\"ndjson\"} 51\n"), std::string::npos);
  EXPECT_NE(
      m.body.find("vigia_ingest_rejections_total{protocol=\"ndjson\",reason=\"invalid\"} 1\n"),
      std::string::npos)
      << m.body;
  // The same counters per protocol in /v1/stats, every protocol listed.
  EXPECT_NE(stats.body.find("\"protocols\":{\"ndjson\":{\"accepted\":2,\"rejected\":1,\"bytes\":51,"
                            "\"rejected_by\":{\"invalid\":1,\"too_large\":0,\"too_old\":0,"
                            "\"too_new\":0,\"unsupported\":0},\"requests\":{\"ok\":0,"
                            "\"partial\":1,\"invalid\":0,\"unavailable\":0}}"),
            std::string::npos)
      << stats.body;
  for (const char* p : {"otlp", "loki", "elasticsearch", "syslog"}) {
    EXPECT_NE(stats.body.find(std::string("\"") + p + "\":{\"accepted\":0,"), std::string::npos)
        << p;
  }
  // The dump endpoint is gone: the query API covers it.
  EXPECT_EQ(Call("GET", "/v1/events/dump").status, 404);
}

TEST_F(RoutesTest, EveryModuleRegistersItsRoutes) {
  Start();
  EXPECT_EQ(Call("GET", "/health/live").status, 200);
  EXPECT_EQ(Call("GET", "/health/ready").status, 200);
  EXPECT_EQ(Call("GET", "/v1/stats").status, 200);
  EXPECT_EQ(Call("GET", "/v1/query?q=*").status, 200);
  EXPECT_EQ(Call("GET", "/v1/trace/nope").status, 404);
  EXPECT_EQ(Call("GET", "/v1/tail?q=*+%7C+stats+count()").status, 400);  // pipes: refused
  EXPECT_EQ(Call("GET", "/v1/events").status, 405);                      // POST only
  EXPECT_EQ(Call("GET", "/no/such/path").status, 404);
}

TEST_F(RoutesTest, MetricsExposition) {
  Start();
  HttpResponse m = Call("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.find("text/plain; version=0.0.4"), 0u);
  EXPECT_NE(m.body.find("# TYPE process_resident_memory_bytes gauge\n"), std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("vigia_build_info{version=\""), std::string::npos) << m.body;
  // The process has open files (the store's WAL at least) and has used some memory.
  const size_t fds = m.body.find("\nprocess_open_fds ");
  ASSERT_NE(fds, std::string::npos) << m.body;
  EXPECT_GT(std::stod(m.body.substr(fds + 18)), 0) << m.body;
}

TEST_F(RoutesTest, MediaTypes) {
  EXPECT_TRUE(IsIngestMediaType(""));
  EXPECT_TRUE(IsIngestMediaType("application/x-ndjson"));
  EXPECT_TRUE(IsIngestMediaType("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(IsIngestMediaType("text/plain;charset=UTF-8"));
  EXPECT_FALSE(IsIngestMediaType("application/xml"));
  EXPECT_FALSE(IsIngestMediaType("multipart/form-data; boundary=x"));
  Start();
  HttpResponse r = Call("POST", "/v1/events", "{}", {{"Content-Type", "image/png"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unsupported_media_type"), std::string::npos);
  EXPECT_EQ(Call("GET", "/v1/stats").body.find("{\"events\":0,"), 0u);
}

TEST_F(RoutesTest, StoreFailureIs503AndNothingIsAcknowledged) {
  FaultEnv env(Env::Default());
  Start(&env);
  ASSERT_EQ(Call("GET", "/health/ready").status, 200);
  env.SetReadOnly(true);  // a full or read-only disk: the WAL append fails
  // An event without ts is dated when it arrives: now, inside the retention window.
  receive_ts_ns_ = env.NowNanos();
  HttpResponse r = Call("POST", "/v1/events", "{\"msg\":\"x\"}\n");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"code\":\"store_unavailable\""), std::string::npos) << r.body;
  EXPECT_EQ(r.Header("Retry-After"), "1");
  EXPECT_EQ(Call("GET", "/v1/stats").body.find("{\"events\":0,"), 0u);
  HttpResponse ready = Call("GET", "/health/ready");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_EQ(ready.body.find("{\"status\":\"unavailable\",\"store\":\""), 0u) << ready.body;
  env.SetReadOnly(false);
  EXPECT_TRUE(server_->Stop().ok());
  server_.reset();
}

// A full disk: ingest is refused with the reason (503 + Retry-After, nothing acknowledged),
// queries keep answering, /health/ready says why; when space returns, ingest resumes by
// itself (the next write succeeds and clears the WAL's error) and readiness comes back.
TEST_F(RoutesTest, DiskFullRefusesIngestKeepsQueriesAndResumesByItself) {
  FaultEnv faults(Env::Default());
  clock_ = std::make_unique<testing::FakeClockEnv>(&faults, 1'800'000'000 * kSec, 5 * kSec);
  Start(clock_.get());
  receive_ts_ns_ = clock_->NowNanos();
  const std::vector<std::pair<std::string_view, std::string_view>> nd = {
      {"Content-Type", "application/x-ndjson"}};
  ASSERT_EQ(Call("POST", "/v1/events", "{\"msg\":\"a\"}\n{\"msg\":\"b\"}\n", nd).status, 200);
  faults.SetReadOnly(true);
  HttpResponse refused = Call("POST", "/v1/events", "{\"msg\":\"c\"}\n", nd);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.Header("Retry-After"), "1");
  // The write of this batch fails, or a WAL sync running in the background since the first
  // batch failed first and the WAL reports that: the same full disk either way.
  EXPECT_TRUE(refused.body.find("events not stored: IOError: injected write failure") !=
                  std::string::npos ||
              refused.body.find("events not stored: IOError: injected sync failure") !=
                  std::string::npos)
      << refused.body;
  HttpResponse q = Call("GET", "/v1/query?q=*&format=ndjson");
  EXPECT_EQ(q.status, 200);
  EXPECT_EQ(std::count(q.body.begin(), q.body.end(), '\n'), 2) << q.body;
  HttpResponse ready = Call("GET", "/health/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("WAL failing"), std::string::npos) << ready.body;

  faults.SetReadOnly(false);
  clock_->Advance(2 * kSec);  // past the cached write probe
  EXPECT_EQ(Call("POST", "/v1/events", "{\"msg\":\"c\"}\n", nd).status, 200);
  // A background fdatasync that ran while the disk refused writes left its error; the WAL
  // clears it with its next good sync (every wal.sync_interval_ms of real time, 20 ms), so
  // readiness comes back by itself shortly after the write — not necessarily at once.
  for (int i = 0; i < 500; ++i) {
    ready = Call("GET", "/health/ready");
    if (ready.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(ready.status, 200) << ready.body;
  q = Call("GET", "/v1/query?q=*&format=ndjson");
  EXPECT_EQ(std::count(q.body.begin(), q.body.end(), '\n'), 3) << q.body;
  EXPECT_TRUE(server_->Stop().ok());
  server_.reset();
}

TEST_F(RoutesTest, EmptyBodyAcceptsNothing) {
  Start();
  HttpResponse r = Call("POST", "/v1/events", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"accepted\":0,\"rejected\":0,\"errors\":[]}");
}

TEST_F(RoutesTest, HealthCombinesTheModules) {
  clock_ = std::make_unique<testing::FakeClockEnv>(Env::Default(), 1'800'000'000 * kSec, 5 * kSec);
  testing::FakeClockEnv& clock = *clock_;
  Start(&clock);
  HttpResponse live = Call("GET", "/health/live");
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.body.find("{\"status\":\"ok\",\"uptime_sec\":0,\"version\":\""), 0u) << live.body;
  EXPECT_NE(live.body.find("\"commit\":\""), std::string::npos) << live.body;
  HttpResponse ready = Call("GET", "/health/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "{\"status\":\"ok\",\"store\":\"ok\",\"uptime_sec\":0}");
  clock.Advance(42 * kSec);
  EXPECT_EQ(Call("GET", "/health/live").body.find("{\"status\":\"ok\",\"uptime_sec\":42,"), 0u);
  // A data directory gone (an unmounted volume): the store module is unavailable.
  const std::string data = config_.store.store.data_dir;
  std::filesystem::rename(data, data + ".away");
  HttpResponse down = Call("GET", "/health/ready");
  std::filesystem::rename(data + ".away", data);
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.body.find("{\"status\":\"unavailable\",\"store\":\""), 0u) << down.body;
  EXPECT_NE(down.body.find("not writable"), std::string::npos) << down.body;
}

TEST_F(RoutesTest, ApiKeysGuardEveryV1Route) {
  std::string keys = (dir_ / "keys").string();
  std::filesystem::create_directories(dir_);
  std::ofstream(keys) << "secret\n";
  config_.api_keys_file = keys;
  Start();
  EXPECT_EQ(Call("POST", "/v1/events", "{}").status, 401);
  EXPECT_EQ(Call("GET", "/v1/query?q=*").status, 401);
  EXPECT_EQ(Call("GET", "/v1/stats").status, 401);
  EXPECT_EQ(Call("GET", "/metrics").status, 401);
  EXPECT_EQ(Call("GET", "/metrics", "", {{"Authorization", "Bearer secret"}}).status, 200);
  EXPECT_EQ(Call("POST", "/v1/events", "{}", {{"Authorization", "Bearer secret"}}).status, 200);
  EXPECT_EQ(Call("GET", "/health/live").status, 200);
  EXPECT_EQ(Call("GET", "/health/ready").status, 200);
}

// Retention is a task on the server's scheduler: when the fake clock passes a day boundary
// and the retention interval, Settle() runs it and the expired day's partition goes.
TEST_F(RoutesTest, RetentionRunsOnTheScheduler) {
  const int64_t day0 = *ParseRfc3339("2026-11-20T12:00:00Z");
  config_.store.store.retention.days = 2;  // today and yesterday
  config_.store.retention_interval_sec = 60;
  {
    testing::FakeClockEnv clock(Env::Default(), day0, 1000 * kSec);
    Start(&clock);
    receive_ts_ns_ = day0;
    HttpResponse r =
        Call("POST", "/v1/events", "{\"ts\":\"2026-11-20T11:00:00Z\",\"msg\":\"old\"}\n");
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(server_->Stop().ok());  // flushes the memtable into a part of 2026-11-20
    server_.reset();
  }
  // The next day.
  clock_ = std::make_unique<testing::FakeClockEnv>(Env::Default(), day0 + kDay, 1000 * kSec);
  testing::FakeClockEnv& clock = *clock_;
  Start(&clock);
  EXPECT_NE(Call("GET", "/v1/stats").body.find("\"partitions_dropped\":0"), std::string::npos);
  clock.Advance(kDay);  // 2026-11-22: the 20th is beyond two days
  server_->scheduler().Settle();
  HttpResponse stats = Call("GET", "/v1/stats");
  EXPECT_NE(stats.body.find("\"partitions_dropped\":1"), std::string::npos) << stats.body;
  EXPECT_NE(stats.body.find("{\"events\":0,"), std::string::npos) << stats.body;
  EXPECT_NE(stats.body.find("\"tasks\":[{\"name\":\"store.retention\",\"runs\":"),
            std::string::npos)
      << stats.body;
  std::vector<ScheduledTaskStats> tasks = server_->scheduler().Stats();
  auto retention = std::find_if(tasks.begin(), tasks.end(), [](const ScheduledTaskStats& t) {
    return t.name == "store.retention";
  });
  ASSERT_NE(retention, tasks.end());
  EXPECT_GE(retention->runs, 1u);  // not one per missed minute of the day
  EXPECT_EQ(retention->failures, 0u);
}

}  // namespace
}  // namespace vigia

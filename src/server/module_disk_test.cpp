// DiskModule through the real server: a FaultEnv reports the free space a filling disk
// would, a FakeClockEnv moves time for the gate's re-reads and the scheduler's watermark
// checks. The real full file system (tmpfs) is tests/disk_full_it.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "common/fake_clock_env.h"
#include "common/fault_env.h"
#include "server/response_stream_testing.h"
#include "server/server.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kDay = 86400 * kSec;
constexpr int64_t kNow = 1'800'000'000 * kSec;
constexpr uint64_t kMb = 1'000'000;

class DiskModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_disk_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    config_.store.store.data_dir = (dir_ / "data").string();
    config_.store.store.retention.days = 0;
    config_.http.port = 0;
    config_.http.threads = 1;
    config_.ingest.ua_regexes = "off";
    config_.disk.reserve_bytes = 100 * kMb;
    config_.disk.low_watermark_bytes = 200 * kMb;
    config_.disk.check_interval_sec = 10;
  }
  void TearDown() override {
    StopServer();
    std::filesystem::remove_all(dir_);
  }
  void Start() {
    Result<std::unique_ptr<Server>> s = Server::Start(config_, &clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  void StopServer() {
    if (server_) {
      EXPECT_TRUE(server_->Stop().ok());
    }
    server_.reset();
  }
  // Moves time past the gate's reading and the watermark check, and lets the check run.
  void Tick() {
    clock_.Advance(10 * kSec);
    server_->scheduler().Settle();
  }
  HttpResponse Call(std::string_view method, std::string_view target, std::string body = "") {
    HttpRequest req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string_view::npos) req.query = target.substr(q + 1);
    if (method == "POST") req.headers = {{"Content-Type", "application/x-ndjson"}};
    req.body = std::move(body);
    req.receive_ts_ns = clock_.NowNanos();
    HttpResponse resp;
    server_->router().Dispatch(req, &resp);
    testing::DrainStream(&resp);
    return resp;
  }
  size_t Count(std::string_view q) {
    HttpResponse r = Call("GET", "/v1/query?format=ndjson&q=" + std::string(q));
    EXPECT_EQ(r.status, 200) << r.body;
    return static_cast<size_t>(std::count(r.body.begin(), r.body.end(), '\n'));
  }

  std::filesystem::path dir_;
  ServerConfig config_;
  FaultEnv faults_{Env::Default()};
  testing::FakeClockEnv clock_{&faults_, kNow, 5 * kSec};
  std::unique_ptr<Server> server_;
};

TEST_F(DiskModuleTest, BelowTheReserveIngestIsRefusedQueriesGoOnAndItResumesByItself) {
  Start();
  ASSERT_EQ(Call("POST", "/v1/events", "{\"msg\":\"a\"}\n{\"msg\":\"b\"}\n").status, 200);

  faults_.SetFreeDiskBytes(50 * kMb);  // below the reserve: the WAL could still be written
  clock_.Advance(1 * kSec);            // past the gate's last reading
  HttpResponse refused = Call("POST", "/v1/events", "{\"msg\":\"c\"}\n");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.Header("Retry-After"), "1");
  EXPECT_NE(refused.body.find("disk almost full: 50.0 MB free"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("disk.reserve_bytes (100.0 MB)"), std::string::npos) << refused.body;
  EXPECT_EQ(Count("*"), 2u);
  HttpResponse ready = Call("GET", "/health/ready");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("\"disk\":\"full: 50.0 MB free"), std::string::npos) << ready.body;
  HttpResponse metrics = Call("GET", "/metrics");
  EXPECT_NE(metrics.body.find("vigia_disk_ingest_refused_total 1\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("vigia_disk_free_bytes 50000000\n"), std::string::npos);

  // Space returns (above the reserve, still below the watermark): ingest resumes, degraded.
  faults_.SetFreeDiskBytes(150 * kMb);
  clock_.Advance(1 * kSec);
  EXPECT_EQ(Call("POST", "/v1/events", "{\"msg\":\"c\"}\n").status, 200);
  ready = Call("GET", "/health/ready");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_NE(ready.body.find("\"status\":\"degraded\""), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("\"disk\":\"low: 150.0 MB free"), std::string::npos) << ready.body;
  // The watermark check alerts (a kind=alert event), drops nothing (nothing but today).
  Tick();
  EXPECT_EQ(Count("kind:alert%20alert:disk.low%20state:firing"), 1u);
  faults_.ClearFreeDiskBytes();  // the real disk: plenty
  Tick();
  EXPECT_EQ(Count("kind:alert%20alert:disk.low%20state:resolved"), 1u);
  EXPECT_EQ(Call("GET", "/health/ready").status, 200);
  EXPECT_EQ(Count("msg:*"), 5u);  // a, b, c and the two alert events; none twice
}

// The flush writes parts for the unflushed WAL before it deletes the WAL: with free space
// just above the reserve, that write would take the reserve (disk_full_it's flush hit
// ENOSPC under load). The gate counts the live WAL bytes as spent.
TEST_F(DiskModuleTest, TheReserveKeepsRoomForTheFlushOfTheUnflushedWal) {
  config_.disk.low_watermark_bytes = 0;
  Start();
  faults_.SetFreeDiskBytes(100 * kMb + 100'000);  // 100 kB above the reserve
  clock_.Advance(1 * kSec);
  std::string batch;
  for (int i = 0; i < 200; ++i) {
    batch += "{\"msg\":\"" + std::string(1000, 'x') + std::to_string(i) + "\"}\n";
  }
  ASSERT_EQ(Call("POST", "/v1/events", batch).status, 200);  // the WAL held < 100 kB
  clock_.Advance(1 * kSec);
  HttpResponse refused = Call("POST", "/v1/events", "{\"msg\":\"one more\"}\n");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("once the unflushed WAL"), std::string::npos) << refused.body;
  EXPECT_EQ(Call("GET", "/health/ready").status, 503);
  EXPECT_EQ(Count("*"), 200u);
  // More room: the same batch goes in.
  faults_.SetFreeDiskBytes(200 * kMb);
  clock_.Advance(1 * kSec);
  EXPECT_EQ(Call("POST", "/v1/events", "{\"msg\":\"one more\"}\n").status, 200);
}

TEST_F(DiskModuleTest, BelowTheWatermarkTheOldestPartitionsGoButNeverTheNewestDay) {
  config_.disk.reserve_bytes = 0;
  Start();
  std::string body;
  for (int day = 3; day >= 0; --day) {
    for (int i = 0; i < 20; ++i) {
      body += "{\"ts\":" + std::to_string((kNow - day * kDay) / kSec) + ",\"msg\":\"d" +
              std::to_string(day) + "\"}\n";
    }
  }
  HttpResponse posted = Call("POST", "/v1/events", body);
  ASSERT_EQ(posted.status, 200);
  ASSERT_NE(posted.body.find("\"accepted\":80"), std::string::npos) << posted.body;
  StopServer();  // the close flushes the memtable: four partitions of parts

  faults_.SetFreeDiskBytes(0);  // nothing the drop frees shows up: it drops what it may
  Start();                      // the first watermark check runs as the scheduler starts
  Tick();
  EXPECT_EQ(Count("msg:d3"), 0u);
  EXPECT_EQ(Count("msg:d2"), 0u);
  EXPECT_EQ(Count("msg:d1"), 0u);
  EXPECT_EQ(Count("msg:d0"), 20u);  // the newest day stays
  HttpResponse metrics = Call("GET", "/metrics");
  EXPECT_EQ(metrics.body.find("vigia_disk_low_dropped_bytes_total 0\n"), std::string::npos)
      << metrics.body;
  EXPECT_EQ(Count("kind:alert%20alert:disk.low%20msg:dropped"), 1u);
}

}  // namespace
}  // namespace vigia

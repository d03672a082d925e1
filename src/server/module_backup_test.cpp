// The backup module's schedule through the real server on a FakeClockEnv: daily at
// backup.at, a first backup at once, prune after each backup, weekly verification, a failed
// backup retried after limits::kBackupRetrySec, and a restart that neither repeats nor skips
// a backup (the state file). Real repository, real encryption, real store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "common/fake_clock_env.h"
#include "common/limits.h"
#include "common/time_format.h"
#include "server/response_stream_testing.h"
#include "server/server.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
// 2027-01-15T10:00:00Z
constexpr int64_t kStart = 1'800'000'000 * kSec + 2 * kHour;

size_t Occurrences(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

class BackupScheduleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_backup_sched_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "backup.key") << std::string(64, 'a') << "\n";
    config_.store.store.data_dir = (dir_ / "data").string();
    config_.store.store.retention.days = 0;
    config_.http.port = 0;
    config_.http.threads = 1;
    config_.ingest.ua_regexes = "off";
    config_.backup.target = (dir_ / "backups").string();
    config_.backup.key_file = (dir_ / "backup.key").string();
    config_.backup.at = "02:30";
    config_.backup.retention = BackupRetention{};
    config_.backup.retention.keep_daily = 3;
    config_.backup.verify = BackupVerifyPolicy::kWeekly;
    config_.backup.report_dir = (dir_ / "evidence").string();
  }
  void TearDown() override {
    StopServer();
    std::filesystem::remove_all(dir_);
  }
  void Start() {
    Result<std::unique_ptr<Server>> s = Server::Start(config_, &clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    server_->scheduler().Settle();
  }
  void StopServer() {
    if (server_) {
      EXPECT_TRUE(server_->Stop().ok());
    }
    server_.reset();
  }
  void Advance(int64_t ns) {
    clock_.Advance(ns);
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
  size_t Backups() {
    HttpResponse r = Call("GET", "/v1/admin/backups");
    EXPECT_EQ(r.status, 200) << r.body;
    return Occurrences(r.body, "\"id\":");
  }
  size_t Audit(const std::string& action) {
    HttpResponse r = Call("GET", "/v1/query?format=ndjson&q=kind:audit%20action:" + action);
    if (r.status != 200) ADD_FAILURE() << r.body;
    return Occurrences(r.body, "\"action\":\"" + action + "\"");
  }
  uint64_t Runs(const std::string& result) {
    const std::string m = Call("GET", "/metrics").body;
    const std::string key = "vigia_backup_runs_total{result=\"" + result + "\"} ";
    const size_t p = m.find(key);
    return p == std::string::npos ? 0 : std::stoull(m.substr(p + key.size()));
  }
  void Ingest(int n) {
    std::string body;
    for (int i = 0; i < n; ++i) body += "{\"msg\":\"event " + std::to_string(i) + "\"}\n";
    ASSERT_EQ(Call("POST", "/v1/events", body).status, 200);
  }

  std::filesystem::path dir_;
  ServerConfig config_;
  testing::FakeClockEnv clock_{Env::Default(), kStart, 5 * kSec};
  std::unique_ptr<Server> server_;
};

TEST_F(BackupScheduleTest, DailyAtItsTimePrunedVerifiedWeeklyAcrossRestartsAndFailures) {
  Start();
  // No backup yet: the first one right away, verified (none was).
  EXPECT_EQ(Backups(), 1u);
  EXPECT_EQ(Audit("backup.verified"), 1u);
  HttpResponse ready = Call("GET", "/health/ready");
  EXPECT_NE(ready.body.find("\"next_backup_at\":\"2027-01-16T02:30:00Z\""), std::string::npos)
      << ready.body;
  Ingest(50);
  Advance(10 * kHour);  // 20:00: not yet
  EXPECT_EQ(Backups(), 1u);
  Advance(6 * kHour + 31 * kMin);  // 02:31 the next day
  EXPECT_EQ(Backups(), 2u);

  // Six more days, one backup a day; keep_daily = 3 prunes to the newest of 3 days.
  for (int day = 0; day < 6; ++day) {
    Ingest(10);
    Advance(kDay);
  }
  EXPECT_EQ(Audit("backup.created"), 8u);
  EXPECT_EQ(Backups(), 3u);
  // Weekly: the first verification was on day 0 at 10:00, so day 7 at 02:31 is too early
  // and day 8's backup is verified.
  EXPECT_EQ(Audit("backup.verified"), 1u);
  Advance(kDay);
  EXPECT_EQ(Audit("backup.verified"), 2u);

  // A restart between two backups neither repeats nor skips one (counters restart at 0).
  StopServer();
  Start();
  EXPECT_EQ(Runs("ok"), 0u);
  // Queries right after the restart see every event (their answer may come as a stream), and
  // relative times are the server's clock, the fake one: the newest backup is 0 min old.
  EXPECT_EQ(Audit("backup.created"), 9u);
  HttpResponse recent =
      Call("GET", "/v1/query?format=ndjson&since=10m&q=kind:audit%20action:backup.created");
  EXPECT_EQ(Occurrences(recent.body, "\"action\":\"backup.created\""), 1u) << recent.body;
  ready = Call("GET", "/health/ready");
  EXPECT_NE(ready.body.find("\"last_verify\":\"passed\""), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("\"next_backup_at\":\"2027-01-24T02:30:00Z\""), std::string::npos)
      << ready.body;
  Advance(kDay);
  EXPECT_EQ(Runs("ok"), 1u);

  // The target goes away (an unmounted disk): the backup fails, is retried after
  // kBackupRetrySec, not every minute, and succeeds once the target is back.
  const auto target = dir_ / "backups";
  std::filesystem::rename(target, dir_ / "unmounted");
  Advance(kDay);
  EXPECT_EQ(Runs("failed"), 1u);
  ready = Call("GET", "/health/ready");
  EXPECT_NE(ready.body.find("no longer holds the repository"), std::string::npos) << ready.body;
  EXPECT_FALSE(std::filesystem::exists(target));  // not recreated empty
  Advance(limits::kBackupRetrySec * kSec - 2 * kMin);
  EXPECT_EQ(Runs("failed"), 1u);
  std::filesystem::rename(dir_ / "unmounted", target);
  Advance(3 * kMin);
  EXPECT_EQ(Runs("ok"), 2u);
  ready = Call("GET", "/health/ready");
  EXPECT_EQ(ready.body.find("\"last_error\""), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("\"next_backup_at\":\"2027-01-26T02:30:00Z\""), std::string::npos)
      << ready.body;
}

// A cron expression in a time zone: 02:30 Berlin time, which 2027-03-28 skips (the clock
// jumps 02:00 CET -> 03:00 CEST at 01:00Z): that day's backup runs at the jump, once.
TEST_F(BackupScheduleTest, CronScheduleInATimeZoneAcrossDaylightSavingTime) {
  config_.backup.at = "";
  config_.backup.schedule = "30 2 * * *";
  config_.backup.timezone = "Europe/Berlin";
  config_.backup.verify = BackupVerifyPolicy::kNever;
  clock_.SetNow(*ParseRfc3339("2027-03-26T12:00:00Z"));
  Start();
  EXPECT_EQ(Backups(), 1u);  // none yet: at once
  HttpResponse ready = Call("GET", "/health/ready");
  EXPECT_NE(ready.body.find("\"schedule\":\"30 2 * * * (Europe/Berlin)\""), std::string::npos)
      << ready.body;
  EXPECT_NE(ready.body.find("\"next_backup_at\":\"2027-03-27T01:30:00Z\""), std::string::npos)
      << ready.body;                // CET: UTC+1
  Advance(13 * kHour + 31 * kMin);  // 2027-03-27T01:31Z
  EXPECT_EQ(Backups(), 2u);
  ready = Call("GET", "/health/ready");
  EXPECT_NE(ready.body.find("\"next_backup_at\":\"2027-03-28T01:00:00Z\""), std::string::npos)
      << ready.body;    // 02:30 does not exist that night: 03:00 CEST
  Advance(23 * kHour);  // 2027-03-28T00:31Z
  EXPECT_EQ(Backups(), 2u);
  Advance(30 * kMin);  // 01:01Z
  EXPECT_EQ(Backups(), 3u);
  ready = Call("GET", "/health/ready");
  EXPECT_NE(ready.body.find("\"next_backup_at\":\"2027-03-29T00:30:00Z\""), std::string::npos)
      << ready.body;  // CEST: UTC+2
  Advance(kHour);
  EXPECT_EQ(Backups(), 3u);
}

TEST_F(BackupScheduleTest, ScheduleSettingsAreExclusiveAndValidated) {
  struct Case {
    int interval_sec;
    const char* schedule;
    const char* at;
    const char* timezone;
    const char* error;
  };
  for (const Case& c : {
           Case{3600, "", "02:30", "UTC", "set one of them"},
           Case{0, "0 3 * * *", "02:30", "UTC", "set one of them"},
           Case{3600, "@daily", "", "UTC", "set one of them"},
           Case{0, "", "24:00", "UTC", "backup.at: expected HH:MM"},
           Case{0, "61 * * * *", "", "UTC", "backup.schedule: cron minute field"},
           Case{0, "0 0 30 2 *", "", "UTC", "never fires"},
           Case{0, "@daily", "", "Mars/Olympus_Mons", "backup.timezone: unknown time zone"},
           Case{0, "@daily", "", "../../etc/passwd", "backup.timezone: malformed"},
       }) {
    config_.backup.interval_sec = c.interval_sec;
    config_.backup.schedule = c.schedule;
    config_.backup.at = c.at;
    config_.backup.timezone = c.timezone;
    Result<std::unique_ptr<Server>> s = Server::Start(config_, &clock_);
    ASSERT_FALSE(s.ok()) << c.schedule << c.at;
    EXPECT_NE(s.status().message().find(c.error), std::string::npos) << s.status().ToString();
  }
}

TEST_F(BackupScheduleTest, IntervalAndAtAreExclusiveAndAtIsValidated) {
  config_.backup.interval_sec = 3600;
  EXPECT_FALSE(Server::Start(config_, &clock_).ok());
  config_.backup.interval_sec = 0;
  config_.backup.at = "24:00";
  Result<std::unique_ptr<Server>> s = Server::Start(config_, &clock_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("backup.at: expected HH:MM"), std::string::npos);
}

}  // namespace
}  // namespace vigia

// Integration: corruption of stored parts under the real `vigia serve`. Events of two days
// are flushed to parts; every byte of one day's data file is then flipped (bit rot under a
// running server). A query touching that day fails with an error naming the part, a query
// over the other day still answers, /health/ready says "degraded" (HTTP 200) with the part,
// the server keeps ingesting, and `vigia store check` exits 1 naming the part. Then a
// truncated file found at start: same answers after a restart.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

namespace fs = std::filesystem;

const Headers kNdjson = {{"Content-Type", "application/x-ndjson"}};
constexpr int kEventsPerDay = 500;

// An event on `day` ("2026-11-22") with a unique id.
std::string Line(const std::string& day, int i) {
  char ts[64];
  std::snprintf(ts, sizeof ts, "%sT10:%02d:%02d.%03dZ", day.c_str(), i / 3600 % 60, i / 60 % 60,
                i % 1000);
  return std::string(R"({"ts":")") + ts + R"(","level":"info","service":"sales-api",)" +
         R"("msg":"request completed )" + std::to_string(i) + R"(","request_id":"req-)" + day +
         "-" + std::to_string(i) + R"(","status":200,"duration_ms":)" + std::to_string(i % 97) +
         "}\n";
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

struct CmdResult {
  int exit_code = -1;
  std::string out;
};

CmdResult RunVigia(const std::string& args) {
  CmdResult r;
  const std::string cmd = std::string(std::getenv("VIGIA_BINARY")) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class CorruptionIt : public ::testing::Test {
 protected:
  void Start() {
    ServerOptions o;
    o.data_dir = data_;
    // Small, fast flushes so the test gets parts; fixed-date events must not expire.
    o.env = {{"VIGIA_STORE_MEMTABLE_FLUSH_AGE_MS", "50"},
             {"VIGIA_RETENTION_DAYS", "0"},
             {"VIGIA_WAL_FSYNC", "never"},
             // Not about user agents; without the rules /health/ready is "ok" at once.
             {"VIGIA_INGEST_UA_REGEXES", "off"}};
    server_ = std::make_unique<ServerProcess>(o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    }
  }
  HttpResult Get(const std::string& target) {
    HttpClient c(server_->port(), 30000);
    Result<HttpResult> r = c.Request("GET", target);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpResult{};
  }
  HttpResult Query(const std::string& vql) { return Get("/v1/query?q=" + UrlEncode(vql)); }
  static std::string DayRange(const std::string& from, const std::string& to) {
    // The filter makes the engine read column data: counts filtered on string fields may
    // be answered from block metadata alone (metadata_counter.h), an int field has no value
    // counts.
    return "_time:[" + from + "T00:00:00Z, " + to + "T00:00:00Z) status:200 | stats count() as n";
  }
  // The first part directory of the partition of `day` ("20261122").
  fs::path PartOf(const std::string& day) {
    for (const auto& e : fs::directory_iterator(fs::path(data_) / "parts" / day)) {
      if (e.path().filename().string().starts_with("part-")) return e.path();
    }
    return {};
  }
  // Waits until every event is in parts (the memtable is flushed).
  void WaitFlushed(uint64_t rows) {
    for (int i = 0; i < 300; ++i) {
      HttpResult s = Get("/v1/stats");
      if (s.body.find("\"rows\":" + std::to_string(rows) + ",") != std::string::npos &&
          s.body.find("\"memtable\":{\"events\":0,") != std::string::npos) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "not flushed: " << Get("/v1/stats").body;
  }

  TempDir dir_;
  std::string data_ = dir_.path() + "/data";
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(CorruptionIt, CorruptPartFailsOnlyQueriesTouchingItAndIsReported) {
  Start();
  for (const std::string day : {"2026-11-22", "2026-11-23"}) {
    std::string body;
    for (int i = 0; i < kEventsPerDay; ++i) body += Line(day, i);
    HttpClient c(server_->port());
    Result<HttpResult> r = c.Request("POST", "/v1/events", body, kNdjson);
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
  }
  WaitFlushed(2 * kEventsPerDay);
  // No query of 2026-11-22 before the damage: the engine may cache what it decoded.

  // Bit rot under the running server: every byte of the part's column data.
  const fs::path bad = PartOf("20261122");
  ASSERT_FALSE(bad.empty());
  {
    std::fstream f(bad / "data.bin", std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    for (char& c : bytes) c = static_cast<char>(c ^ 0x21);
    f.seekp(0);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  HttpResult failed = Query(DayRange("2026-11-22", "2026-11-23"));
  EXPECT_EQ(failed.status, 500) << failed.body;
  EXPECT_NE(failed.body.find("\"code\":\"data_corrupt\""), std::string::npos) << failed.body;
  EXPECT_NE(failed.body.find(bad.filename().string()), std::string::npos) << failed.body;
  EXPECT_NE(failed.body.find("checksum mismatch"), std::string::npos) << failed.body;

  HttpResult other = Query(DayRange("2026-11-23", "2026-11-24"));
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_NE(other.body.find(std::to_string(kEventsPerDay)), std::string::npos) << other.body;

  HttpResult ready = Get("/health/ready");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_NE(ready.body.find("\"store\":\"degraded\""), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find(bad.string()), std::string::npos) << ready.body;
  EXPECT_NE(Get("/v1/stats").body.find(bad.string()), std::string::npos);
  // Logged once however many queries fail.
  Query(DayRange("2026-11-22", "2026-11-23"));
  std::string log = server_->Log();
  size_t first = log.find("store: part degraded");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("store: part degraded", first + 1), std::string::npos);

  // Still takes writes.
  HttpClient c(server_->port());
  Result<HttpResult> more = c.Request("POST", "/v1/events", Line("2026-11-24", 1), kNdjson);
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->status, 200) << more->body;

  ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
  CmdResult check = RunVigia("store check --data " + data_);
  EXPECT_EQ(check.exit_code, 1) << check.out;
  EXPECT_NE(check.out.find("CORRUPT"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find(bad.string()), std::string::npos) << check.out;
}

TEST_F(CorruptionIt, TruncatedPartFoundAtStartIsReportedAndItsDayFails) {
  Start();
  std::string body;
  for (const std::string day : {"2026-11-22", "2026-11-23"}) {
    for (int i = 0; i < kEventsPerDay; ++i) body += Line(day, i);
  }
  HttpClient c(server_->port());
  Result<HttpResult> r = c.Request("POST", "/v1/events", body, kNdjson);
  ASSERT_TRUE(r.ok() && r->status == 200);
  ASSERT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();  // flushes at close

  const fs::path bad = PartOf("20261123");
  ASSERT_FALSE(bad.empty());
  fs::resize_file(bad / "bloom.bin", fs::file_size(bad / "bloom.bin") / 2);
  // As if the WAL segments holding these events had long been deleted (they are once a
  // newer segment fills up): otherwise the replay would serve the events again.
  fs::remove_all(fs::path(data_) / "wal");
  CmdResult check = RunVigia("store check --data " + data_);
  EXPECT_EQ(check.exit_code, 1) << check.out;
  EXPECT_NE(check.out.find(bad.string()), std::string::npos) << check.out;

  Start();
  HttpResult ready = Get("/health/ready");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_NE(ready.body.find("\"store\":\"degraded\""), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find(bad.string()), std::string::npos) << ready.body;
  HttpResult failed = Query(DayRange("2026-11-23", "2026-11-24"));
  EXPECT_EQ(failed.status, 500) << failed.body;
  EXPECT_NE(failed.body.find("\"code\":\"data_corrupt\""), std::string::npos) << failed.body;
  EXPECT_NE(failed.body.find(bad.filename().string()), std::string::npos) << failed.body;
  HttpResult other = Query(DayRange("2026-11-22", "2026-11-23"));
  EXPECT_EQ(other.status, 200) << other.body;
  EXPECT_NE(other.body.find(std::to_string(kEventsPerDay)), std::string::npos) << other.body;
}

}  // namespace
}  // namespace vigia::testing

// Integration: privacy at ingest and the right to erasure (docs/security.md, "Privacy").
//  - IP / user-agent / query-string masking ([privacy]) through a real server: the full
//    values are nowhere in the data directory (WAL included), while browser/os stats derived
//    from the full user agent still answer.
//  - `vigia erase` offline on a data directory and POST /v1/admin/erase on a running server:
//    afterwards the erased value is in no file of the data directory, the other events are
//    all there, and the erase is a kind=audit event.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

// Whether any file under `dir` contains `needle`.
bool DirContains(const std::string& dir, const std::string& needle) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) return true;
  }
  return false;
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

constexpr char kFullUa[] =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.71 Safari/537.36 PlantedUaTail-5521";

TEST(PrivacyIt, FullIpUaAndQueryAreNowhereOnDiskButStatsWork) {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.wait_ready = true;  // the UA rules derive browser/os before the masking
  WriteFile(dir.path() + "/vigia.toml",
            "[privacy]\nip = \"truncate\"\nua = \"family\"\ndrop_query = true\n"
            "overrides = \"service=billing: ip=hash\"\n");
  WriteFile(dir.path() + "/hmac.key", "privacy-test-key-0123456789");
  o.extra_args = {"--config", dir.path() + "/vigia.toml"};
  o.env = {{"VIGIA_REDACT_HMAC_KEY_FILE", dir.path() + "/hmac.key"}};
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  std::string body;
  for (int i = 0; i < 20; ++i) {
    body += std::string(R"({"ts":"2026-11-22T10:00:00Z","kind":"request","service":")") +
            (i % 2 ? "web" : "billing") + R"(","uid":"r)" + std::to_string(i) +
            R"(","ip":"203.0.113.)" + std::to_string(100 + i) + R"(","ua":")" + kFullUa +
            R"(","path":"/search?q=planted-query-7781&page=2","x_forwarded_for":"198.51.100.)" +
            std::to_string(50 + i) + R"(, 10.9.8.7","status":200})" + "\n";
  }
  body +=
      R"({"ts":"2026-11-22T10:00:01Z","service":"web","uid":"control","msg":"control-string-9921"})"
      "\n";
  HttpClient c(server.port());
  auto r = c.Request("POST", "/v1/events", body, {{"Content-Type", "application/x-ndjson"}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;

  EXPECT_TRUE(DirContains(o.data_dir, "control-string-9921"));  // the grep sees the WAL
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(DirContains(o.data_dir, "203.0.113." + std::to_string(100 + i))) << i;
    EXPECT_FALSE(DirContains(o.data_dir, "198.51.100." + std::to_string(50 + i))) << i;
  }
  EXPECT_FALSE(DirContains(o.data_dir, "PlantedUaTail-5521"));
  EXPECT_FALSE(DirContains(o.data_dir, "planted-query-7781"));

  // Truncated for web, hashed for billing (joinable tokens), the UA is family/version, and
  // the stats derived from the full UA still work.
  auto web = c.Request("GET", "/v1/query?q=service:web%20uid:r1&format=ndjson");
  ASSERT_TRUE(web.ok());
  EXPECT_NE(web->body.find(R"("ip":"203.0.113.0")"), std::string::npos) << web->body;
  EXPECT_NE(web->body.find(R"("x_forwarded_for":"198.51.100.0, 10.9.8.0")"), std::string::npos)
      << web->body;
  EXPECT_NE(web->body.find(R"("ua":"Chrome/120.0")"), std::string::npos) << web->body;
  EXPECT_NE(web->body.find(R"("path":"/search")"), std::string::npos) << web->body;
  auto billing = c.Request("GET", "/v1/query?q=service:billing%20uid:r0&format=ndjson");
  EXPECT_NE(billing->body.find(R"("ip":"[hmac:)"), std::string::npos) << billing->body;
  auto stats = c.Request(
      "GET", "/v1/query?q=kind:request%20%7C%20stats%20count()%20as%20n%20by%20browser,%20os");
  ASSERT_TRUE(stats.ok());
  EXPECT_NE(stats->body.find(R"("browser":"Chrome")"), std::string::npos) << stats->body;
  EXPECT_NE(stats->body.find(R"("os":"Windows")"), std::string::npos) << stats->body;
  EXPECT_NE(stats->body.find(R"("n":20)"), std::string::npos) << stats->body;
  auto metrics = c.Request("GET", "/metrics");
  EXPECT_NE(metrics->body.find(R"(vigia_privacy_masked_total{what="ip"} 40)"), std::string::npos);

  // After a restart (memtable flushed into parts) nothing reappears.
  ASSERT_EQ(server.Stop(SIGTERM), 0);
  EXPECT_FALSE(DirContains(o.data_dir, "PlantedUaTail-5521"));
  EXPECT_FALSE(DirContains(o.data_dir, "203.0.113.101"));
  EXPECT_TRUE(DirContains(o.data_dir + "/parts", "Chrome/120.0"));
}

// Runs `vigia args` (a shell command line after the binary); returns the exit code and puts
// stdout in *out.
int RunVigia(const std::string& args, std::string* out) {
  const char* binary = std::getenv("VIGIA_BINARY");
  if (binary == nullptr) return -1;
  const std::string out_file = std::filesystem::temp_directory_path() /
                               ("vigia_privacy_it_" + std::to_string(::getpid()) + ".out");
  int rc = std::system((std::string(binary) + " " + args + " > " + out_file + " 2>&1").c_str());
  std::ifstream f(out_file);
  out->assign((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::filesystem::remove(out_file);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

constexpr char kPerson[] = "u-erase-me-8841";

// `n` events from `first`: every fourth is the person's (user_id and session), the others
// other users'.
std::string Events(int first, int n, const std::string& day = "2026-11-22") {
  std::string body;
  for (int i = first; i < first + n; ++i) {
    const bool person = i % 4 == 0;
    body += R"({"ts":")" + day + R"(T10:00:00Z","kind":"request","service":"shop","uid":"e)" +
            std::to_string(i) + R"(","user_id":")" +
            (person ? std::string(kPerson) : "u-" + std::to_string(i)) +
            R"(","status":200,"msg":"checkout step )" + std::to_string(i) + "\"}\n";
  }
  return body;
}

int Count(HttpClient& c, const std::string& q) {
  auto r = c.Request("GET", "/v1/query?q=" + q + "%20%7C%20stats%20count()%20as%20n");
  if (!r.ok()) return -1;
  size_t at = r->body.find("\"n\":");
  return at == std::string::npos ? 0 : std::atoi(r->body.c_str() + at + 4);
}

TEST(PrivacyIt, EraseOnlineRemovesOnePersonFromPartsWalAndMemtableAndIsAudited) {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  // The audit chainer writes its durable position (and so releases the WAL records it has
  // passed) at most every audit.sync_interval_ms: a long interval makes sure the erase comes
  // while the records just written are still held — the erase must not leave them on disk.
  WriteFile(dir.path() + "/vigia.toml", "[audit]\nsync_interval_ms = 3000\n");
  o.extra_args = {"--config", dir.path() + "/vigia.toml"};
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok());
  {
    HttpClient c(server.port());
    auto r = c.Request("POST", "/v1/events", Events(0, 80) + Events(80, 20, "2026-11-21"),
                       {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(r->status, 200) << r->body;
  }
  ASSERT_EQ(server.Stop(SIGTERM), 0);  // into parts
  ASSERT_TRUE(server.Start().ok());
  HttpClient c(server.port());
  // More of the person's events in the WAL and the memtable only.
  auto r =
      c.Request("POST", "/v1/events", Events(100, 20), {{"Content-Type", "application/x-ndjson"}});
  ASSERT_EQ(r->status, 200) << r->body;
  ASSERT_TRUE(DirContains(o.data_dir + "/wal", kPerson));
  // (Parts are zstd-compressed: that the person is in them shows in the query below.)
  EXPECT_EQ(Count(c, std::string("user_id:") + kPerson), 30);

  std::string out;
  ASSERT_EQ(RunVigia("erase --server http://127.0.0.1:" + std::to_string(server.port()) +
                         " --tenant '' --field user_id --value " + kPerson,
                     &out),
            0)
      << out;
  EXPECT_NE(out.find(R"("events":30)"), std::string::npos) << out;
  EXPECT_FALSE(DirContains(o.data_dir, kPerson));  // parts, WAL, audit ledger: every file
  EXPECT_EQ(Count(c, std::string("user_id:") + kPerson), 0);
  EXPECT_EQ(Count(c, "service:shop"), 90);  // everyone else's events stay
  auto audit = c.Request("GET", "/v1/query?q=kind:audit%20action:data.erased&format=ndjson");
  EXPECT_NE(audit->body.find(R"("details":"field=user_id events=30)"), std::string::npos)
      << audit->body;
  // Bad requests are refused with a stable code.
  auto bad = c.Request("POST", "/v1/admin/erase", R"({"field":"user_id"})",
                       {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad->status, 400) << bad->body;

  // A restart brings nothing back.
  ASSERT_EQ(server.Stop(SIGTERM), 0);
  EXPECT_FALSE(DirContains(o.data_dir, kPerson));
  ASSERT_TRUE(server.Start().ok());
  HttpClient c2(server.port());
  EXPECT_EQ(Count(c2, std::string("user_id:") + kPerson), 0);
  EXPECT_EQ(Count(c2, "service:shop"), 90);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST(PrivacyIt, EraseOfflineAfterACrashCleansTheWalAndIsInTheAuditLedger) {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok());
  {
    HttpClient c(server.port());
    auto r =
        c.Request("POST", "/v1/events", Events(0, 40), {{"Content-Type", "application/x-ndjson"}});
    ASSERT_EQ(r->status, 200) << r->body;
  }
  server.Stop(SIGKILL);  // the events are only in the WAL
  ASSERT_TRUE(DirContains(o.data_dir + "/wal", kPerson));

  std::string out;
  ASSERT_EQ(
      RunVigia("erase --data " + o.data_dir + " --tenant '' --field user_id --value " + kPerson,
               &out),
      0)
      << out;
  EXPECT_NE(out.find(R"("events":10)"), std::string::npos) << out;
  EXPECT_FALSE(DirContains(o.data_dir, kPerson));
  // The erase is in the tamper-evident ledger, which still verifies.
  ASSERT_EQ(RunVigia("audit log --data " + o.data_dir, &out), 0) << out;
  EXPECT_NE(out.find("data.erased"), std::string::npos) << out;
  ASSERT_EQ(RunVigia("audit verify --data " + o.data_dir, &out), 0) << out;
  // Refused arguments: both sources, or neither.
  EXPECT_EQ(RunVigia("erase --tenant '' --field user_id --value x", &out), 1) << out;

  ASSERT_TRUE(server.Start().ok());
  HttpClient c(server.port());
  EXPECT_EQ(Count(c, std::string("user_id:") + kPerson), 0);
  EXPECT_EQ(Count(c, "service:shop"), 30);
  EXPECT_EQ(Count(c, "kind:audit%20action:data.erased"), 1);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace vigia::testing

// Integration: server-side redaction at ingest (docs/security.md, "Redaction"). The planted
// corpus of src/redact/testdata goes in through NDJSON (in `msg`, and as secret-named fields);
// afterwards no planted secret is anywhere in the data directory (the WAL holds event strings
// as written: a control string proves the grep would see one), none comes back from a query,
// every event carries the `redacted` marker, and /metrics counts the redactions.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

struct Planted {
  std::string detector, text, secret;
};

std::vector<Planted> PlantedCorpus() {
  const char* src = std::getenv("VIGIA_SOURCE_DIR");
  std::ifstream in(std::string(src ? src : ".") + "/src/redact/testdata/planted.tsv");
  std::vector<Planted> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream cols(line);
    Planted p;
    std::getline(cols, p.detector, '\t');
    std::getline(cols, p.text, '\t');
    std::getline(cols, p.secret, '\t');
    out.push_back(p);
  }
  return out;
}

// JSON string escaping for the corpus (quotes, backslashes; "\n" stays an escape).
std::string Json(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      out += "\\n";
      ++i;
    } else if (s[i] == '"' || s[i] == '\\') {
      out += '\\';
      out += s[i];
    } else {
      out += s[i];
    }
  }
  return out;
}

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

TEST(RedactionIt, PlantedSecretsNeverReachDiskOrQueries) {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok());
  std::vector<Planted> corpus = PlantedCorpus();
  ASSERT_GE(corpus.size(), 20u);
  std::string body;
  int n = 0;
  for (const Planted& p : corpus) {
    body += R"({"ts":"2026-11-22T10:00:00Z","service":"sales-api","uid":"p)" + std::to_string(n++) +
            R"(","msg":")" + Json(p.text) + "\"}\n";
  }
  // Secret-named fields, nested and top level.
  body +=
      R"({"ts":"2026-11-22T10:00:01Z","service":"sales-api","uid":"f1","msg":"login",)"
      R"("password":"Field-Secret-9931","headers":{"Authorization":"Bearer Field-Bearer-7731"}})"
      "\n";
  body +=
      R"({"ts":"2026-11-22T10:00:02Z","service":"sales-api","uid":"control","msg":"control-string-4471 nothing secret"})"
      "\n";
  HttpClient c(server.port());
  auto r = c.Request("POST", "/v1/events", body, {{"Content-Type", "application/x-ndjson"}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;

  // In the WAL now (the control string shows the grep sees event text as written).
  EXPECT_TRUE(DirContains(o.data_dir, "control-string-4471"));
  for (const Planted& p : corpus) {
    EXPECT_FALSE(DirContains(o.data_dir, p.secret)) << p.detector << ": " << p.secret;
  }
  EXPECT_FALSE(DirContains(o.data_dir, "Field-Secret-9931"));
  EXPECT_FALSE(DirContains(o.data_dir, "Field-Bearer-7731"));

  auto q = c.Request("GET", "/v1/query?q=*&format=ndjson&limit=1000");
  ASSERT_TRUE(q.ok());
  for (const Planted& p : corpus) EXPECT_EQ(q->body.find(p.secret), std::string::npos) << p.secret;
  // Every planted event (and the field one) is marked; the control one is not.
  auto marked = c.Request("GET", "/v1/query?q=redacted:*%20%7C%20stats%20count()%20as%20n");
  EXPECT_NE(marked->body.find("\"n\":" + std::to_string(corpus.size() + 1)), std::string::npos)
      << marked->body;
  auto metrics = c.Request("GET", "/metrics");
  EXPECT_NE(
      metrics->body.find(
          R"(vigia_redactions_total{detector="secret_field",service="sales-api",field="password"} 1)"),
      std::string::npos);

  // After a restart (memtable flushed into compressed parts) the answers are the same.
  ASSERT_EQ(server.Stop(SIGTERM), 0);
  ASSERT_TRUE(server.Start().ok());
  HttpClient c2(server.port());
  auto q2 = c2.Request("GET", "/v1/query?q=*&format=ndjson&limit=1000");
  ASSERT_TRUE(q2.ok());
  EXPECT_EQ(CountUids(q2->body).size(), corpus.size() + 2);
  for (const Planted& p : corpus) EXPECT_EQ(q2->body.find(p.secret), std::string::npos) << p.secret;
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace vigia::testing

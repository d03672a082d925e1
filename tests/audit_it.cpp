// Integration: the audit trail of a real `vigia serve` — audit events chained at ingest,
// read back with their chain positions, verified from outside with `vigia audit verify`
// (--data, --server, --export), tampering of the real ledger named, and kill -9 during
// audit ingest leaving a chain that verifies and holds every acknowledged event.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

const Headers kNdjson = {{"Content-Type", "application/x-ndjson"}};

std::string RunCli(const std::string& args, int* exit_code) {
  std::string cmd = std::string(std::getenv("VIGIA_BINARY")) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string ReadFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string AuditLine(const std::string& tenant, const std::string& id) {
  std::string t = tenant.empty() ? "" : R"("tenant":")" + tenant + R"(",)";
  return R"({"kind":"audit",)" + t +
         R"("action":"order.updated","actor":"ana@example.com","entity":"order","entity_id":")" +
         id + R"(","outcome":"success","details":{"field":"status","to":"paid"}})" + "\n";
}

// Counts `"entity_id":"<id>"` occurrences in `vigia audit log` output.
std::map<std::string, int> CountEntityIds(const std::string& out) {
  std::map<std::string, int> counts;
  const std::string key = "\"entity_id\":\"";
  size_t pos = 0;
  while ((pos = out.find(key, pos)) != std::string::npos) {
    pos += key.size();
    size_t end = out.find('"', pos);
    ++counts[out.substr(pos, end - pos)];
    pos = end;
  }
  return counts;
}

class AuditIt : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.data_dir = dir_.path() + "/data";
    server_ = std::make_unique<ServerProcess>(o);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    }
  }
  void Post(const std::string& body) {
    HttpClient c(server_->port());
    Result<HttpResult> r = c.Request("POST", "/v1/events", body, kNdjson);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }
  std::string Data() const { return dir_.path() + "/data"; }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(AuditIt, ChainedAtIngestReadBackAndTamperingNamed) {
  std::string body;
  for (int i = 1; i <= 40; ++i) {
    body += AuditLine(i % 2 ? "acme" : "", std::to_string(i));
    body += R"({"msg":"an ordinary log line"})"
            "\n";
  }
  Post(body);
  HttpClient c(server_->port());
  Result<HttpResult> r = c.Request("GET", "/v1/audit?tenant=acme&entity_id=7", {}, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("\"seq\":4,"), std::string::npos) << r->body;  // 7th event, 4th of acme
  EXPECT_EQ(CountEntityIds(r->body).size(), 1u);
  r = c.Request("GET", "/v1/audit?since=yesterday", {}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  ASSERT_EQ(server_->Stop(SIGTERM), 0);  // writes a last checkpoint

  int code = 0;
  std::string out = RunCli("audit verify --data " + Data(), &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("tenant acme: 20 records, 1 checkpoints (sealed up to 20): OK"),
            std::string::npos)
      << out;
  std::string pub = RunCli("audit public-key --data " + Data(), &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(pub.substr(0, 64), ReadFile(Data() + "/audit/signing.pub").substr(0, 64));

  // An export verifies alone; then the ledger is edited on disk and both see it.
  std::string export_path = dir_.path() + "/acme.ndjson";
  RunCli("audit export --data " + Data() + " --tenant acme > " + export_path, &code);
  out =
      RunCli("audit verify --export " + export_path + " --public-key " + pub.substr(0, 64), &code);
  EXPECT_EQ(code, 0) << out;

  // Half a record at the end of the default tenant's ledger, past its last checkpoint (what
  // a kill -9 during the write leaves): an incomplete tail, not tampering.
  {
    std::string default_path = Data() + "/audit/t-/ledger.bin";
    std::string bytes = ReadFile(default_path);
    std::ofstream(default_path, std::ios::binary | std::ios::app) << bytes.substr(0, 60);
  }
  out = RunCli("audit verify --data " + Data() + " --public-key " + pub.substr(0, 64), &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("incomplete tail: the last 60 bytes"), std::string::npos) << out;

  std::string ledger_path = Data() + "/audit/t-acme/ledger.bin";
  std::string ledger = ReadFile(ledger_path);
  // The batch record (ledger_record.h v2) of acme's 20 events holds entity_id "13" as the
  // codec's string: its length (2), then the bytes.
  size_t at = ledger.find(std::string("\x02") + "13");
  ASSERT_NE(at, std::string::npos);
  ledger[at + 1] = '4';  // 13 -> 43, same length
  std::ofstream(ledger_path, std::ios::binary | std::ios::trunc) << ledger;
  out = RunCli("audit verify --data " + Data() + " --public-key " + pub.substr(0, 64), &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("edited at record 1"), std::string::npos) << out;
  EXPECT_NE(out.find("in batch record 1..20 (20 events"), std::string::npos) << out;
  EXPECT_NE(out.find("tenant (default): 20 records"), std::string::npos) << out;

  // Another server's key: every checkpoint is a forgery.
  out = RunCli("audit verify --export " + export_path + " --public-key " + std::string(64, 'b'),
               &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("forged"), std::string::npos) << out;
}

TEST_F(AuditIt, VerifyThroughTheServer) {
  std::string body;
  for (int i = 0; i < 30; ++i) body += AuditLine("", std::to_string(i));
  Post(body);
  std::string url = "http://127.0.0.1:" + std::to_string(server_->port());
  int code = 0;
  std::string out = RunCli("audit verify --server " + url, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("30 records"), std::string::npos) << out;
  out = RunCli("audit log --server " + url + " --entity-id 12", &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(CountEntityIds(out), (std::map<std::string, int>{{"12", 1}})) << out;
  HttpClient c(server_->port());
  Result<HttpResult> r = c.Request("GET", "/v1/audit/verify", {}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find("\"ok\":true"), std::string::npos) << r->body;
}

// The action catalogue: seed 001's audit lines (Portuguese keys) arrive as catalogued
// actions; unknown actions are stored and chained flagged catalogued=false and counted;
// vigia's own admin actions (a silence, an API key) are catalogued audit events of the
// same trail; GET /v1/audit/actions and `vigia audit actions` list them with counts.
TEST_F(AuditIt, CatalogueFlagsCountsAndListsActions) {
  // API keys are on (the admin key API needs them): restart with a bootstrap key.
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  ServerOptions o;
  o.data_dir = Data();
  o.env = {{"VIGIA_API_KEYS", "audit-admin-key"}};
  server_ = std::make_unique<ServerProcess>(o);
  ASSERT_TRUE(server_->Start().ok());
  const Headers auth = {{"Authorization", "Bearer audit-admin-key"}};
  Headers json = auth;
  json.push_back({"Content-Type", "application/json"});
  Headers ndjson = auth;
  ndjson.push_back({"Content-Type", "application/x-ndjson"});
  std::string body =
      R"({"kind":"audit","acao":"questao.criada","entidade":"questao","entidade_id":"Q-1","usuario_id":"u-7","detalhes":{"titulo":"Soma","tipo":"aberta"}})"
      "\n"
      R"({"kind":"audit","acao":"lista.exportada","entidade":"lista","entidade_id":"L-3","usuario_id":"u-7"})"
      "\n"
      R"({"kind":"audit","action":"questao.apagada","entity":"questao","entity_id":"Q-1"})"
      "\n"
      R"({"kind":"audit","action":"questao.apagada","entity":"questao","entity_id":"Q-2"})"
      "\n"
      R"({"msg":"not an audit event","action":"questao.apagada"})"
      "\n";
  HttpClient c(server_->port());
  Result<HttpResult> r = c.Request("POST", "/v1/events", body, ndjson);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  r = c.Request(
      "POST", "/v1/silences",
      R"({"matchers":["alertname=Deploy"],"duration":"1h","comment":"deploy","createdBy":"ana"})",
      json);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  r = c.Request("POST", "/v1/admin/keys", R"({"role":"read","tenant":"acme"})", json);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 201) << r->body;

  r = c.Request("GET", "/v1/audit/actions", {}, auth);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string& a = r->body;
  EXPECT_NE(a.find(R"({"action":"questao.criada","catalogued":true,"count":1,)"), std::string::npos)
      << a;
  EXPECT_NE(a.find(R"({"action":"lista.exportada","catalogued":true,"count":1,)"),
            std::string::npos)
      << a;
  EXPECT_NE(a.find(R"({"action":"questao.apagada","catalogued":false,"count":2})"),
            std::string::npos)
      << a;
  EXPECT_NE(a.find(R"({"action":"silence.create","catalogued":true,"count":1,)"), std::string::npos)
      << a;
  EXPECT_NE(a.find(R"({"action":"key.create","catalogued":true,"count":1,)"), std::string::npos)
      << a;
  EXPECT_NE(a.find(R"("records":6,"uncatalogued":2})"), std::string::npos) << a;

  // The flags are in the stored events and in the chained payloads alike.
  r = c.Request("GET", "/v1/query?q=catalogued:false&format=ndjson", {}, auth);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(CountEntityIds(r->body), (std::map<std::string, int>{{"Q-1", 1}, {"Q-2", 1}}))
      << r->body;
  r = c.Request("GET", "/v1/audit?entity_id=L-3", {}, auth);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find(R"("missing_fields":"details")"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("sensitive":true)"), std::string::npos) << r->body;
  r = c.Request("GET", "/metrics", {}, auth);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find(R"(vigia_audit_uncatalogued_total{action="questao.apagada"} 2)"),
            std::string::npos);
  EXPECT_NE(r->body.find(R"(vigia_audit_events_total{catalogued="true"} 4)"), std::string::npos);
  EXPECT_NE(r->body.find("vigia_audit_missing_fields_total 1"), std::string::npos);

  std::string url = "http://127.0.0.1:" + std::to_string(server_->port());
  int code = 0;
  std::string out = RunCli("audit actions --api-key audit-admin-key --server " + url, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("questao.apagada"), std::string::npos) << out;
  EXPECT_NE(out.find("6 records, 2 of uncatalogued actions"), std::string::npos) << out;
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  out = RunCli("audit actions --json --data " + Data(), &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find(R"({"action":"questao.apagada","catalogued":false,"count":2})"),
            std::string::npos)
      << out;
}

// A CSV export verifies alone; a tampered copy (an edited cell, an edited hashed payload, a
// deleted row) is named.
TEST_F(AuditIt, CsvExportVerifiesAloneAndTamperingIsNamed) {
  // Three batches: three batch records (ledger_record.h v2) of four events, 1..4, 5..8, 9..12.
  for (int b = 0; b < 3; ++b) {
    std::string body;
    for (int i = 1; i <= 4; ++i) body += AuditLine("acme", std::to_string(4 * b + i));
    Post(body);
  }
  ASSERT_EQ(server_->Stop(SIGTERM), 0);  // a last checkpoint
  int code = 0;
  std::string pub = RunCli("audit public-key --data " + Data(), &code).substr(0, 64);
  std::string csv_path = dir_.path() + "/acme.csv";
  RunCli("audit export --format csv --data " + Data() + " --tenant acme > " + csv_path, &code);
  ASSERT_EQ(code, 0);
  std::string csv = ReadFile(csv_path);
  ASSERT_TRUE(csv.starts_with("type,tenant,seq,ts,time,action,actor,entity,entity_id,")) << csv;
  EXPECT_NE(csv.find("\nbatch,acme,5,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nevent,acme,5,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\ncheckpoint,acme,12,"), std::string::npos) << csv;
  std::string out = RunCli("audit verify --export " + csv_path + " --public-key " + pub, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("tenant acme: 12 records, 1 checkpoints (sealed up to 12): OK"),
            std::string::npos)
      << out;

  auto tampered = [&](const std::string& name, std::string text) {
    std::string p = dir_.path() + "/" + name + ".csv";
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    return RunCli("audit verify --export " + p + " --public-key " + pub, &code);
  };
  // A readable column edited: the actor of record 3 in the spreadsheet.
  std::string t = csv;
  size_t row3 = t.find("\nevent,acme,3,");
  size_t cell = t.find(",ana@example.com,", row3);
  t.replace(cell, 17, ",bob@example.com,");
  out = tampered("cell", t);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("edited at record 3"), std::string::npos) << out;
  EXPECT_NE(out.find("column actor"), std::string::npos) << out;
  // The event's JSON edited (with its column, consistently): it disagrees with its hashed
  // batch record.
  t = csv;
  size_t row7 = t.find("\nevent,acme,7,");
  const std::string from = R"(""entity_id"":""7"")";
  t.replace(t.find(from, row7), from.size(), R"(""entity_id"":""9"")");
  t.replace(t.find(",order,7,", row7), 9, ",order,9,");
  out = tampered("payload", t);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("edited at record 7"), std::string::npos) << out;
  // The hashed bytes themselves edited (a hex digit of batch record 5..8).
  t = csv;
  size_t batch5 = t.find("\nbatch,acme,5,");
  size_t hex = t.find(R"(""batch"":"")", batch5) + 12;
  t[hex + 20] = t[hex + 20] == '0' ? '1' : '0';
  out = tampered("hashed", t);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("edited at record 5"), std::string::npos) << out;
  // An event row deleted: its batch record still holds the event.
  t = csv;
  size_t row6 = t.find("\nevent,acme,6,");
  t.erase(row6, t.find('\n', row6 + 1) - row6);
  out = tampered("row", t);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("edited at record 6"), std::string::npos) << out;
  // A batch record deleted with its event rows.
  t = csv;
  size_t row5 = t.find("\nbatch,acme,5,");
  t.erase(row5, t.find("\nbatch,acme,9,") - row5);
  out = tampered("deleted", t);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("deleted at record 5"), std::string::npos) << out;
  // Not an export at all: exit 2.
  out = tampered("garbage", "type,tenant\n\"unterminated\n");
  EXPECT_EQ(code, 2) << out;

  // The server's own CSV export is the same proof.
  ASSERT_TRUE(server_->Start().ok());
  HttpClient c(server_->port());
  Result<HttpResult> r = c.Request("GET", "/v1/audit/export?tenant=acme&format=csv", {}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.starts_with(csv.substr(0, csv.find('\n')))) << r->body.substr(0, 200);
  r = c.Request("GET", "/v1/audit/export?format=xml", {}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
}

TEST(AuditCrashIt, KillNineDuringAuditIngestKeepsAVerifiableChain) {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  ServerProcess server(o);
  std::mutex mu;
  std::set<std::string> acked;
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(server.Start().ok()) << server.Log();
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, t] {
        HttpClient c(server.port(), 10000);
        for (int b = 0; !stop.load(); ++b) {
          std::vector<std::string> ids;
          std::string batch;
          for (int e = 0; e < 20; ++e) {
            ids.push_back("r" + std::to_string(round) + "t" + std::to_string(t) + "b" +
                          std::to_string(b) + "e" + std::to_string(e));
            batch += AuditLine(t == 0 ? "acme" : "", ids.back());
          }
          Result<HttpResult> r = c.Request("POST", "/v1/events", batch, kNdjson);
          if (!r.ok()) {
            c.Close();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
          }
          if (r->status == 200) {
            std::lock_guard<std::mutex> lock(mu);
            acked.insert(ids.begin(), ids.end());
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + round * 200));
    EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
    stop = true;
    for (auto& t : threads) t.join();

    // Straight after the kill: what was chained so far is a chain that verifies (the
    // acknowledged events not chained yet are in the WAL). SIGKILL can stop a multi-page
    // write(2) of the ledger part-way, leaving half a record at the end: no checkpoint
    // vouches for it (a checkpoint names only fsync'd records), so verify names it an
    // incomplete tail, not tampering, and exits 0. The server cuts that tail when it opens
    // the ledger and chains those events again from the WAL (checked below).
    int code = 0;
    std::string out = RunCli("audit verify --data " + o.data_dir, &code);
    EXPECT_EQ(code, 0) << out;
    EXPECT_EQ(out.find(" at record "), std::string::npos) << out;
    if (out.find("incomplete tail") != std::string::npos) {
      std::fprintf(stderr, "[audit crash] round %d: the kill left an incomplete tail\n", round);
    }
    // The restart chains the WAL's audit events after the chained position before it
    // serves; a clean stop then leaves everything chained.
    ASSERT_TRUE(server.Start().ok()) << server.Log();
    {
      HttpClient c(server.port());
      Result<HttpResult> r = c.Request("GET", "/v1/audit/verify", {}, {});
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->status, 200);
      EXPECT_NE(r->body.find("\"caught_up\":true"), std::string::npos) << r->body;
      EXPECT_NE(r->body.find("\"ok\":true"), std::string::npos) << r->body;
    }
    EXPECT_EQ(server.Stop(SIGTERM), 0);
    out = RunCli("audit verify --data " + o.data_dir, &code);
    EXPECT_EQ(code, 0) << out;
    std::map<std::string, int> counts;
    for (std::string tenant : {"acme", ""}) {
      std::string log =
          RunCli("audit log --data " + o.data_dir + " --tenant '" + tenant + "'", &code);
      ASSERT_EQ(code, 0) << log.substr(0, 500);
      for (const auto& [id, n] : CountEntityIds(log)) counts[id] += n;
    }
    size_t missing = 0, twice = 0;
    for (const std::string& id : acked) missing += counts.count(id) == 0;
    for (const auto& [id, n] : counts) twice += n > 1;
    EXPECT_GT(acked.size(), 0u);
    EXPECT_EQ(missing, 0u) << "round " << round << ": acknowledged audit events not chained";
    EXPECT_EQ(twice, 0u) << "round " << round << ": audit events chained twice";
    std::fprintf(stderr, "[audit crash] round %d: %zu acknowledged, %zu chained\n", round,
                 acked.size(), counts.size());
  }
  // The chain continues after a restart and still verifies.
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  {
    HttpClient c(server.port());
    Result<HttpResult> r = c.Request("POST", "/v1/events", AuditLine("acme", "after"), kNdjson);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  int code = 0;
  std::string out = RunCli("audit verify --data " + o.data_dir, &code);
  EXPECT_EQ(code, 0) << out;
}

}  // namespace
}  // namespace vigia::testing

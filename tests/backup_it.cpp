// Integration: backups of a real server while it ingests. `vigia backup create --server` makes
// the running server back itself up (POST /v1/admin/backups) and verify the backup; the
// backup restores into a new directory that a second server opens with the same answers;
// backups, verifications and the restore are kind=audit events; a wrong key and a tampered
// blob are refused by the CLI. The data directory's lock: while a server runs, a second server
// and every offline command that writes its directory (keys create, erase --data, backup
// create --data, backup restore --force) are refused naming the server's pid; stopped, the
// directory is replaced by `backup restore --force`, atomically and audited.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

namespace fs = std::filesystem;
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

std::string Query(ServerProcess& s, const std::string& q) {
  HttpClient c(s.port(), 60000);
  std::string target = "/v1/query?format=ndjson&limit=1000000&q=";
  for (char ch : q) {
    if (isalnum(static_cast<unsigned char>(ch))) {
      target += ch;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(ch));
      target += hex;
    }
  }
  Result<HttpResult> r = c.Request("GET", target);
  // The server's log tells where an answer that never came went (its access line says how
  // the stream ended).
  EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString() << "\n" << s.Log();
  if (!r.ok()) return "";
  EXPECT_EQ(r->status, 200) << r->body;
  return r->body;
}

uint64_t JsonUint(const std::string& json, const std::string& key) {
  const std::string k = "\"" + key + "\":";
  size_t p = json.find(k);
  if (p == std::string::npos) return 0;
  return std::stoull(json.substr(p + k.size()));
}

TEST(BackupIt, BackupWhileIngestingRestoresWithIdenticalAnswers) {
  TempDir dir;
  const std::string key = dir.path() + "/backup.key";
  const std::string target = dir.path() + "/backups";
  int code = -1;
  std::string out = RunCli("backup keygen --out " + key, &code);
  ASSERT_EQ(code, 0) << out;
  const std::string cfg = dir.path() + "/vigia.toml";
  std::ofstream(cfg) << "[backup]\ntarget = \"" << target << "\"\nkey_file = \"" << key
                     << "\"\nverify = \"each\"\n[store]\nmemtable_flush_bytes = 65536\n";
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.extra_args = {"--config", cfg};
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());

  std::atomic<bool> stop{false};
  std::atomic<int> batches{0};
  std::thread writer([&] {
    HttpClient c(server.port(), 30000);
    for (int b = 0; !stop && b < 2000; ++b) {
      std::string body;
      for (int i = 0; i < 50; ++i) body += EventLine(std::to_string(b) + "-" + std::to_string(i));
      auto r = c.Request("POST", "/v1/events", body, kNdjson);
      if (!r.ok() || r->status != 200) return;
      ++batches;
    }
  });
  while (batches < 40) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  out = RunCli("backup create --server " + url, &code);
  stop = true;
  writer.join();
  ASSERT_EQ(code, 0) << out << server.Log();
  EXPECT_NE(out.find("\"verify\":\"passed\""), std::string::npos) << out;
  const uint64_t during = JsonUint(out, "events");
  EXPECT_GE(during, 2000u);

  // Quiesced: a second backup and the answers of a restored copy. (How much of it is reused
  // depends on the merges that ran meanwhile: backup_test checks incremental uploads.)
  out = RunCli("backup create --server " + url, &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(JsonUint(out, "reused_blobs") + JsonUint(out, "new_blobs"), JsonUint(out, "files"))
      << out;
  out = RunCli("backup list --from " + target + " --key-file " + key, &code);
  ASSERT_EQ(code, 0) << out;

  const std::string restored = dir.path() + "/restored";
  out = RunCli("backup restore --from " + target + " --key-file " + key + " --data " + restored,
               &code);
  ASSERT_EQ(code, 0) << out;
  const std::vector<std::string> queries = {
      "uid:* | stats count() by (status, route)",
      "uid:* | stats count() as n, sum(duration_ms) as d",
      "request_id:req-17-3",
  };
  std::vector<std::string> want;
  for (const auto& q : queries) want.push_back(Query(server, q));
  const std::string audit =
      Query(server, "kind:audit action:backup.* | stats count() by (action, outcome)");
  EXPECT_NE(audit.find("\"backup.created\""), std::string::npos) << audit;
  EXPECT_NE(audit.find("\"backup.verified\""), std::string::npos) << audit;
  // The second backup holds the audit ledger (the first backup's events are chained in it):
  // its verification checked the chain.
  out = RunCli("backup verify --from " + target + " --key-file " + key + " --report-dir " +
                   dir.path() + "/evidence --tmp " + dir.path(),
               &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("audit_chain   ok"), std::string::npos) << out;
  HttpClient hc(server.port());
  auto ready = hc.Request("GET", "/health/ready");
  ASSERT_TRUE(ready.ok());
  EXPECT_NE(ready->body.find("\"last_verify\":\"passed\""), std::string::npos) << ready->body;
  server.Stop(SIGTERM);

  ServerOptions ro;
  ro.data_dir = restored;
  ServerProcess copy(ro);
  ASSERT_TRUE(copy.Start().ok()) << copy.Log();
  for (size_t i = 0; i < queries.size(); ++i)
    EXPECT_EQ(Query(copy, queries[i]), want[i]) << queries[i];
  // No event twice, whatever moment the backup was taken.
  for (const auto& [uid, n] : CountUids(Query(copy, "uid:*"))) ASSERT_EQ(n, 1) << uid;
  // The restore is audited in the restored store.
  const std::string restored_audit = Query(copy, "kind:audit action:backup.restored");
  EXPECT_NE(restored_audit.find("backup.restored"), std::string::npos) << copy.Log();
  copy.Stop(SIGTERM);

  // A wrong key is refused; a modified byte fails verification, naming the blob.
  const std::string other = dir.path() + "/other.key";
  RunCli("backup keygen --out " + other, &code);
  out = RunCli("backup verify --from " + target + " --key-file " + other, &code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("wrong backup key"), std::string::npos) << out;
  fs::path biggest;
  for (const auto& e : fs::recursive_directory_iterator(target + "/blobs")) {
    if (e.is_regular_file() && (biggest.empty() || e.file_size() > fs::file_size(biggest))) {
      biggest = e.path();
    }
  }
  ASSERT_FALSE(biggest.empty());
  {
    std::fstream f(biggest, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x5a');
  }
  out = RunCli("backup verify --from " + target + " --key-file " + key + " --report-dir " +
                   dir.path() + "/evidence --tmp " + dir.path(),
               &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find(biggest.filename().string()), std::string::npos) << out;
}

TEST(BackupIt, RestoreForceReplacesAStoppedServersDirectoryNeverARunningOne) {
  TempDir dir;
  const std::string key = dir.path() + "/backup.key";
  const std::string target = dir.path() + "/backups";
  int code = -1;
  std::string out = RunCli("backup keygen --out " + key, &code);
  ASSERT_EQ(code, 0) << out;
  const std::string cfg = dir.path() + "/vigia.toml";
  std::ofstream(cfg) << "[backup]\ntarget = \"" << target << "\"\nkey_file = \"" << key
                     << "\"\nverify = \"never\"\n";
  const std::string data = dir.path() + "/data";
  ServerOptions o;
  o.data_dir = data;
  o.extra_args = {"--config", cfg};
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  HttpClient c(server.port(), 30000);
  std::string body;
  for (int i = 0; i < 100; ++i) body += EventLine("kept-" + std::to_string(i));
  ASSERT_EQ(c.Request("POST", "/v1/events", body, kNdjson)->status, 200);
  out = RunCli("backup create --server " + url, &code);
  ASSERT_EQ(code, 0) << out;
  body.clear();
  for (int i = 0; i < 50; ++i) body += EventLine("later-" + std::to_string(i));
  ASSERT_EQ(c.Request("POST", "/v1/events", body, kNdjson)->status, 200);

  // While it runs, nothing else writes its directory.
  const std::string in_use =
      "data directory " + data + " is in use by pid " + std::to_string(server.pid());
  const std::string restore =
      "backup restore --from " + target + " --key-file " + key + " --data " + data;
  out = RunCli(restore + " --force", &code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find(in_use + " (vigia serve)"), std::string::npos) << out;
  out = RunCli(restore, &code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("is not empty"), std::string::npos) << out;
  out = RunCli("keys create --data " + data + " --role admin", &code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find(in_use), std::string::npos) << out;
  out = RunCli("erase --data " + data + " --tenant '' --field uid --value kept-1", &code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find(in_use), std::string::npos) << out;
  out = RunCli("backup create --data " + data + " --to " + target + " --key-file " + key, &code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find(in_use), std::string::npos) << out;
  ServerOptions second = o;
  second.log_path = dir.path() + "/second.log";
  ServerProcess twin(second);
  EXPECT_FALSE(twin.Start().ok());
  EXPECT_NE(twin.Log().find(in_use), std::string::npos) << twin.Log();
  EXPECT_NE(Query(server, "uid:kept-1").find("\"uid\":\"kept-1\""),
            std::string::npos);  // untouched

  // --force only ever replaces a vigia data directory.
  const std::string other = dir.path() + "/not-data";
  fs::create_directories(other);
  std::ofstream(other + "/precious.txt") << "x";
  out = RunCli(
      "backup restore --from " + target + " --key-file " + key + " --data " + other + " --force",
      &code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("not a vigia data directory"), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(other + "/precious.txt"));

  // Stopped: the backup replaces the directory; the later events are gone, the restore is
  // audited in the restored store, nothing is left beside it.
  ASSERT_EQ(server.Stop(SIGTERM), 0);
  out = RunCli(restore + " --force", &code);
  ASSERT_EQ(code, 0) << out;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    const std::string name = e.path().filename().string();
    EXPECT_EQ(name.find(".restoring-"), std::string::npos) << name;
    EXPECT_EQ(name.find(".replaced-"), std::string::npos) << name;
  }
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const auto uids = CountUids(Query(server, "uid:*"));
  EXPECT_EQ(uids.size(), 100u);
  EXPECT_EQ(uids.count("later-0"), 0u);
  const std::string audit = Query(server, "kind:audit action:backup.restored");
  EXPECT_NE(audit.find("replaced_existing_directory"), std::string::npos) << audit;
  server.Stop(SIGTERM);
}

}  // namespace
}  // namespace vigia::testing

// Integration: POST /v1/events and the health endpoints against the real `vigia serve`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

const Headers kNdjson = {{"Content-Type", "application/x-ndjson"}};

class IngestIt : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::pair<std::string, std::string>> env = {},
                   std::vector<std::string> args = {}) {
    ServerOptions o;
    o.data_dir = dir_.path() + "/data";
    o.env = std::move(env);
    o.extra_args = std::move(args);
    server_ = std::make_unique<ServerProcess>(o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    }
  }
  Result<HttpResult> Post(const std::string& body, Headers headers = kNdjson) {
    HttpClient c(server_->port());
    return c.Request("POST", "/v1/events", body, headers);
  }
  std::string Dump(Headers headers = {}) {
    HttpClient c(server_->port());
    Result<HttpResult> r = c.Request("GET", "/v1/query?q=*&format=ndjson&limit=1000000", {}, headers);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 200) << r->body;
    return r->body;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(IngestIt, MixedBatchGivesExactCountsAndLineNumbers) {
  StartServer();
  std::string body = EventLine("a1") +       // 1 ok
                     "{\"msg\": broken\n" +  // 2 invalid JSON
                     EventLine("a3") +       // 3 ok
                     "[1,2,3]\n" +           // 4 not an object
                     "\n" +                  // 5 blank: skipped, not counted
                     EventLine("a6") +       // 6 ok
                     "\"just a string\"\n";  // 7 not an object
  Result<HttpResult> r = Post(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_EQ(r->body.find("{\"accepted\":3,\"rejected\":3,\"errors\":[{\"line\":2,"), 0u) << r->body;
  EXPECT_NE(r->body.find("{\"line\":4,"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("{\"line\":7,"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("{\"line\":5,"), std::string::npos) << r->body;

  auto uids = CountUids(Dump());
  EXPECT_EQ(uids.size(), 3u);
  EXPECT_EQ(uids["a1"], 1);
  EXPECT_EQ(uids["a3"], 1);
  EXPECT_EQ(uids["a6"], 1);
}

TEST_F(IngestIt, JsonArrayBody) {
  StartServer();
  std::string body = "[{\"msg\":\"one\",\"uid\":\"j1\"}, 42, {\"msg\":\"two\",\"uid\":\"j2\"}]";
  Result<HttpResult> r = Post(body, {{"Content-Type", "application/json"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body.find("{\"accepted\":2,\"rejected\":1,\"errors\":[{\"line\":2,"), 0u) << r->body;
}

TEST_F(IngestIt, TextPlainAndCharsetAccepted) {
  StartServer();
  Result<HttpResult> r = Post(EventLine("t1"), {{"Content-Type", "text/plain; charset=utf-8"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "{\"accepted\":1,\"rejected\":0,\"errors\":[]}");
}

TEST_F(IngestIt, GzipAndZstdBodies) {
  StartServer();
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += EventLine("g" + std::to_string(i));
  Headers gz = kNdjson;
  gz.emplace_back("Content-Encoding", "gzip");
  Result<HttpResult> r = Post(Gzip(batch), gz);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "{\"accepted\":100,\"rejected\":0,\"errors\":[]}");

  std::string batch2;
  for (int i = 0; i < 50; ++i) batch2 += EventLine("z" + std::to_string(i));
  Headers zs = kNdjson;
  zs.emplace_back("Content-Encoding", "zstd");
  r = Post(Zstd(batch2), zs);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "{\"accepted\":50,\"rejected\":0,\"errors\":[]}");

  auto uids = CountUids(Dump());
  EXPECT_EQ(uids.size(), 150u);
  EXPECT_EQ(uids["g99"], 1);
  EXPECT_EQ(uids["z49"], 1);
}

TEST_F(IngestIt, BrokenCompressionIs400) {
  StartServer();
  std::string gz = Gzip(EventLine("x"));
  gz[gz.size() / 2] ^= 0x5a;
  gz.resize(gz.size() - 4);
  Headers h = kNdjson;
  h.emplace_back("Content-Encoding", "gzip");
  Result<HttpResult> r = Post(gz, h);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("\"code\":\"bad_compression\""), std::string::npos) << r->body;

  h.back().second = "zstd";
  r = Post("definitely not zstd", h);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("\"code\":\"bad_compression\""), std::string::npos) << r->body;

  h.back().second = "br";
  r = Post(EventLine("x"), h);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("\"code\":\"unsupported_content_encoding\""), std::string::npos);
  EXPECT_TRUE(CountUids(Dump()).empty());
}

TEST_F(IngestIt, WrongContentTypeIs400) {
  StartServer();
  Result<HttpResult> r = Post(EventLine("x"), {{"Content-Type", "application/xml"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("\"code\":\"unsupported_media_type\""), std::string::npos) << r->body;
  r = Post("a=b", {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
}

TEST_F(IngestIt, BodyOverConfiguredLimitIs413AndServerKeepsServing) {
  StartServer({{"VIGIA_LIMITS_MAX_BODY_BYTES", "4096"}});
  std::string big;
  while (big.size() < 10000) big += EventLine("big");
  Result<HttpResult> r = Post(big);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("\"code\":\"body_too_large\""), std::string::npos) << r->body;

  // A small compressed body that inflates past the limit is caught too.
  Headers gz = kNdjson;
  gz.emplace_back("Content-Encoding", "gzip");
  std::string bomb = Gzip(std::string(1 << 20, ' '));
  ASSERT_LT(bomb.size(), 4096u);
  r = Post(bomb, gz);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 413) << r->body;

  r = Post(EventLine("small"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(CountUids(Dump())["small"], 1);
  EXPECT_EQ(CountUids(Dump()).count("big"), 0u);
}

TEST_F(IngestIt, ApiKeysRequiredWhenConfigured) {
  // UA rules off: /health/ready is checked below and would say "starting" while they load.
  StartServer({{"VIGIA_API_KEYS", "key-one,key-two"}, {"VIGIA_INGEST_UA_REGEXES", "off"}});
  Result<HttpResult> r = Post(EventLine("k0"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->body.find("\"code\":\"unauthenticated\""), std::string::npos) << r->body;
  EXPECT_NE(r->Header("www-authenticate").find("Bearer"), std::string::npos);

  Headers wrong = kNdjson;
  wrong.emplace_back("Authorization", "Bearer key-three");
  r = Post(EventLine("k1"), wrong);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);

  Headers right = kNdjson;
  right.emplace_back("Authorization", "Bearer key-two");
  r = Post(EventLine("k2"), right);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;

  // The query endpoint is protected too; the health endpoints are not.
  HttpClient c(server_->port());
  Result<HttpResult> d = c.Request("GET", "/v1/query?q=*");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, 401);
  auto uids = CountUids(Dump({{"Authorization", "Bearer key-one"}}));
  EXPECT_EQ(uids.size(), 1u);
  EXPECT_EQ(uids["k2"], 1);
  Result<HttpResult> h = c.Request("GET", "/health/ready");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
}

TEST_F(IngestIt, ApiKeysFromFileInConfig) {
  std::string keys = dir_.path() + "/keys";
  std::ofstream(keys) << "# ingest\nfile-key\n";
  std::string cfg = dir_.path() + "/vigia.toml";
  std::ofstream(cfg) << "[auth]\napi_keys_file = \"" << keys << "\"\n";
  StartServer({}, {"--config", cfg});
  Result<HttpResult> r = Post(EventLine("f0"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  Headers right = kNdjson;
  right.emplace_back("Authorization", "Bearer file-key");
  r = Post(EventLine("f1"), right);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

TEST_F(IngestIt, HealthEndpoints) {
  StartServer({{"VIGIA_INGEST_UA_REGEXES", "off"}});  // ready at once (no UA rules to load)
  HttpClient c(server_->port());
  Result<HttpResult> live = c.Request("GET", "/health/live");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(live->status, 200);
  EXPECT_EQ(live->body.find("{\"status\":\"ok\",\"uptime_sec\":"), 0u) << live->body;
  Result<HttpResult> ready = c.Request("GET", "/health/ready");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body.find("{\"status\":\"ok\",\"store\":\"ok\",\"uptime_sec\":"), 0u)
      << ready->body;
}

TEST_F(IngestIt, ErrorsAreJsonWithRequestIds) {
  StartServer();
  HttpClient c(server_->port());
  Result<HttpResult> r = c.Request("GET", "/no/such/path", {}, {{"X-Request-ID", "trace-7.a:b"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->Header("x-request-id"), "trace-7.a:b");
  EXPECT_NE(r->body.find("\"code\":\"not_found\""), std::string::npos);

  r = c.Request("DELETE", "/v1/events");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("allow"), "POST");
  EXPECT_EQ(r->Header("x-request-id").size(), 36u);  // generated UUIDv7
  EXPECT_EQ(r->Header("x-request-id")[14], '7');

  r = c.Request("POST", "/v1/events", EventLine("rid"),
                {{"Content-Type", "application/x-ndjson"}, {"X-Request-ID", "bad id with spaces"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("x-request-id").size(), 36u);
  // The access log names the request.
  std::string id = r->Header("x-request-id");
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  std::string log = server_->Log();
  EXPECT_NE(log.find("\"request_id\":\"" + id + "\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"request_id\":\"trace-7.a:b\""), std::string::npos);
}

TEST_F(IngestIt, EventsSurviveRestart) {
  StartServer();
  ASSERT_EQ(Post(EventLine("keep"))->status, 200);
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  ASSERT_TRUE(server_->Start().ok());
  EXPECT_EQ(CountUids(Dump())["keep"], 1);
}

// Error events get a fingerprint at ingest (src/errors/fingerprint_deriver.h): the same bug
// with different values shares one, and `fingerprint:X` (a bloom-indexed column) finds them.
TEST_F(IngestIt, ErrorEventsAreFingerprinted) {
  StartServer();
  std::string body =
      R"({"kind":"error","service":"api","error":{"type":"KeyError","message":"user 1 missing"},"uid":"e1"})"
      "\n"
      R"({"kind":"error","service":"api","error":{"type":"KeyError","message":"user 22 missing"},"uid":"e2"})"
      "\n"
      R"({"kind":"error","service":"api","error":{"type":"KeyError","message":"cart 3 empty"},"uid":"e3"})"
      "\n";
  ASSERT_EQ(Post(body)->status, 200);
  std::string dump = Dump();
  size_t at = dump.find("\"fingerprint\":\"");
  ASSERT_NE(at, std::string::npos) << dump;
  std::string fp = dump.substr(at + 15, 16);
  HttpClient c(server_->port());
  Result<HttpResult> r =
      c.Request("GET", "/v1/query?q=fingerprint:" + fp + "&format=ndjson", {}, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  std::map<std::string, int> uids = CountUids(r->body);
  EXPECT_EQ(uids.size(), 2u) << r->body;
  EXPECT_EQ(uids["e1"] + uids["e2"], 2) << r->body;
}

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

TEST(CliIt, VersionAndConfigErrors) {
  int code = -1;
  std::string out = RunCli("version", &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out.find("vigia 0."), 0u) << out;

  TempDir dir;
  std::string cfg = dir.path() + "/bad.toml";
  std::ofstream(cfg) << "[wal]\nfsync = \"sometimes\"\n";
  out = RunCli("serve --config " + cfg, &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("wal.fsync"), std::string::npos) << out;

  out = RunCli("serve --listen nonsense", &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("--listen"), std::string::npos) << out;
}

}  // namespace
}  // namespace vigia::testing

// Integration: tenants, roles and API keys against the real `vigia serve` (docs/security.md).
// A matrix over every route and every role (403 for what a role forbids), tenant isolation of
// every read path (query, stats, trace, tail live and backfilled), forged tenant fields,
// revoked/expired/malformed keys and huge headers, open mode on and off loopback.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "it_util.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/stream_client.h"

namespace vigia::testing {
namespace {

constexpr char kBootstrap[] = "bootstrap-legacy-admin";

Headers Auth(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

// The value of a string member "name":"..." of a JSON body (tests only: no escapes).
std::string Member(const std::string& body, const std::string& name) {
  std::string k = "\"" + name + "\":\"";
  size_t p = body.find(k);
  if (p == std::string::npos) return "";
  p += k.size();
  return body.substr(p, body.find('"', p) - p);
}

std::string TenantLine(const std::string& uid, const std::string& tenant) {
  std::string line = EventLine(uid);
  if (!tenant.empty()) line.insert(1, "\"tenant\":\"" + tenant + "\",");
  return line;
}

class SecurityIt : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.data_dir = dir_.path() + "/data";
    o.env = {{"VIGIA_API_KEYS", kBootstrap}};
    server_ = std::make_unique<ServerProcess>(o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    }
  }
  HttpResult Call(const std::string& method, const std::string& target, const std::string& key,
                  const std::string& body = "", Headers extra = {}) {
    HttpClient c(server_->port());
    Headers h = key.empty() ? Headers{} : Auth(key);
    for (auto& e : extra) h.push_back(e);
    Result<HttpResult> r = c.Request(method, target, body, h);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpResult{};
  }
  // Creates a stored key through the admin API; returns the key (and its id in *id).
  std::string CreateKey(const std::string& role, const std::string& tenant,
                        const std::string& expires = "", std::string* id = nullptr) {
    std::string body = R"({"role":")" + role + R"(","tenant":")" + tenant + R"(")" +
                       (expires.empty() ? "" : R"(,"expires":")" + expires + R"(")") + "}";
    HttpResult r = Call("POST", "/v1/admin/keys", kBootstrap, body);
    EXPECT_EQ(r.status, 201) << r.body;
    if (id) *id = Member(r.body, "id");
    return Member(r.body, "key");
  }
  std::string Dump(const std::string& key) {
    HttpResult r = Call("GET", "/v1/query?q=*&format=ndjson&limit=100000", key);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(SecurityIt, TenantsNeverSeeEachOthersEventsOnAnyReadPath) {
  std::string ingest_a = CreateKey("ingest", "acme");
  std::string ingest_b = CreateKey("ingest", "globex");
  std::string read_a = CreateKey("read", "acme");
  std::string read_b = CreateKey("read", "globex");
  std::string admin = CreateKey("admin", "");
  ASSERT_FALSE(admin.empty());

  // acme also tries to write into globex with a forged tenant field: it lands in acme.
  std::string a_body = EventLine("a1") + EventLine("a2") + TenantLine("a3-forged", "globex") +
                       TenantLine("shared", "");
  std::string b_body = EventLine("b1") + EventLine("b2") + TenantLine("shared", "");
  EXPECT_EQ(Call("POST", "/v1/events", ingest_a, a_body).status, 200);
  EXPECT_EQ(Call("POST", "/v1/events", ingest_b, b_body).status, 200);

  auto a = CountUids(Dump(read_a));
  auto b = CountUids(Dump(read_b));
  EXPECT_EQ(a, (std::map<std::string, int>{{"a1", 1}, {"a2", 1}, {"a3-forged", 1}, {"shared", 1}}));
  EXPECT_EQ(b, (std::map<std::string, int>{{"b1", 1}, {"b2", 1}, {"shared", 1}}));
  EXPECT_EQ(CountUids(Dump(admin)).size(), 6u);  // admin: every tenant
  EXPECT_EQ(Dump(read_a).find("\"tenant\":\"globex\""), std::string::npos);

  // Explicitly asking for the other tenant gives nothing.
  HttpResult other = Call("GET", "/v1/query?q=tenant:%3Dglobex&format=ndjson", read_a);
  EXPECT_EQ(other.status, 200);
  EXPECT_TRUE(CountUids(other.body).empty()) << other.body;
  HttpResult orq = Call("GET", "/v1/query?q=tenant:globex%20OR%20uid:b1&format=ndjson", read_a);
  EXPECT_TRUE(CountUids(orq.body).empty()) << orq.body;

  // Aggregates are computed over the key's tenant only.
  HttpResult stats =
      Call("GET", "/v1/query?q=*%20%7C%20stats%20count()%20as%20n%20by%20(tenant)", read_a);
  EXPECT_EQ(stats.status, 200) << stats.body;
  EXPECT_NE(stats.body.find("acme"), std::string::npos) << stats.body;
  EXPECT_EQ(stats.body.find("globex"), std::string::npos) << stats.body;

  // Trace: the request id "req-shared" exists in both tenants.
  HttpResult ta = Call("GET", "/v1/trace/req-shared", read_a);
  EXPECT_EQ(ta.status, 200);
  EXPECT_EQ(CountUids(ta.body).size(), 1u);
  EXPECT_NE(ta.body.find("\"tenant\":\"acme\""), std::string::npos);
  EXPECT_EQ(Call("GET", "/v1/trace?request_id=req-b1", read_a).status, 404);
  EXPECT_EQ(Call("GET", "/v1/trace?request_id=req-b1", read_b).status, 200);

  // Tail: the backfill and the live events of the other tenant never show.
  StreamClient tail(server_->port());
  ASSERT_TRUE(tail.Open("/v1/tail?since=2026-11-01T00:00:00Z&q=*", Auth(read_a)).ok());
  EXPECT_EQ(tail.status(), 200);
  EXPECT_EQ(Call("POST", "/v1/events", ingest_b, EventLine("b-live")).status, 200);
  EXPECT_EQ(Call("POST", "/v1/events", ingest_a, EventLine("a-live")).status, 200);
  std::string seen;
  while (CountUids(seen).count("a-live") == 0) {
    Result<std::string> line = tail.ReadLine(5000);
    ASSERT_TRUE(line.ok()) << line.status().ToString() << " after: " << seen;
    seen += *line + "\n";
  }
  auto tailed = CountUids(seen);
  EXPECT_EQ(tailed, (std::map<std::string, int>{
                        {"a1", 1}, {"a2", 1}, {"a3-forged", 1}, {"shared", 1}, {"a-live", 1}}));
}

TEST_F(SecurityIt, EveryRouteRefusesTheRolesItDoesNotAllow) {
  std::string ingest = CreateKey("ingest", "acme");
  std::string read = CreateKey("read", "acme");
  std::string admin = CreateKey("admin", "");
  std::string victim_id;
  CreateKey("read", "acme", "", &victim_id);
  ASSERT_EQ(Call("POST", "/v1/events", ingest, EventLine("r1")).status, 200);

  struct Case {
    std::string method, target, body, needs;
  };
  const std::vector<Case> cases = {
      {"POST", "/v1/events", EventLine("r2"), "ingest"},
      {"GET", "/v1/query?q=*", "", "read"},
      {"POST", "/v1/query", "*", "read"},
      {"GET", "/v1/trace/req-r1", "", "read"},
      {"GET", "/v1/trace?request_id=req-r1", "", "read"},
      {"GET", "/v1/stats", "", "admin"},
      {"GET", "/metrics", "", "admin"},
      {"GET", "/v1/admin/keys", "", "admin"},
      {"POST", "/v1/admin/keys", R"({"role":"read","tenant":"x"})", "admin"},
      {"DELETE", "/v1/admin/keys/" + victim_id, "", "admin"},
  };
  const std::map<std::string, std::string> keys = {
      {"ingest", ingest}, {"read", read}, {"admin", admin}};
  for (const Case& c : cases) {
    for (const auto& [role, key] : keys) {
      HttpResult r = Call(c.method, c.target, key, c.body);
      bool allowed = role == "admin" || role == c.needs;
      if (allowed) {
        EXPECT_LT(r.status, 300) << role << " " << c.method << " " << c.target << ": " << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << role << " " << c.method << " " << c.target << ": " << r.body;
        EXPECT_EQ(Member(r.body, "code"), "forbidden");
      }
    }
    HttpResult anon = Call(c.method, c.target, "", c.body);
    EXPECT_EQ(anon.status, 401) << c.method << " " << c.target;
    EXPECT_EQ(anon.Header("www-authenticate"), "Bearer realm=\"vigia\"");
  }
  // Tail: read yes, ingest no.
  StreamClient ok(server_->port());
  ASSERT_TRUE(ok.Open("/v1/tail?q=*", Auth(read)).ok());
  EXPECT_EQ(ok.status(), 200);
  EXPECT_EQ(Call("GET", "/v1/tail?q=*", ingest).status, 403);
  // Health stays public.
  EXPECT_EQ(Call("GET", "/health/live", "").status, 200);
}

TEST_F(SecurityIt, BadKeysGetClearErrorsThatLeakNothing) {
  std::string revoked_id, expiring_id;
  std::string revoked = CreateKey("read", "acme", "", &revoked_id);
  std::string expiring = CreateKey("read", "acme", "1s", &expiring_id);
  EXPECT_EQ(Call("GET", "/v1/query?q=*", revoked).status, 200);
  EXPECT_EQ(Call("DELETE", "/v1/admin/keys/" + revoked_id, kBootstrap).status, 200);
  HttpResult r = Call("GET", "/v1/query?q=*", revoked);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("API key revoked"), std::string::npos);
  EXPECT_EQ(r.body.find(revoked.substr(20)), std::string::npos);

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the 1 s key expires
  HttpResult e = Call("GET", "/v1/query?q=*", expiring);
  EXPECT_EQ(e.status, 401);
  EXPECT_NE(e.body.find("API key expired"), std::string::npos);

  std::string wrong = revoked;
  wrong[30] = wrong[30] == 'a' ? 'b' : 'a';
  for (const std::string& header :
       {std::string("Bearer"), std::string("Bearer "), std::string("Basic dXNlcjpwYXNz"),
        std::string("Bearer a b"), "Bearer " + wrong, std::string("Bearer vk_"),
        std::string("bearer nope-guess-12345"), std::string("Token abc")}) {
    HttpResult m = Call("GET", "/v1/query?q=*", "", "", {{"Authorization", header}});
    EXPECT_EQ(m.status, 401) << header;
    EXPECT_EQ(Member(m.body, "code"), "unauthenticated");
    if (header.size() > 12) {
      EXPECT_EQ(m.body.find(header.substr(7)), std::string::npos) << m.body;
    }
  }
  // A huge Authorization header is refused by the transport before any lookup.
  HttpResult huge = Call("GET", "/v1/query?q=*", "", "",
                         {{"Authorization", "Bearer " + std::string(100000, 'k')}});
  EXPECT_EQ(huge.status, 431);
  EXPECT_EQ(huge.body.find("kkkkkkkk"), std::string::npos);

  // The key list shows states and never a key or hash.
  HttpResult list = Call("GET", "/v1/admin/keys", kBootstrap);
  EXPECT_NE(list.body.find("\"state\":\"revoked\""), std::string::npos) << list.body;
  EXPECT_NE(list.body.find("\"state\":\"expired\""), std::string::npos) << list.body;
  EXPECT_EQ(list.body.find("vk_"), std::string::npos);
  EXPECT_EQ(list.body.find(revoked.substr(20)), std::string::npos);

  // Key changes are audit events (default tenant, visible to admins).
  HttpResult audit =
      Call("GET", "/v1/query?q=kind:audit%20entity:api_key&format=ndjson", kBootstrap);
  EXPECT_NE(audit.body.find("\"action\":\"key.revoke\""), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find("\"entity_id\":\"" + revoked_id + "\""), std::string::npos);
}

// The keys survive a restart (hashed in <data>/auth/api_keys.tsv), and `vigia keys` works on
// the same file offline.
TEST_F(SecurityIt, KeysPersistAndTheCliManagesThemOffline) {
  std::string id;
  std::string read = CreateKey("read", "acme", "", &id);
  ASSERT_EQ(server_->Stop(SIGTERM), 0);
  std::string data = dir_.path() + "/data";
  std::string file = data + "/auth/api_keys.tsv";
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(id), std::string::npos);
  EXPECT_EQ(text.find(read.substr(20)), std::string::npos);  // never the key

  std::string vigia = std::getenv("VIGIA_BINARY");
  std::string cmd =
      vigia + " keys create --data " + data + " --role ingest --tenant acme 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[256] = {};
  ASSERT_NE(fgets(buf, sizeof(buf), p), nullptr);
  EXPECT_EQ(pclose(p), 0);
  std::string cli_key(buf);
  while (!cli_key.empty() && cli_key.back() == '\n') cli_key.pop_back();
  EXPECT_EQ(
      std::system((vigia + " keys revoke --data " + data + " " + id + " 2>/dev/null").c_str()), 0);

  ASSERT_TRUE(server_->Start().ok());
  EXPECT_EQ(Call("POST", "/v1/events", cli_key, EventLine("cli")).status, 200);
  EXPECT_EQ(Call("GET", "/v1/query?q=*", read).status, 401);  // revoked offline
}

// Rate limits over the real server: the key's ingest bucket, then the address's bucket,
// each a 429 with Retry-After that names the limit (never the key), counted on /metrics.
TEST(SecurityRateLimitIt, KeyAndAddressBucketsAnswer429WithRetryAfter) {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.env = {{"VIGIA_API_KEYS", kBootstrap},
           {"VIGIA_RATE_LIMIT_KEY_INGEST_PER_SEC", "1"},
           {"VIGIA_RATE_LIMIT_KEY_INGEST_BURST", "3"},
           {"VIGIA_RATE_LIMIT_IP_PER_SEC", "1"},
           {"VIGIA_RATE_LIMIT_IP_BURST", "40"}};
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok());
  int sent = 0;  // requests to authenticated routes: the address's bucket
  auto call = [&](const std::string& method, const std::string& target, const std::string& key,
                  const std::string& body = "") {
    ++sent;
    HttpClient c(server.port());
    Result<HttpResult> r = c.Request(method, target, body, Auth(key));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpResult{};
  };
  HttpResult created =
      call("POST", "/v1/admin/keys", kBootstrap, R"({"role":"ingest","tenant":"acme"})");
  std::string ingest = Member(created.body, "key");
  ASSERT_FALSE(ingest.empty()) << created.body;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(call("POST", "/v1/events", ingest, EventLine("rl" + std::to_string(i))).status, 200);
  }
  // The bucket refills one token a second: on a loaded machine (or under a sanitizer) a
  // request may take that long, so keep sending until one is refused rather than expecting
  // the fourth to be.
  HttpResult limited;
  for (int i = 0; i < 25; ++i) {
    limited = call("POST", "/v1/events", ingest, EventLine("rl-over"));
    if (limited.status != 200) break;
  }
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.Header("retry-after"), "1");
  EXPECT_EQ(Member(limited.body, "code"), "rate_limited");
  EXPECT_NE(limited.body.find("key_ingest_per_sec"), std::string::npos) << limited.body;
  EXPECT_EQ(limited.body.find(ingest.substr(20)), std::string::npos);
  // Another key has its own bucket.
  EXPECT_EQ(call("POST", "/v1/events", kBootstrap, EventLine("rl-admin")).status, 200);
  HttpResult metrics = call("GET", "/metrics", kBootstrap);
  EXPECT_NE(metrics.body.find("vigia_rate_limited_total{limit=\"key_ingest\"} 1"),
            std::string::npos)
      << metrics.body;

  // The address's burst of 40 runs out whatever the key; /health stays free.
  HttpResult by_ip;
  while (sent < 60) {
    by_ip = call("GET", "/v1/query?q=*", kBootstrap);
    if (by_ip.status == 429) break;
  }
  EXPECT_EQ(by_ip.status, 429) << by_ip.body;
  EXPECT_NE(by_ip.body.find("ip_per_sec"), std::string::npos) << by_ip.body;
  EXPECT_GE(std::stoi(by_ip.Header("retry-after")), 1);
  HttpClient health(server.port());
  EXPECT_EQ(health.Request("GET", "/health/live")->status, 200);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

// Open mode (no key at all) is today's single-tenant server, on loopback only.
TEST(SecurityOpenModeIt, OpenOnLoopbackRefusedElsewhereUnlessAllowed) {
  TempDir dir;
  {
    ServerOptions o;
    o.data_dir = dir.path() + "/open";
    ServerProcess s(o);
    ASSERT_TRUE(s.Start().ok());
    HttpClient c(s.port());
    auto r = c.Request("POST", "/v1/events", TenantLine("o1", "t1"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200);
    auto q = c.Request("GET", "/v1/query?q=tenant:%3Dt1&format=ndjson");
    EXPECT_EQ(CountUids(q->body).count("o1"), 1u);  // the client's tenant field is kept
    EXPECT_EQ(s.Stop(SIGTERM), 0);
  }
  std::string vigia = std::getenv("VIGIA_BINARY");
  uint16_t port = FreePort();
  std::string serve = vigia + " serve --data " + dir.path() +
                      "/wide --listen 0.0.0.0:" + std::to_string(port) + " > " + dir.path() +
                      "/wide.log 2>&1";
  int rc = std::system(serve.c_str());
  EXPECT_NE(WEXITSTATUS(rc), 0);
  std::ifstream log(dir.path() + "/wide.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("without API keys"), std::string::npos) << text;

  // With auth.allow_open it starts, with a warning (stopped by `timeout` after 2 s).
  std::string allowed = "VIGIA_AUTH_ALLOW_OPEN=true timeout -s TERM 2 " + vigia + " serve --data " +
                        dir.path() + "/allowed --listen 0.0.0.0:" + std::to_string(FreePort()) +
                        " > " + dir.path() + "/allowed.log 2>&1";
  (void)std::system(allowed.c_str());
  std::ifstream alog(dir.path() + "/allowed.log");
  std::string atext((std::istreambuf_iterator<char>(alog)), std::istreambuf_iterator<char>());
  EXPECT_NE(atext.find("serving without authentication"), std::string::npos) << atext;
  EXPECT_NE(atext.find("\"ready\""), std::string::npos) << atext;
}

}  // namespace
}  // namespace vigia::testing

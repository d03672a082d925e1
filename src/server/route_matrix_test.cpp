// The tenant/role matrix over a real server (every module of `vigia serve`, real HTTP on a
// socket): for EVERY route the router holds — read from Router::RouteTable(), so a route
// added later is in the matrix without anyone remembering it — and every role:
//   - no key: 401 with WWW-Authenticate (every non-public route);
//   - a role the route's Access does not permit: 403 `forbidden`;
//   - a permitted role: neither 401 nor 403;
//   - a key of tenant acme: the answer never contains tenant globex's data (a marker planted
//     in globex's events: messages, fields, request ids, audit records, errors).
// The live /v1/tail is read as a stream for a moment; the other routes are plain requests.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "backup/backup_key.h"
#include "server/server_route_fixture.h"
#include "support/http_client.h"
#include "support/stream_client.h"

namespace vigia::testing {
namespace {

constexpr char kBootstrap[] = "matrix-bootstrap-admin";
// Planted in every event of tenant globex; must never reach a key of tenant acme.
constexpr char kMarker[] = "GLOBEXSECRET";

std::string Member(const std::string& body, const std::string& name) {
  std::string k = "\"" + name + "\":\"";
  size_t p = body.find(k);
  if (p == std::string::npos) return "";
  p += k.size();
  return body.substr(p, body.find('"', p) - p);
}

std::string GlobexEvents() {
  std::string out;
  for (int i = 0; i < 3; ++i) {
    std::string n = std::to_string(i);
    out += R"({"ts":"2026-11-22T10:0)" + n +
           R"(:00Z","kind":"request","service":"GLOBEXSECRET-svc","request_id":"req-gx)" + n +
           R"(","user_id":"GLOBEXSECRET-user","msg":"GLOBEXSECRET request","method":"GET",)"
           R"("route":"/GLOBEXSECRET","status":500,"duration_ms":12,"ip":"192.0.2.1"})"
           "\n";
  }
  out += R"j({"ts":"2026-11-22T10:05:00Z","kind":"error","service":"GLOBEXSECRET-svc",)j"
         R"j("request_id":"req-gx0","error":{"type":"GLOBEXSECRETError",)j"
         R"j("message":"GLOBEXSECRET boom","stack":"at GLOBEXSECRET.run (app.js:1:1)"}})j"
         "\n";
  out += R"({"ts":"2026-11-22T10:06:00Z","kind":"audit","action":"GLOBEXSECRET.delete",)"
         R"("actor":"GLOBEXSECRET-admin","entity":"invoice","entity_id":"GLOBEXSECRET-1"})"
         "\n";
  return out;
}

std::string AcmeEvents() {
  return R"({"ts":"2026-11-22T10:00:00Z","kind":"request","service":"acme-svc",)"
         R"("request_id":"req-acme","msg":"ACMEDATA request","method":"GET","route":"/a",)"
         R"("status":200,"duration_ms":5})"
         "\n";
}

class RouteMatrixTest : public ServerRouteFixture {
 protected:
  void SetUp() override {
    ServerRouteFixture::SetUp();
    std::filesystem::create_directories(dir_);
    config_.api_keys_file = (dir_ / "keys.txt").string();
    std::ofstream(config_.api_keys_file) << kBootstrap << "\n";
    // Backups configured, so the backup routes exist (verification off: it is not tested here).
    config_.backup.target = (dir_ / "backups").string();
    config_.backup.key_file = (dir_ / "backup.key").string();
    std::ofstream(config_.backup.key_file) << BackupKey::GenerateKeyFileContents();
    config_.backup.verify = BackupVerifyPolicy::kNever;
    // The matrix sends a few hundred requests from one address: no rate limit in the way.
    config_.rate_limit.ip_per_sec = 0;
    config_.rate_limit.key_ingest_per_sec = 0;
    config_.rate_limit.key_query_per_sec = 0;
    Start();
    port_ = server_->port();
  }

  HttpResult Http(const std::string& method, const std::string& target, const std::string& key,
                  const std::string& body = "",
                  const std::string& content_type = "application/json") {
    HttpClient c(port_, 10000);
    Headers h;
    if (!key.empty()) h.push_back({"Authorization", "Bearer " + key});
    if (!body.empty()) h.push_back({"Content-Type", content_type});
    Result<HttpResult> r = c.Request(method, target, body, h);
    EXPECT_TRUE(r.ok()) << method << " " << target << ": " << r.status().ToString();
    return r.ok() ? *r : HttpResult{};
  }
  std::string NewKey(const std::string& role, const std::string& tenant) {
    HttpResult r = Http("POST", "/v1/admin/keys", kBootstrap,
                        R"({"role":")" + role + R"(","tenant":")" + tenant + R"("})");
    EXPECT_EQ(r.status, 201) << r.body;
    return Member(r.body, "key");
  }

  uint16_t port_ = 0;
};

// A concrete request for a route: {params} filled with globex's ids (so a route that leaked
// across tenants would find them), a query that matches everything.
std::string TargetFor(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      size_t close = path.find('}', i);
      std::string name = path.substr(i + 1, close - i - 1);
      out += name == "request_id" ? "req-gx0" : "matrix-probe";
      i = close;
    } else {
      out += path[i];
    }
  }
  return out + "?q=*&since=2026-11-01T00:00:00Z&limit=1000";
}

TEST_F(RouteMatrixTest, EveryRouteEveryRoleNoCrossTenantData) {
  std::map<std::string, std::string> keys = {
      {"ingest", NewKey("ingest", "acme")},
      {"read", NewKey("read", "acme")},
      {"admin", NewKey("admin", "")},
  };
  std::string globex_ingest = NewKey("ingest", "globex");
  HttpResult seeded =
      Http("POST", "/v1/events", globex_ingest, GlobexEvents(), "application/x-ndjson");
  ASSERT_EQ(seeded.status, 200) << seeded.body;
  ASSERT_NE(seeded.body.find("\"accepted\":5"), std::string::npos) << seeded.body;
  ASSERT_EQ(Http("POST", "/v1/events", keys["ingest"], AcmeEvents(), "application/x-ndjson").status,
            200);
  // Positive controls: the marker is readable by admin, acme's read key sees acme.
  HttpResult all = Http("GET", "/v1/query?q=*&format=ndjson&limit=1000", keys["admin"]);
  ASSERT_NE(all.body.find(kMarker), std::string::npos) << all.body;
  HttpResult acme = Http("GET", "/v1/query?q=*&format=ndjson&limit=1000", keys["read"]);
  ASSERT_NE(acme.body.find("ACMEDATA"), std::string::npos) << acme.body;
  ASSERT_EQ(acme.body.find(kMarker), std::string::npos) << acme.body;

  // The routes the issue names must be there (the table is not silently empty).
  std::set<std::string> paths;
  std::vector<std::string> table = server_->router().RouteTable();
  for (const std::string& row : table) paths.insert(row.substr(row.find(' ') + 1));
  for (const char* want :
       {"/v1/events ingest", "/v1/query read", "/v1/trace/{request_id} read", "/v1/tail read",
        "/v1/kpis read", "/v1/slos read", "/v1/probes read", "/v1/alerts admin", "/v1/rules admin",
        "/v1/silences admin", "/v1/audit read", "/v1/admin/backups admin", "/v1/admin/keys admin",
        "/v1/stats admin", "/metrics admin"}) {
    EXPECT_EQ(paths.count(want), 1u) << "missing route " << want;
  }

  int checked = 0;
  for (const std::string& row : table) {
    // "METHOD path access"
    size_t a = row.find(' ');
    size_t b = row.rfind(' ');
    std::string method = row.substr(0, a);
    std::string path = row.substr(a + 1, b - a - 1);
    std::string access = row.substr(b + 1);
    if (access == "public") continue;
    // GET / answers only Elasticsearch clients (Router::AddWhen); for others it is not there.
    if (path == "/") continue;
    std::string target = TargetFor(path);
    std::string body = method == "GET" || method == "DELETE" ? "" : "{}";
    bool streaming = path == "/v1/tail";
    SCOPED_TRACE(row);
    ++checked;

    if (!streaming) {
      HttpResult anon = Http(method, target, "", body);
      EXPECT_EQ(anon.status, 401) << anon.body;
      EXPECT_EQ(anon.Header("www-authenticate"), "Bearer realm=\"vigia\"");
    }
    for (const auto& [role, key] : keys) {
      bool permitted = role == "admin" || role == access;
      int status = 0;
      std::string seen;
      if (streaming) {
        StreamClient s(port_);
        Headers h = {{"Authorization", "Bearer " + key}};
        ASSERT_TRUE(s.Open(target, h).ok());
        status = s.status();
        for (int i = 0; status == 200 && i < 50; ++i) {
          Result<std::string> line = s.ReadLine(200);
          if (!line.ok()) break;
          seen += *line + "\n";
        }
      } else {
        HttpResult r = Http(method, target, key, body);
        status = r.status;
        seen = r.body;
        for (const auto& [k, v] : r.headers) seen += k + ": " + v + "\n";
      }
      if (permitted) {
        EXPECT_NE(status, 401) << role << ": " << seen;
        EXPECT_NE(status, 403) << role << ": " << seen;
      } else {
        EXPECT_EQ(status, 403) << role << ": " << seen;
        if (!streaming) {
          EXPECT_EQ(Member(seen, "code"), "forbidden") << role;
        }
      }
      if (role != "admin") {
        EXPECT_EQ(seen.find(kMarker), std::string::npos) << role << " sees tenant globex:\n"
                                                         << seen.substr(0, 2000);
      }
    }
  }
  EXPECT_GE(checked, 25);
}

}  // namespace
}  // namespace vigia::testing

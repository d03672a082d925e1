// The dashboard module inside a real Server (every module of `vigia serve`, through its
// router): the UI answers `/` and its client routes without a key while the API behind it
// keeps asking for one, `dashboard.enabled = false` removes it, and the UI calls only API
// routes that exist and are documented — every '/v1/...' or '/health/...' literal of its
// scripts is a path of Router::RouteTable() and appears in docs/ (the scripts write each
// API path whole, with {name} placeholders, so this scan sees all of them).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "dashboard/embedded_files.h"
#include "server/server_route_fixture.h"

namespace vigia::testing {
namespace {

class DashboardRoutesTest : public ServerRouteFixture {
 protected:
  void SetUpWithKey(bool enabled) {
    std::filesystem::create_directories(dir_);
    config_.api_keys_file = (dir_ / "keys.txt").string();
    std::ofstream(config_.api_keys_file) << "dash-admin-key\n";
    config_.dashboard.enabled = enabled;
    Start();
  }
};

// Every API path literal in the UI's scripts: '/v1/...', "/v1/...", `/v1/...` (and /health/).
std::set<std::string> ApiPathsInScripts() {
  std::set<std::string> out;
  for (const dashboard::EmbeddedFile& f : dashboard::EmbeddedFiles()) {
    if (!f.path.ends_with(".js")) continue;
    std::string text(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
    for (size_t i = 0; i + 1 < text.size(); ++i) {
      char q = text[i];
      if (q != '\'' && q != '"' && q != '`') continue;
      std::string_view rest(text.data() + i + 1, text.size() - i - 1);
      if (!rest.starts_with("/v1/") && !rest.starts_with("/health/")) continue;
      size_t end = rest.find(q);
      if (end == std::string_view::npos) continue;
      out.insert(std::string(rest.substr(0, end)));
    }
  }
  return out;
}

std::string AllDocs() {
  const char* src = std::getenv("VIGIA_SOURCE_DIR");
  std::string all;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(src ? src : ".") + "/docs")) {
    if (e.path().extension() != ".md") continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return all;
}

TEST_F(DashboardRoutesTest, UiIsPublicTheApiBehindItIsNot) {
  SetUpWithKey(true);
  HttpResponse root = Call("GET", "/", "", {{"Accept", "text/html,application/xhtml+xml"}});
  EXPECT_EQ(root.status, 200) << root.body;
  EXPECT_EQ(root.content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(root.Header("Content-Security-Policy").empty());
  EXPECT_EQ(Call("GET", "/ui/search?q=level:error").status, 200);
  // The shell names its module under /ui/assets/<version>/, served without a key.
  const size_t end = root.body.find("/js/app.js\"");
  const size_t at = root.body.rfind("/ui/assets/", end);
  ASSERT_TRUE(end != std::string::npos && at != std::string::npos) << root.body;
  const std::string app = root.body.substr(at, end + 10 - at);
  EXPECT_EQ(app.size(), std::string("/ui/assets/0123456789abcdef/js/app.js").size()) << app;
  EXPECT_EQ(Call("HEAD", app).status, 200);
  EXPECT_EQ(Call("GET", app).content_type, "text/javascript; charset=utf-8");
  // The API still wants a key; an unknown API path is still the API's 404.
  EXPECT_EQ(Call("GET", "/v1/query?q=*").status, 401);
  EXPECT_EQ(Call("GET", "/v1/no-such-route").status, 404);
  // Without text/html, `/` is the Elasticsearch handshake (an ingest route: a key is needed).
  EXPECT_EQ(Call("GET", "/").status, 401);
  // A POST to a UI path is no route at all.
  EXPECT_EQ(Call("POST", "/ui/search").status, 404);
}

TEST_F(DashboardRoutesTest, DisabledLeavesTheApi404) {
  SetUpWithKey(false);
  EXPECT_EQ(Call("GET", "/", "", {{"Accept", "text/html"}}).status, 404);
  EXPECT_EQ(Call("GET", "/ui/search").status, 404);
}

TEST_F(DashboardRoutesTest, UiCallsOnlyRoutesThatExistAndAreDocumented) {
  SetUpWithKey(true);
  std::set<std::string> paths;
  for (const std::string& row : server_->router().RouteTable()) {
    // "METHOD path access"
    size_t a = row.find(' ');
    size_t b = row.find(' ', a + 1);
    paths.insert(row.substr(a + 1, b - a - 1));
  }
  std::set<std::string> used = ApiPathsInScripts();
  // The pages of the issue: search, tail, trace, KPIs/SLOs, alerts, errors, audit, status.
  for (const char* must : {"/v1/query", "/v1/tail", "/v1/trace/{request_id}", "/v1/kpis",
                           "/v1/slos", "/v1/alerts", "/v1/errors", "/v1/audit", "/health/ready"}) {
    EXPECT_TRUE(used.count(must)) << must << " is not called by the UI";
  }
  const std::string docs = AllDocs();
  for (const std::string& p : used) {
    EXPECT_TRUE(paths.count(p)) << "the UI calls " << p << ", which is no route of the server";
    // Documented: the path up to its first {param} appears in docs/ (names may differ).
    std::string stem = p.substr(0, p.find('{'));
    EXPECT_NE(docs.find(stem), std::string::npos) << p << " is not in docs/";
  }
}

}  // namespace
}  // namespace vigia::testing

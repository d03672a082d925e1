// Integration: the web dashboard in a real browser. The real `vigia serve` (API keys on, an
// alert rule evaluated every second) and headless Debian chromium driven by playwright-core
// (tests/dashboard/, installed with `npm ci` from its lockfile): tests/dashboard/
// dashboard.test.mjs ingests events through the API and checks every page as a user sees it
// — search count equal to the API's, histogram drawn and drag-zoomed into the URL,
// click-to-filter, a syntax error at line:column, the live tail receiving a new event, the
// trace timeline, KPI tile colours, errors, alerts, audit, status — with no error in the
// browser console. Then a server on the defaults (no key) shows search without a key dialog.
// Screenshots of the pages go to <build>/dashboard-screenshots/.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "support/server_process.h"

namespace vigia::testing {
namespace {

std::string SourceDir() {
  const char* src = std::getenv("VIGIA_SOURCE_DIR");
  return src ? src : ".";
}

std::string ShotsDir(const std::string& name) {
  const char* bin = std::getenv("VIGIA_BINARY");
  std::string b = bin ? bin : "./vigia";
  return b.substr(0, b.rfind('/') + 1) + "dashboard-screenshots/" + name;
}

int RunShell(const std::string& cmd, std::string* out) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

class DashboardIt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string out;
    int rc = RunShell(
        "cd '" + SourceDir() + "/tests/dashboard' && npm ci --no-audit --no-fund --loglevel=error",
        &out);
    npm_ok_ = rc == 0;
    npm_out_ = out;
  }
  void SetUp() override {
    ASSERT_TRUE(npm_ok_)
        << "npm ci failed in tests/dashboard (the npm registry must be reachable):\n"
        << npm_out_;
    ASSERT_EQ(std::system("test -x /usr/bin/chromium"), 0)
        << "Debian's chromium is needed (scripts/install-deps.sh installs it)";
  }
  void RunBrowser(uint16_t port, const std::string& key, const std::string& mode,
                  const ServerProcess& server) {
    std::string out;
    int rc =
        RunShell("cd '" + SourceDir() +
                     "/tests/dashboard' && timeout 120 node dashboard.test.mjs http://127.0.0.1:" +
                     std::to_string(port) + " '" + key + "' '" + ShotsDir(mode) + "' " + mode,
                 &out);
    EXPECT_EQ(rc, 0) << out << "\nscreenshots: " << ShotsDir(mode) << "\n--- server log ---\n"
                     << server.Log();
  }
  static inline bool npm_ok_ = false;
  static inline std::string npm_out_;
  TempDir dir_;
};

TEST_F(DashboardIt, EveryPageWithApiKeysInChromium) {
  const std::string rules = dir_.path() + "/rules";
  ASSERT_EQ(std::system(("mkdir -p '" + rules + "'").c_str()), 0);
  std::ofstream(rules + "/dashboard.yml") << R"yaml(groups:
  - name: dashboard
    interval: 1s
    rules:
      - name: DashboardErrors
        query: "level:error _time:1h | stats count() as n by (service)"
        condition: n > 0
        annotations:
          summary: "{{ $value }} errors in {{ $labels.service }}"
)yaml";
  ServerOptions o;
  o.data_dir = dir_.path() + "/data";
  o.default_retention = true;  // the events are of today
  o.wait_ready = true;         // the UA rules classify the trace's browser
  o.env = {{"VIGIA_API_KEYS", "dashboard-test-key"}, {"VIGIA_ALERTS_RULES_DIR", rules}};
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  RunBrowser(server.port(), "dashboard-test-key", "full", server);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

TEST_F(DashboardIt, SearchOnTheDefaultsWithoutAKey) {
  ServerOptions o;
  o.data_dir = dir_.path() + "/data";
  o.default_retention = true;
  ServerProcess server(o);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  RunBrowser(server.port(), "", "defaults", server);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

}  // namespace
}  // namespace vigia::testing

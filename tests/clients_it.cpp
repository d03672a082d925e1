// Integration: real client libraries from npm against the real `vigia serve`, records sent
// equal records stored, field by field:
//   - the OpenTelemetry JS logs SDK with its OTLP/HTTP JSON exporter (POST /v1/logs) and
//     its protobuf exporter (gzip, POST /otlp/v1/logs) — tests/clients/otel/send.js;
//   - winston-loki, a Loki client library, with its JSON and its snappy-protobuf pushes
//     (POST /loki/api/v1/push) — tests/clients/loki/send.js;
//   - the Sentry SDK for Node (@sentry/node) pointed at vigia by a DSN (envelopes to
//     /api/{project_id}/envelope/): exceptions, messages, breadcrumbs, tags, user, release
//     and environment arrive and group — tests/clients/sentry-node/send.js.
// The clients are installed by the test with `npm ci` from their committed lockfiles; when
// that fails (no registry) the test fails, it never passes without having run them.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "support/http_client.h"
#include "support/server_process.h"

namespace vigia::testing {
namespace {

std::string ClientDir(const std::string& name) {
  const char* src = std::getenv("VIGIA_SOURCE_DIR");
  return std::string(src ? src : ".") + "/tests/clients/" + name;
}

// Runs `cmd` with sh; returns its exit code and puts stdout+stderr in *out.
int RunShell(const std::string& cmd, std::string* out) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// The stored events of `service`, one NDJSON line each, by their "uid" field.
std::map<std::string, std::string> StoredByUid(uint16_t port, const std::string& service) {
  HttpClient c(port);
  Result<HttpResult> r =
      c.Request("GET", "/v1/query?q=service:" + service + "&format=ndjson&limit=1000");
  std::map<std::string, std::string> out;
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return out;
  EXPECT_EQ(r->status, 200) << r->body;
  size_t pos = 0;
  while (pos < r->body.size()) {
    size_t nl = r->body.find('\n', pos);
    if (nl == std::string::npos) nl = r->body.size();
    std::string line = r->body.substr(pos, nl - pos);
    pos = nl + 1;
    size_t u = line.find("\"uid\":\"");
    if (u == std::string::npos) continue;
    u += 7;
    out[line.substr(u, line.find('"', u) - u)] = line;
  }
  return out;
}

class ClientsIt : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.data_dir = dir_.path() + "/data";
    server_ = std::make_unique<ServerProcess>(o);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    }
  }
  // `npm ci` in the client's folder (node_modules is git-ignored), then `node send.js`.
  void Send(const std::string& client, const std::string& encoding, const std::string& service) {
    const std::string dir = ClientDir(client);
    std::string out;
    int rc = RunShell("cd '" + dir + "' && npm ci --no-audit --no-fund --loglevel=error", &out);
    ASSERT_EQ(rc, 0) << "npm ci failed in " << dir
                     << " (the npm registry must be reachable to run this test):\n"
                     << out;
    out.clear();
    rc = RunShell("cd '" + dir + "' && timeout 60 node send.js http://127.0.0.1:" +
                      std::to_string(server_->port()) + " " + encoding + " " + service,
                  &out);
    ASSERT_EQ(rc, 0) << client << " " << encoding << " failed:\n" << out << server_->Log();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ClientsIt, OpenTelemetrySdkExportersJsonAndProtobuf) {
  for (const std::string enc : {"json", "proto"}) {
    const std::string service = "otel-" + enc;
    Send("otel", enc, service);
    std::map<std::string, std::string> got = StoredByUid(server_->port(), service);
    ASSERT_EQ(got.size(), 4u) << enc;
    const std::string origin =
        R"("service":")" + service + R"(","env":"staging","host":"otel-host-1","version":"1.4.2",)";
    const std::string scope = R"("scope.name":"checkout-logger","scope.version":"0.9.0"})";
    EXPECT_EQ(got[enc + "-1"],
              R"({"ts":"2026-11-22T10:00:00.123456789Z","kind":"log","level":"info",)" + origin +
                  R"("msg":"request completed","trace_id":"5b8efff798038103d269b633813fc60c",)"
                  R"("span_id":"eee19b7ec3c1b174","method":"POST","route":"/sales/{id}/pay",)"
                  R"("path":"/sales/7/pay","status":201,"ip":"203.0.113.7","uid":")" +
                  enc +
                  R"(-1","cart.total":19.5,"cart.items":3,"retry":false,"tags":"[\"a\",\"b\"]",)" +
                  scope);
    EXPECT_EQ(got[enc + "-2"],
              R"({"ts":"2026-11-22T10:00:01Z","kind":"log","level":"error",)" + origin +
                  R"j("msg":"payment failed","error.type":"GatewayError",)j"
                  R"j("error.message":"upstream timeout","error.stack":"GatewayError: upstream )j"
                  R"j(timeout\n    at pay (/app/pay.js:10:5)","fingerprint":"93409b39019dee78",)j"
                  R"("uid":")" +
                  enc + R"(-2",)" + scope);
    EXPECT_EQ(got[enc + "-3"], R"({"ts":"2026-11-22T10:00:02.500Z","kind":"log","level":"warn",)" +
                                   origin +
                                   R"("msg":"map body","request_id":"r-42","customer.id":"c-9",)"
                                   R"("customer.tier":"gold","uid":")" +
                                   enc + R"(-3",)" + scope);
    EXPECT_EQ(got[enc + "-4"], R"({"ts":"2026-11-22T10:00:03Z","kind":"log","level":"fatal",)" +
                                   origin +
                                   R"("msg":"text-only severity","user_id":"u-77","uid":")" + enc +
                                   R"(-4",)" + scope);
  }
  // A trace id finds its logs.
  HttpClient c(server_->port());
  Result<HttpResult> r =
      c.Request("GET", "/v1/query?q=trace_id:5b8efff798038103d269b633813fc60c&format=ndjson");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::count(r->body.begin(), r->body.end(), '\n'), 2) << r->body;
}

TEST_F(ClientsIt, WinstonLokiJsonAndProtobuf) {
  for (const std::string enc : {"json", "proto"}) {
    const std::string service = "loki-" + enc;
    Send("loki", enc, service);
    std::map<std::string, std::string> got = StoredByUid(server_->port(), service);
    ASSERT_EQ(got.size(), 3u) << enc;
    const std::string origin = R"("service":")" + service + R"(","env":"staging",)";
    // The line is winston's JSON (its own fields, parsed as the event); the labels add
    // service (service_name) and env; winston-loki's JSON pushes also repeat the metadata as
    // Loki structured metadata (strings: `error` as JSON text).
    EXPECT_EQ(got[enc + "-1"], R"({"ts":"2026-11-22T10:00:00.123Z","kind":"log","level":"info",)" +
                                   origin +
                                   R"("msg":"request completed","request_id":"r-1","status":201,)"
                                   R"("duration_ms":37.5,"perf_class":"excellent",)"
                                   R"("timestamp":"2026-11-22T10:00:00.123Z","uid":")" +
                                   enc + R"(-1"})");
    EXPECT_EQ(
        got[enc + "-2"],
        R"({"ts":"2026-11-22T10:00:01Z","kind":"log","level":"error",)" + origin +
            R"("msg":"payment failed","error.type":"GatewayError",)"
            R"("error.message":"upstream timeout","fingerprint":"c7d07f731a989d6e",)"
            R"("timestamp":"2026-11-22T10:00:01.000Z","uid":")" +
            enc + R"(-2")" +
            (enc == "json"
                 ? R"(,"error":"{\"type\":\"GatewayError\",\"message\":\"upstream timeout\"}"})"
                 : "}"));
    EXPECT_EQ(got[enc + "-3"],
              R"({"ts":"2026-11-22T10:00:02Z","kind":"log","level":"warn",)" + origin +
                  R"("msg":"low stock","item.left":2,"item.sku":"A-1","labels.job":"inventory",)"
                  R"("timestamp":"2026-11-22T10:00:02.000Z","uid":")" +
                  enc + R"(-3")" +
                  (enc == "json" ? R"(,"item":"{\"sku\":\"A-1\",\"left\":2}","job":"inventory"})"
                                 : R"(,"job":"inventory"})"));
  }
}

// The Sentry SDK with a DSN whose key is a vigia API key: every event arrives, the same bug
// groups across values, a message groups by its template, and the SDK's context is kept.
TEST(SentrySdkIt, CaptureExceptionMessageBreadcrumbsTagsGroup) {
  const std::string key = "sentrytestkey0123456789abcdef";
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.env = {{"VIGIA_API_KEYS", key}};
  ServerProcess server(o);
  Status st = server.Start();
  ASSERT_TRUE(st.ok()) << st.ToString();
  const std::string client = ClientDir("sentry-node");
  std::string out;
  int rc = RunShell("cd '" + client + "' && npm ci --no-audit --no-fund --loglevel=error", &out);
  ASSERT_EQ(rc, 0) << "npm ci failed in " << client
                   << " (the npm registry must be reachable to run this test):\n"
                   << out;
  out.clear();
  rc = RunShell("cd '" + client + "' && timeout 60 node send.js http://127.0.0.1:" +
                    std::to_string(server.port()) + " " + key + " 7",
                &out);
  ASSERT_EQ(rc, 0) << "@sentry/node failed:\n" << out << server.Log();

  HttpClient c(server.port());
  const Headers auth = {{"Authorization", "Bearer " + key}};
  Result<HttpResult> r = c.Request("GET", "/v1/errors?service=checkout&sort=count", "", auth);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  simdjson::dom::parser parser;
  simdjson::dom::element list;
  ASSERT_EQ(parser.parse(r->body).get(list), simdjson::SUCCESS) << r->body;
  // Three groups: the payment bug (3 events), the message template (2), the TypeError (1).
  ASSERT_EQ(uint64_t(list["total"]), 3u) << r->body;
  simdjson::dom::element pay = list["errors"].at(0);
  EXPECT_EQ(uint64_t(pay["count"]), 3u) << r->body;
  EXPECT_EQ(std::string_view(pay["type"]), "PaymentDeclined");
  EXPECT_EQ(std::string_view(pay["title"]).rfind("PaymentDeclined: card declined for amount ", 0),
            0u);
  EXPECT_EQ(std::string_view(pay["culprit"]).rfind("chargeCard (send.js)", 0), 0u) << r->body;
  EXPECT_EQ(uint64_t(pay["users"]), 1u);
  EXPECT_EQ(std::string_view(pay["releases"].at(0)), "shop@2.3.1");
  EXPECT_EQ(std::string_view(pay["environments"].at(0)), "staging");
  simdjson::dom::element msg = list["errors"].at(1);
  EXPECT_EQ(uint64_t(msg["count"]), 2u);
  // The SDK sends the two messages on concurrent requests: either may arrive first and
  // become the group's title.
  const std::string_view msg_title = msg["title"];
  EXPECT_TRUE(msg_title == "order 17 stuck in state pending" ||
              msg_title == "order 99 stuck in state pending")
      << msg_title;
  simdjson::dom::element type_error = list["errors"].at(2);
  EXPECT_EQ(uint64_t(type_error["count"]), 1u);
  EXPECT_EQ(std::string_view(type_error["type"]), "TypeError");

  // The events keep the SDK's context: breadcrumbs, tags, user, host, release.
  const std::string fp{std::string_view(pay["fingerprint"])};
  r = c.Request("GET", "/v1/errors/" + fp, "", auth);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  simdjson::dom::element detail;
  ASSERT_EQ(parser.parse(r->body).get(detail), simdjson::SUCCESS);
  simdjson::dom::array latest = detail["latest_events"];
  ASSERT_EQ(latest.size(), 3u);
  simdjson::dom::element ev = latest.at(0);
  EXPECT_EQ(std::string_view(ev["kind"]), "error");
  EXPECT_EQ(std::string_view(ev["user_id"]), "u-42");
  EXPECT_EQ(std::string_view(ev["tags.region"]), "eu-west");
  EXPECT_EQ(std::string_view(ev["host"]), "node-host-1");
  EXPECT_EQ(std::string_view(ev["version"]), "shop@2.3.1");
  EXPECT_EQ(std::string_view(ev["sentry_project"]), "7");
  EXPECT_NE(std::string_view(ev["breadcrumbs"]).find("charging"), std::string_view::npos);
  EXPECT_NE(std::string_view(ev["error.stack"]).find("at chargeCard ("), std::string_view::npos);
  EXPECT_EQ(std::string_view(detail["distribution"]["release"].at(0)["value"]), "shop@2.3.1");
  // A wrong DSN key is refused.
  r = c.Request("POST", "/api/7/envelope/?sentry_key=wrongkey", "{}\n", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

}  // namespace
}  // namespace vigia::testing

// examples/pharmacy: seed 004's pharmacy backend on cpp-httplib, instrumented with the vigia
// SDK — every request gets a RequestScope (request id, client IP, duration, `request` event,
// X-Request-ID/X-Response-Time headers), logins and sales are audited, failures reported as
// error events, and the health routes answer {status, db, uptime_sec}.
//
// Usage: pharmacy [--port 8088]   (VIGIA_ENDPOINT / VIGIA_API_KEY / VIGIA_SPOOL_DIR from env)
// The header X-Incident: 5xx | slow makes a route fail or crawl (used by pharmacy_traffic).
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

#include "vigia/sdk.h"

namespace {

using namespace std::chrono_literals;
using vigia::sdk::Field;
using vigia::sdk::Level;

httplib::Server* g_server = nullptr;
const auto g_start = std::chrono::steady_clock::now();

long uptime_sec() {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - g_start)
          .count());
}

// Wraps a handler with a RequestScope; `route` is the template recorded as `route`.
httplib::Server::Handler instrument(vigia::sdk::Logger& log, const vigia::sdk::RequestOptions& opts,
                                    std::string route, httplib::Server::Handler h) {
  return [&log, &opts, route = std::move(route), h = std::move(h)](const httplib::Request& req,
                                                                   httplib::Response& res) {
    auto headers = [&req](std::string_view name) -> std::string_view {
      auto it = req.headers.find(std::string(name));  // httplib's header map is case-insensitive
      return it == req.headers.end() ? std::string_view() : std::string_view(it->second);
    };
    vigia::sdk::RequestScope scope(log, req.method, route, req.path, req.remote_addr, headers,
                                   opts);
    try {
      h(req, res);
    } catch (const std::exception& e) {
      log.report(e, {{"error.code", "E_UNHANDLED"}});
      res.status = 500;
      res.set_content(std::string("{\"error\":\"internal\",\"request_id\":\"") +
                          std::string(scope.request_id()) + "\"}",
                      "application/json");
    }
    if (res.status == -1) res.status = 200;  // httplib fills in 200 only after we return
    for (const auto& [k, v] : scope.finish(res.status, static_cast<int64_t>(res.body.size()),
                                           static_cast<int64_t>(req.body.size())))
      res.set_header(std::string(k), std::string(v));
  };
}

std::string json_field(const std::string& body, const std::string& key) {
  std::string k = "\"" + key + "\"";
  size_t p = body.find(k);
  if (p == std::string::npos) return {};
  p = body.find('"', body.find(':', p + k.size()) + 1);
  if (p == std::string::npos) return {};
  size_t e = body.find('"', p + 1);
  return e == std::string::npos ? std::string() : body.substr(p + 1, e - p - 1);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 8088;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--port") == 0) port = std::atoi(argv[i + 1]);

  vigia::sdk::Config cfg = vigia::sdk::Config::from_env();
  if (!std::getenv("VIGIA_SERVICE")) cfg.service = "pharmacy";
  cfg.version = "1.4.0";
  cfg.stdout_sink = true;
  if (cfg.spool_dir.empty()) cfg.spool_dir = "/tmp/pharmacy-vigia-spool";
  cfg.install_crash_handlers = true;
  cfg.metrics_interval = 10s;
  if (auto st = vigia::sdk::init(cfg); !st.ok()) {
    std::fprintf(stderr, "vigia init: %s\n", st.message().c_str());
    return 1;
  }
  vigia::sdk::Logger& log = *vigia::sdk::default_logger();
  vigia::sdk::RequestOptions opts;
  opts.slow_threshold = 1000ms;
  auto& sales_ms = log.metrics().histogram("sale.pay.duration");
  auto& sales_total = log.metrics().counter("sales.paid");

  httplib::Server svr;
  g_server = &svr;
  svr.Post("/auth/login",
           instrument(
               log, opts, "/auth/login", [&](const httplib::Request& req, httplib::Response& res) {
                 std::string user = json_field(req.body, "user"),
                             password = json_field(req.body, "password");
                 vigia::sdk::AuditEvent ev;
                 ev.action = "auth.login";
                 ev.entity = "user";
                 ev.entity_id = user;
                 ev.actor = user;
                 ev.sensitive = true;
                 if (password == "s3cret") {
                   ev.success = true;
                   log.audit(ev);
                   log.info("Login ok", {{"user_id", user}});
                   res.set_content(
                       "{\"token\":\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbmEifQ.c2lnbmF0dXJlLXNpZw\"}",
                       "application/json");
                 } else {
                   ev.success = false;
                   log.audit(ev, {{"reason", "bad_password"}});
                   // The password itself is redacted by the SDK even if a developer logs it by
                   // mistake.
                   log.warn("Login failed", {{"user_id", user}, {"password", password}});
                   res.status = 401;
                   res.set_content("{\"error\":\"invalid credentials\"}", "application/json");
                 }
               }));
  svr.Post(
      R"(/sales/(\d+)/pay)",
      instrument(log, opts, "/sales/{id}/pay",
                 [&](const httplib::Request& req, httplib::Response& res) {
                   std::string id = req.matches[1];
                   vigia::sdk::ScopedTimer timer(sales_ms);
                   vigia::sdk::AuditScope audit(log, "sale.pay", "sale", id);
                   if (req.get_header_value("X-Incident") == "5xx") {
                     throw std::runtime_error("payment gateway timeout (sale " + id + ")");
                   }
                   std::this_thread::sleep_for(std::chrono::milliseconds(5 + std::rand() % 20));
                   sales_total.add();
                   log.info("payment_confirmed", {{"sale_id", std::stoll(id)},
                                                  {"amount", 10.0 + std::rand() % 200},
                                                  {"method", "pix"}});
                   audit.success();
                   res.set_content("{\"status\":\"paid\"}", "application/json");
                 }));
  svr.Post("/cash/close",
           instrument(log, opts, "/cash/close",
                      [&](const httplib::Request& req, httplib::Response& res) {
                        vigia::sdk::AuditScope audit(log, "cash.close", "cash_register", "1", true);
                        auto delay = req.get_header_value("X-Incident") == "slow" ? 1200ms : 30ms;
                        std::this_thread::sleep_for(delay);
                        log.info("cash register closed", {{"store_id", "store-7"}});
                        audit.success();
                        res.set_content("{\"status\":\"closed\"}", "application/json");
                      }));
  svr.Get(
      "/health/live",
      instrument(log, opts, "/health/live", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("{\"status\":\"ok\",\"uptime_sec\":" + std::to_string(uptime_sec()) + "}",
                        "application/json");
      }));
  svr.Get(
      "/health/ready",
      instrument(log, opts, "/health/ready", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(
            "{\"status\":\"ok\",\"db\":\"ok\",\"uptime_sec\":" + std::to_string(uptime_sec()) + "}",
            "application/json");
      }));

  signal(SIGTERM, [](int) {
    if (g_server) g_server->stop();
  });
  signal(SIGINT, [](int) {
    if (g_server) g_server->stop();
  });
  log.info("pharmacy listening", {{"port", port}});
  svr.listen("127.0.0.1", port);
  log.info("pharmacy stopping");
  vigia::sdk::shutdown_default();
  return 0;
}

// vigia-ingest-load: a quick ingest load generator for ingest measurements
// (the full benchmark suite is bench/'s vigia-load). N keep-alive connections, one thread
// each, send pre-built batches of realistic ~350-byte events to POST /v1/events for a fixed
// time, then report events/s, MB/s and request latency percentiles.
//
//   vigia-ingest-load --port 7070 --connections 4 --seconds 10 --batch 1000
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"

namespace {

using vigia::testing::HttpClient;
using vigia::testing::HttpResult;

// A realistic request-log event, varied so that the store sees different values.
std::string MakeEvent(std::mt19937_64& rng, uint64_t seq) {
  static const char* kServices[] = {"sales-api", "auth-api", "catalog", "payments", "reports"};
  static const char* kRoutes[] = {"/sales/{id}/pay", "/auth/login", "/products", "/cart/{id}",
                                  "/reports/daily"};
  static const char* kLevels[] = {"info", "info", "info", "warn", "error"};
  static const int kStatus[] = {200, 200, 201, 404, 500};
  int k = static_cast<int>(rng() % 5);
  char buf[512];
  int n = std::snprintf(
      buf, sizeof(buf),
      "{\"ts\":\"2026-11-22T10:%02d:%02d.%03dZ\",\"level\":\"%s\",\"service\":\"%s\","
      "\"env\":\"prod\",\"host\":\"api-%02d\",\"request_id\":\"%016llx\",\"user_id\":\"u-%d\","
      "\"msg\":\"request completed in handler\",\"method\":\"POST\",\"route\":\"%s\","
      "\"path\":\"/v/%llu\",\"status\":%d,\"duration_ms\":%.1f,\"ip\":\"203.0.113.%d\","
      "\"ua\":\"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\"}\n",
      static_cast<int>(rng() % 60), static_cast<int>(rng() % 60), static_cast<int>(rng() % 1000),
      kLevels[k], kServices[rng() % 5], static_cast<int>(rng() % 16),
      static_cast<unsigned long long>(rng()), static_cast<int>(rng() % 5000), kRoutes[k],
      static_cast<unsigned long long>(seq), kStatus[k], static_cast<double>(rng() % 20000) / 10,
      static_cast<int>(rng() % 255));
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vigia-ingest-load: HTTP ingest load generator"};
  uint16_t port = 7070;
  int connections = 4;
  double seconds = 10;
  int batch = 1000;
  int distinct = 8;
  app.add_option("--port", port, "Server port on 127.0.0.1");
  app.add_option("--connections", connections, "Keep-alive connections (one thread each)");
  app.add_option("--seconds", seconds, "Duration");
  app.add_option("--batch", batch, "Events per request");
  app.add_option("--distinct", distinct, "Distinct pre-built batches per connection");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::vector<std::string>> requests(connections);
  size_t event_bytes = 0;
  uint64_t seq = 0;
  for (int c = 0; c < connections; ++c) {
    std::mt19937_64 rng(c * 7919 + 1);
    for (int d = 0; d < distinct; ++d) {
      std::string body;
      for (int i = 0; i < batch; ++i) body += MakeEvent(rng, seq++);
      event_bytes += body.size();
      requests[c].push_back(HttpClient::BuildRequest("POST", "/v1/events", body,
                                                     {{"Content-Type", "application/x-ndjson"}}));
    }
  }
  std::printf("avg event size: %.0f bytes\n",
              static_cast<double>(event_bytes) / static_cast<double>(seq));

  std::atomic<uint64_t> events{0}, bytes{0}, failures{0};
  std::vector<std::vector<double>> latencies(connections);
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      HttpClient client(port, 60000);
      for (size_t i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
        const std::string& req = requests[c][i % requests[c].size()];
        auto t0 = std::chrono::steady_clock::now();
        if (!client.connected() && !client.Connect().ok()) {
          ++failures;
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          continue;
        }
        vigia::Result<HttpResult> r = [&]() -> vigia::Result<HttpResult> {
          VIGIA_RETURN_IF_ERROR(client.SendRaw(req));
          return client.ReadResponse();
        }();
        if (!r.ok() || r->status != 200) {
          ++failures;
          client.Close();
          continue;
        }
        latencies[c].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        events += static_cast<uint64_t>(batch);
        bytes += req.size();
      }
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf(
      "connections=%d batch=%d seconds=%.1f requests=%zu failures=%llu\n"
      "events/s=%.0f MB/s=%.1f latency_ms p50=%.2f p99=%.2f max=%.2f\n",
      connections, batch, elapsed, all.size(), static_cast<unsigned long long>(failures.load()),
      static_cast<double>(events.load()) / elapsed,
      static_cast<double>(bytes.load()) / elapsed / 1e6, pct(0.5), pct(0.99),
      all.empty() ? 0.0 : all.back());
  return failures.load() == 0 ? 0 : 1;
}

// ndjson_decoder_bench: single-core throughput of NdjsonDecoder::Decode (framing, JSON
// parsing, validation and normalization into an EventBatch) on realistic ~350-byte events
// in 1,000-event bodies, the shape POST /v1/events receives.
//
//   ndjson_decoder_bench [--events N] [--batch N] [--rounds N] [--array 1]
//
// --array 1 sends each batch as one JSON array instead of NDJSON.
//
// Prints MB/s and events/s per second of this thread's CPU time (the machine is shared, so
// wall time mostly measures the neighbours) and per wall second; best of --rounds passes.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ingest/ndjson/ndjson_decoder.h"

namespace {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string Hex(std::mt19937_64& rng, int n) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) s += kHex[rng() & 15];
  return s;
}

// A mix of the seed formats: request logs (seed 000/004 style), errors and audit events.
std::string MakeEvent(std::mt19937_64& rng, int64_t ts_ms) {
  static const char* kRoutes[] = {"GET /api/items", "POST /sales/{id}/pay", "GET /health/ready",
                                  "POST /api/auth/login", "PUT /api/items/{id}"};
  static const char* kServices[] = {"pharma-backend", "sales-api", "auth", "reports"};
  char buf[1024];
  const int kind = static_cast<int>(rng() % 10);
  const std::string rid = Hex(rng, 8) + "-" + Hex(rng, 4) + "-" + Hex(rng, 4) + "-" + Hex(rng, 12);
  if (kind < 7) {
    std::snprintf(buf, sizeof(buf),
                  R"({"ts":%lld,"level":"info","service":"%s","env":"prod","requestId":"%s",)"
                  R"("userId":"u%u","route":"%s","status":%d,"duration_ms":%.2f,)"
                  R"("client_ip":"10.%u.%u.%u","user_agent":"Mozilla/5.0 (X11; Linux x86_64) )"
                  R"(Firefox/120.0","msg":"request completed","meta":{"storeId":"s%u",)"
                  R"("bytes":%u}})",
                  static_cast<long long>(ts_ms), kServices[rng() % 4], rid.c_str(),
                  static_cast<unsigned>(rng() % 100000), kRoutes[rng() % 5],
                  rng() % 20 == 0 ? 500 : 200, (rng() % 200000) / 100.0,
                  static_cast<unsigned>(rng() % 256), static_cast<unsigned>(rng() % 256),
                  static_cast<unsigned>(rng() % 256), static_cast<unsigned>(rng() % 50),
                  static_cast<unsigned>(rng() % 100000));
  } else if (kind < 9) {
    std::snprintf(buf, sizeof(buf),
                  R"({"timestamp":"2026-11-22T10:%02u:%02u.%03uZ","level":"ERROR","logger":"api",)"
                  R"("message":"Unhandled exception: ValueError","request_id":"%s","user_id":%u,)"
                  R"("endpoint":"%s","exception":{"type":"ValueError","message":"bad value %u",)"
                  R"("traceback":["Traceback (most recent call last):\n","  File \"app.py\", )"
                  R"(line 10\n","ValueError: bad\n"]}})",
                  static_cast<unsigned>(rng() % 60), static_cast<unsigned>(rng() % 60),
                  static_cast<unsigned>(rng() % 1000), rid.c_str(),
                  static_cast<unsigned>(rng() % 1000), kRoutes[rng() % 5],
                  static_cast<unsigned>(rng() % 100));
  } else {
    std::snprintf(buf, sizeof(buf),
                  R"({"timestamp":"2026-11-22 10:00:00.%06u+00:00","acao":"questao.criada",)"
                  R"("entidade":"questao","entidade_id":"%s","detalhes":{"titulo":"Soma de )"
                  R"(fracoes","tipo":"multipla","tags":["mat","basico"]},"usuario_id":"u%u",)"
                  R"("maquina_id":"%s","app_version":"1.4.2"})",
                  static_cast<unsigned>(rng() % 1000000), Hex(rng, 24).c_str(),
                  static_cast<unsigned>(rng() % 1000), Hex(rng, 12).c_str());
  }
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  size_t events = 200000, batch = 1000, rounds = 5, array = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) events = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--batch")) batch = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--array")) array = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::mt19937_64 rng(7);
  std::vector<std::string> bodies;
  size_t total_bytes = 0;
  for (size_t made = 0; made < events;) {
    std::string body = array ? "[" : "";
    for (size_t i = 0; i < batch && made < events; ++i, ++made) {
      if (array && i > 0) body += ",\n";
      body += MakeEvent(rng, 1763805600000 + static_cast<int64_t>(made));
      if (!array) body += '\n';
    }
    if (array) body += "]";
    total_bytes += body.size();
    bodies.push_back(std::move(body));
  }
  vigia::NdjsonDecoder decoder;
  double best = 1e100, best_cpu = 1e100;
  uint64_t accepted = 0, fields = 0;
  for (size_t r = 0; r < rounds; ++r) {
    accepted = fields = 0;
    auto t0 = std::chrono::steady_clock::now();
    const double c0 = ThreadCpuSeconds();
    for (const std::string& body : bodies) {
      vigia::EventBatch out;
      vigia::DecodeResult res = decoder.Decode(body, 0, &out);
      accepted += res.accepted;
      fields += out.total_fields();
    }
    const double cpu = ThreadCpuSeconds() - c0;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s < best) best = s;
    if (cpu < best_cpu) best_cpu = cpu;
  }
  if (accepted != events) {
    std::fprintf(stderr, "only %llu of %zu events accepted\n",
                 static_cast<unsigned long long>(accepted), events);
    return 1;
  }
  std::printf("events=%zu avg_bytes=%.0f fields/event=%.1f batch=%zu body=%s\n", events,
              static_cast<double>(total_bytes) / events, static_cast<double>(fields) / events,
              batch, array ? "json-array" : "ndjson");
  std::printf("decode per CPU-second: %.1f MB/s, %.0f events/s (best of %zu, %.3f s)\n",
              total_bytes / best_cpu / 1e6, events / best_cpu, rounds, best_cpu);
  std::printf("decode per wall-second: %.1f MB/s, %.0f events/s (%.3f s)\n",
              total_bytes / best / 1e6, events / best, best);
  return 0;
}

// protocol_decoder_bench: single-core decode throughput of each ingest protocol on the same
// canonical events, next to NDJSON — what one core spends turning a request body (or a
// syslog batch) into canonical events (framing, parsing, alias rules, typing, derived
// fields), without the WAL and the HTTP transport, which are the same for every protocol.
//
//   protocol_decoder_bench [--events N] [--batch N] [--rounds N]
//
// Bodies of --batch events (1,000: a shipper's batch; the syslog listener's batches are up
// to 2,000) built from the same request events (service, route, status, duration, ip, ua,
// request id, message):
//   ndjson          {"ts":...,"level":"info","service":...} lines (POST /v1/events)
//   elasticsearch   action line + the ECS document of the same event (POST /_bulk)
//   syslog-5424     <134>1 TS HOST APP PID - [http@32473 method=.. route=.. status=..] msg
//   syslog-json     RFC 5424 whose MSG is the NDJSON line (apps logging JSON to syslog)
//   syslog-3164     <134>Mmm dd hh:mm:ss HOST APP[PID]: msg  (the minimal BSD line)
// Prints events/s per CPU-second of this thread (the machine is shared: wall time measures
// the neighbours), best of --rounds, and each protocol's rate as a share of NDJSON's.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ingest/ingest_protocols.h"

namespace {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Ev {
  std::string ts;  // RFC 3339
  std::string service, host, method, route, path, rid, ip, ua, msg;
  int status = 200;
  double duration_ms = 0;
  int pid = 0;
};

Ev MakeEvent(std::mt19937_64& rng, int i) {
  static const char* kRoutes[][3] = {{"GET", "/api/items", "/api/items"},
                                     {"POST", "/sales/{id}/pay", "/sales/91/pay"},
                                     {"POST", "/api/auth/login", "/api/auth/login"},
                                     {"PUT", "/api/items/{id}", "/api/items/7"}};
  static const char* kServices[] = {"pharma-backend", "sales-api", "auth", "reports"};
  Ev e;
  char buf[64];
  std::snprintf(buf, sizeof buf, "2026-11-22T10:%02d:%02d.%03dZ", (i / 60000) % 60, (i / 1000) % 60,
                i % 1000);
  e.ts = buf;
  e.service = kServices[rng() % 4];
  e.host = "web-" + std::to_string(rng() % 8);
  const auto& r = kRoutes[rng() % 4];
  e.method = r[0];
  e.route = r[1];
  e.path = r[2];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx", static_cast<unsigned long long>(rng() >> 32),
                static_cast<unsigned long long>(rng() & 0xffff));
  e.rid = buf;
  e.ip = "10." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + ".7";
  e.ua = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0";
  e.status = rng() % 20 == 0 ? 500 : 200;
  e.duration_ms = static_cast<double>(rng() % 200000) / 100.0;
  e.pid = static_cast<int>(rng() % 30000);
  e.msg = "request completed";
  return e;
}

std::string Ndjson(const Ev& e) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                R"({"ts":"%s","level":"info","service":"%s","host":"%s","request_id":"%s",)"
                R"("method":"%s","route":"%s","path":"%s","status":%d,"duration_ms":%.2f,)"
                R"("ip":"%s","ua":"%s","msg":"%s"})",
                e.ts.c_str(), e.service.c_str(), e.host.c_str(), e.rid.c_str(), e.method.c_str(),
                e.route.c_str(), e.path.c_str(), e.status, e.duration_ms, e.ip.c_str(),
                e.ua.c_str(), e.msg.c_str());
  return buf;
}

std::string Ecs(const Ev& e) {
  char buf[1024];
  std::snprintf(
      buf, sizeof buf,
      R"({"@timestamp":"%s","log":{"level":"info"},"service":{"name":"%s"},"host":{"name":"%s"},)"
      R"("http":{"request":{"id":"%s","method":"%s"},"response":{"status_code":%d},"route":"%s"},)"
      R"("url":{"path":"%s"},"event":{"duration":%lld},"client":{"ip":"%s"},)"
      R"("user_agent":{"original":"%s"},"message":"%s"})",
      e.ts.c_str(), e.service.c_str(), e.host.c_str(), e.rid.c_str(), e.method.c_str(), e.status,
      e.route.c_str(), e.path.c_str(), static_cast<long long>(e.duration_ms * 1e6), e.ip.c_str(),
      e.ua.c_str(), e.msg.c_str());
  return buf;
}

std::string Syslog5424(const Ev& e) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "<134>1 %s %s %s %d - [http@32473 request_id=\"%s\" method=\"%s\" route=\"%s\" "
                "path=\"%s\" status=\"%d\" duration_ms=\"%.2f\" ip=\"%s\"] %s",
                e.ts.c_str(), e.host.c_str(), e.service.c_str(), e.pid, e.rid.c_str(),
                e.method.c_str(), e.route.c_str(), e.path.c_str(), e.status, e.duration_ms,
                e.ip.c_str(), e.msg.c_str());
  return buf;
}

std::string SyslogJson(const Ev& e) {
  return "<134>1 " + e.ts + " " + e.host + " " + e.service + " " + std::to_string(e.pid) + " - - " +
         Ndjson(e);
}

std::string Syslog3164(const Ev& e, int i) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "<134>Nov 22 10:%02d:%02d %s %s[%d]: %s %s %s %d",
                (i / 60000) % 60, (i / 1000) % 60, e.host.c_str(), e.service.c_str(), e.pid,
                e.method.c_str(), e.path.c_str(), e.msg.c_str(), e.status);
  return buf;
}

// Octet-counted framing, as the syslog listener hands batches to the decoder.
void AppendFrame(std::string* body, const std::string& msg) {
  body->append(std::to_string(msg.size())).append(" ").append(msg);
}

struct Case {
  const char* name;
  const char* protocol;
  std::vector<std::string> bodies;
  size_t bytes = 0;
  double best_cpu = 1e100;
  double fields_per_event = 0;
};

}  // namespace

int main(int argc, char** argv) {
  size_t events = 100000, batch = 1000, rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--events")) events = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--batch")) batch = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::mt19937_64 rng(7);
  std::vector<Ev> evs;
  for (size_t i = 0; i < events; ++i) evs.push_back(MakeEvent(rng, static_cast<int>(i)));

  std::vector<Case> cases = {{"ndjson", "ndjson", {}},
                             {"elasticsearch", "elasticsearch", {}},
                             {"syslog-5424", "syslog", {}},
                             {"syslog-json", "syslog", {}},
                             {"syslog-3164", "syslog", {}}};
  for (size_t start = 0; start < events; start += batch) {
    std::string b[5];
    for (size_t i = start; i < std::min(events, start + batch); ++i) {
      const Ev& e = evs[i];
      b[0] += Ndjson(e) + "\n";
      b[1] += "{\"create\":{\"_index\":\"logs-" + e.service + "\"}}\n" + Ecs(e) + "\n";
      AppendFrame(&b[2], Syslog5424(e));
      AppendFrame(&b[3], SyslogJson(e));
      AppendFrame(&b[4], Syslog3164(e, static_cast<int>(i)));
    }
    for (int c = 0; c < 5; ++c) {
      cases[c].bytes += b[c].size();
      cases[c].bodies.push_back(std::move(b[c]));
    }
  }

  for (Case& c : cases) {
    const vigia::IngestProtocol* p = vigia::FindIngestProtocol(c.protocol);
    if (p == nullptr) {
      std::fprintf(stderr, "no protocol %s\n", c.protocol);
      return 1;
    }
    std::unique_ptr<vigia::IngestDecoder> decoder = p->make(vigia::DecoderOptions{});
    for (size_t r = 0; r < rounds; ++r) {
      uint64_t accepted = 0, fields = 0;
      const double c0 = ThreadCpuSeconds();
      for (const std::string& body : c.bodies) {
        vigia::EventBatch out;
        vigia::IngestRequest req;
        req.body = body;
        req.receive_ts_ns = 1;
        vigia::DecodeResult res = decoder->Decode(req, &out);
        accepted += res.accepted;
        fields += out.total_fields();
      }
      const double cpu = ThreadCpuSeconds() - c0;
      if (accepted != events) {
        std::fprintf(stderr, "%s: only %llu of %zu events accepted\n", c.name,
                     static_cast<unsigned long long>(accepted), events);
        return 1;
      }
      if (cpu < c.best_cpu) c.best_cpu = cpu;
      c.fields_per_event = static_cast<double>(fields) / static_cast<double>(events);
    }
  }
  const double ndjson_rate = static_cast<double>(events) / cases[0].best_cpu;
  std::printf("%-14s %10s %8s %9s %7s %9s\n", "protocol", "events/s", "MB/s", "bytes/ev", "fields",
              "vs ndjson");
  for (const Case& c : cases) {
    const double rate = static_cast<double>(events) / c.best_cpu;
    std::printf("%-14s %10.0f %8.1f %9.0f %7.1f %8.0f%%\n", c.name, rate,
                static_cast<double>(c.bytes) / c.best_cpu / 1e6,
                static_cast<double>(c.bytes) / static_cast<double>(events), c.fields_per_event,
                100.0 * rate / ndjson_rate);
  }
  std::printf("(per CPU-second of one thread, best of %zu rounds, %zu events in bodies of %zu)\n",
              rounds, events, batch);
  return 0;
}

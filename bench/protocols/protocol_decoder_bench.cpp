// protocol_decoder_bench: single-core decode throughput of each ingest protocol on the same
// canonical events, next to NDJSON — what one core spends turning a request body (or a
// syslog batch) into canonical events (framing, parsing, alias rules, typing, derived
// fields), without the WAL and the HTTP transport, which are the same for every protocol.
//
//   protocol_decoder_bench [--events N] [--batch N] [--rounds N] [--json] [--only NAME]
//
// Bodies of --batch events (1,000: a shipper's batch; the syslog listener's batches are up
// to 2,000) built from the same request events (service, route, status, duration, ip, ua,
// request id, message):
//   ndjson          {"ts":...,"level":"info","service":...} lines (POST /v1/events)
//   otlp-protobuf   ExportLogsServiceRequest, one ResourceLogs per (service, host) as an SDK
//                   or the Collector batches them; semantic-convention attributes (POST /v1/logs)
//   otlp-json       the same request in OTLP's JSON mapping
//   loki-json       streams labelled {service_name, host}, each line the event's JSON (Loki
//                   users log JSON lines; POST /loki/api/v1/push)
//   loki-protobuf   the same PushRequest in protobuf (after the route's snappy step)
//   elasticsearch   action line + the ECS document of the same event (POST /_bulk)
//   syslog-5424     <134>1 TS HOST APP PID - [http@32473 method=.. route=.. status=..] msg
//   syslog-json     RFC 5424 whose MSG is the NDJSON line (apps logging JSON to syslog)
//   syslog-3164     <134>Mmm dd hh:mm:ss HOST APP[PID]: msg  (the minimal BSD line)
// Prints events/s per CPU-second of this thread (the machine is shared: wall time measures
// the neighbours), best of --rounds, and each protocol's rate as a share of NDJSON's
// (target: >= 50 %); --json prints one JSON object instead (bench/run.sh stores it).
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "ingest/ingest_protocols.h"
#include "ingest/protowire/proto_writer.h"

namespace {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Ev {
  std::string ts;  // RFC 3339
  int64_t ts_ns = 0;
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
  // 2026-11-22T10:00:00Z
  e.ts_ns = (INT64_C(1795341600) + (i / 60000) % 60 * 60 + (i / 1000) % 60) * INT64_C(1000000000) +
            INT64_C(1000000) * (i % 1000);
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

using vigia::protowire::ProtoWriter;

template <typename F>
std::string Msg(F&& f) {
  std::string s;
  ProtoWriter w(&s);
  f(w);
  return s;
}

// OTLP AnyValue / KeyValue (common.proto).
std::string PbStr(std::string_view v) {
  return Msg([&](ProtoWriter& w) { w.Bytes(1, v); });
}
std::string PbInt(int64_t v) {
  return Msg([&](ProtoWriter& w) { w.Varint(3, static_cast<uint64_t>(v)); });
}
std::string PbDouble(double v) {
  return Msg([&](ProtoWriter& w) { w.Double(4, v); });
}
std::string PbKv(std::string_view key, const std::string& any) {
  return Msg([&](ProtoWriter& w) { w.Bytes(1, key).Bytes(2, any); });
}

std::string OtlpRecordPb(const Ev& e) {
  return Msg([&](ProtoWriter& w) {
    w.Fixed64(1, static_cast<uint64_t>(e.ts_ns));
    w.Varint(2, 9);  // INFO
    w.Bytes(3, "INFO");
    w.Bytes(5, PbStr(e.msg));
    w.Bytes(6, PbKv("request_id", PbStr(e.rid)));
    w.Bytes(6, PbKv("http.request.method", PbStr(e.method)));
    w.Bytes(6, PbKv("http.route", PbStr(e.route)));
    w.Bytes(6, PbKv("url.path", PbStr(e.path)));
    w.Bytes(6, PbKv("http.response.status_code", PbInt(e.status)));
    w.Bytes(6, PbKv("duration_ms", PbDouble(e.duration_ms)));
    w.Bytes(6, PbKv("client.address", PbStr(e.ip)));
    w.Bytes(6, PbKv("user_agent.original", PbStr(e.ua)));
  });
}

// Groups a batch's events by (service, host) as an SDK or the Collector sends them: one
// ResourceLogs per group, the resource naming both.
std::map<std::pair<std::string, std::string>, std::vector<const Ev*>> ByResource(
    const std::vector<const Ev*>& batch) {
  std::map<std::pair<std::string, std::string>, std::vector<const Ev*>> groups;
  for (const Ev* e : batch) groups[{e->service, e->host}].push_back(e);
  return groups;
}

std::string OtlpProtobuf(const std::vector<const Ev*>& batch) {
  std::string req;
  ProtoWriter out(&req);
  for (const auto& [key, evs] : ByResource(batch)) {
    std::string resource = Msg([&](ProtoWriter& w) {
      w.Bytes(1, PbKv("service.name", PbStr(key.first)));
      w.Bytes(1, PbKv("host.name", PbStr(key.second)));
    });
    std::string scope_logs = Msg([&](ProtoWriter& w) {
      w.Bytes(1, Msg([](ProtoWriter& s) { s.Bytes(1, "app"); }));
      for (const Ev* e : evs) w.Bytes(2, OtlpRecordPb(*e));
    });
    out.Bytes(1, Msg([&](ProtoWriter& w) { w.Bytes(1, resource).Bytes(2, scope_logs); }));
  }
  return req;
}

std::string OtlpJson(const std::vector<const Ev*>& batch) {
  std::string out;
  vigia::JsonWriter w(&out);
  auto str_attr = [&](std::string_view k, std::string_view v) {
    w.BeginObject().KV("key", k).Key("value").BeginObject().KV("stringValue", v).EndObject();
    w.EndObject();
  };
  w.BeginObject().Key("resourceLogs").BeginArray();
  for (const auto& [key, evs] : ByResource(batch)) {
    w.BeginObject().Key("resource").BeginObject().Key("attributes").BeginArray();
    str_attr("service.name", key.first);
    str_attr("host.name", key.second);
    w.EndArray().EndObject();
    w.Key("scopeLogs").BeginArray().BeginObject();
    w.Key("scope").BeginObject().KV("name", "app").EndObject();
    w.Key("logRecords").BeginArray();
    for (const Ev* e : evs) {
      w.BeginObject().KV("timeUnixNano", std::to_string(e->ts_ns));
      w.KV("severityNumber", 9).KV("severityText", "INFO");
      w.Key("body").BeginObject().KV("stringValue", e->msg).EndObject();
      w.Key("attributes").BeginArray();
      str_attr("request_id", e->rid);
      str_attr("http.request.method", e->method);
      str_attr("http.route", e->route);
      str_attr("url.path", e->path);
      w.BeginObject().KV("key", "http.response.status_code").Key("value").BeginObject();
      w.KV("intValue", std::to_string(e->status)).EndObject().EndObject();
      w.BeginObject().KV("key", "duration_ms").Key("value").BeginObject();
      w.KV("doubleValue", e->duration_ms).EndObject().EndObject();
      str_attr("client.address", e->ip);
      str_attr("user_agent.original", e->ua);
      w.EndArray().EndObject();
    }
    w.EndArray().EndObject().EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

// The event's JSON line without what the stream's labels carry.
std::string LokiLine(const Ev& e) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                R"({"level":"info","request_id":"%s","method":"%s","route":"%s","path":"%s",)"
                R"("status":%d,"duration_ms":%.2f,"ip":"%s","ua":"%s","msg":"%s"})",
                e.rid.c_str(), e.method.c_str(), e.route.c_str(), e.path.c_str(), e.status,
                e.duration_ms, e.ip.c_str(), e.ua.c_str(), e.msg.c_str());
  return buf;
}

std::string LokiJson(const std::vector<const Ev*>& batch) {
  std::string out;
  vigia::JsonWriter w(&out);
  w.BeginObject().Key("streams").BeginArray();
  for (const auto& [key, evs] : ByResource(batch)) {
    w.BeginObject().Key("stream").BeginObject();
    w.KV("service_name", key.first).KV("host", key.second).EndObject();
    w.Key("values").BeginArray();
    for (const Ev* e : evs) {
      w.BeginArray().String(std::to_string(e->ts_ns)).String(LokiLine(*e)).EndArray();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

std::string LokiProtobuf(const std::vector<const Ev*>& batch) {
  std::string req;
  ProtoWriter out(&req);
  for (const auto& [key, evs] : ByResource(batch)) {
    out.Bytes(1, Msg([&](ProtoWriter& w) {
                w.Bytes(1, "{service_name=\"" + key.first + "\", host=\"" + key.second + "\"}");
                for (const Ev* e : evs) {
                  w.Bytes(2, Msg([&](ProtoWriter& entry) {
                            entry.Bytes(
                                1, Msg([&](ProtoWriter& ts) {
                                  ts.Varint(1, static_cast<uint64_t>(e->ts_ns / 1000000000));
                                  ts.Varint(2, static_cast<uint64_t>(e->ts_ns % 1000000000));
                                }));
                            entry.Bytes(2, LokiLine(*e));
                          }));
                }
              }));
  }
  return req;
}

// Octet-counted framing, as the syslog listener hands batches to the decoder.
void AppendFrame(std::string* body, const std::string& msg) {
  body->append(std::to_string(msg.size())).append(" ").append(msg);
}

struct Case {
  const char* name;
  const char* protocol;
  const char* content_type;
  std::vector<std::string> bodies;
  size_t bytes = 0;
  double best_cpu = 1e100;
  double fields_per_event = 0;
};

}  // namespace

int main(int argc, char** argv) {
  size_t events = 100000, batch = 1000, rounds = 5;
  bool json = false;
  std::string only;  // one protocol and NDJSON (for perf record)
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--json")) {
      json = true;
      continue;
    }
    if (i + 1 >= argc) break;
    if (!std::strcmp(argv[i], "--events"))
      events = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--batch"))
      batch = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--rounds"))
      rounds = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--only"))
      only = argv[++i];
  }
  std::mt19937_64 rng(7);
  std::vector<Ev> evs;
  for (size_t i = 0; i < events; ++i) evs.push_back(MakeEvent(rng, static_cast<int>(i)));

  std::vector<Case> cases = {{"ndjson", "ndjson", "application/x-ndjson", {}},
                             {"otlp-protobuf", "otlp", "application/x-protobuf", {}},
                             {"otlp-json", "otlp", "application/json", {}},
                             {"loki-json", "loki", "application/json", {}},
                             {"loki-protobuf", "loki", "application/x-protobuf", {}},
                             {"elasticsearch", "elasticsearch", "application/x-ndjson", {}},
                             {"syslog-5424", "syslog", "", {}},
                             {"syslog-json", "syslog", "", {}},
                             {"syslog-3164", "syslog", "", {}}};
  constexpr int kCases = 9;
  for (size_t start = 0; start < events; start += batch) {
    std::string b[kCases];
    std::vector<const Ev*> in_batch;
    for (size_t i = start; i < std::min(events, start + batch); ++i) {
      const Ev& e = evs[i];
      in_batch.push_back(&e);
      b[0] += Ndjson(e) + "\n";
      b[5] += "{\"create\":{\"_index\":\"logs-" + e.service + "\"}}\n" + Ecs(e) + "\n";
      AppendFrame(&b[6], Syslog5424(e));
      AppendFrame(&b[7], SyslogJson(e));
      AppendFrame(&b[8], Syslog3164(e, static_cast<int>(i)));
    }
    b[1] = OtlpProtobuf(in_batch);
    b[2] = OtlpJson(in_batch);
    b[3] = LokiJson(in_batch);
    b[4] = LokiProtobuf(in_batch);
    for (int c = 0; c < kCases; ++c) {
      cases[c].bytes += b[c].size();
      cases[c].bodies.push_back(std::move(b[c]));
    }
  }

  if (!only.empty()) {
    std::erase_if(cases, [&](const Case& c) {
      return c.name != only && std::string_view(c.name) != "ndjson";
    });
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
        req.content_type = c.content_type;
        req.receive_ts_ns = 1;
        req.tenant = vigia::TenantBinding::FromEvents();
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
  if (json) {
    std::string out;
    vigia::JsonWriter w(&out);
    w.BeginObject()
        .KV("events", static_cast<uint64_t>(events))
        .KV("batch", static_cast<uint64_t>(batch));
    w.Key("protocols").BeginArray();
    for (const Case& c : cases) {
      const double rate = static_cast<double>(events) / c.best_cpu;
      w.BeginObject().KV("name", c.name).KV("events_per_cpu_sec", rate);
      w.KV("mb_per_cpu_sec", static_cast<double>(c.bytes) / c.best_cpu / 1e6);
      w.KV("bytes_per_event", static_cast<double>(c.bytes) / static_cast<double>(events));
      w.KV("vs_ndjson", rate / ndjson_rate).EndObject();
    }
    w.EndArray().EndObject();
    std::printf("%s\n", out.c_str());
    return 0;
  }
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

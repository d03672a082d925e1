// OtlpDecoder: the mapping of docs/ingest-otlp.md field by field, in both encodings (the
// protobuf requests are built with ProtoWriter against the field numbers of
// third_party/opentelemetry-proto; the real SDK exporters are tested in
// tests/otel_client_it.cpp), bad records named by number and path with the rest kept, and
// undecodable bodies.
#include "ingest/otlp/otlp_decoder.h"

#include <gtest/gtest.h>

#include <string>

#include "event/event_json.h"
#include "ingest/otlp/otlp_mapping.h"
#include "ingest/protowire/proto_reader.h"
#include "ingest/protowire/proto_writer.h"

namespace vigia {
namespace {

using protowire::Encode;
using protowire::ProtoWriter;

constexpr int64_t kRecv = 1'700'000'000'000'000'000;
constexpr uint64_t kTime = 1'765'000'000'123'456'789;

std::string StrValue(std::string_view v) {
  return Encode([&](ProtoWriter& w) { w.Bytes(1, v); });
}
std::string IntValue(int64_t v) {
  return Encode([&](ProtoWriter& w) { w.Varint(3, static_cast<uint64_t>(v)); });
}
std::string KV(std::string_view key, const std::string& any) {
  return Encode([&](ProtoWriter& w) { w.Bytes(1, key).Bytes(2, any); });
}
std::string Request(const std::string& resource, const std::string& scope,
                    const std::vector<std::string>& records) {
  std::string sl = Encode([&](ProtoWriter& w) {
    w.Bytes(1, scope);
    for (const std::string& r : records) w.Bytes(2, r);
  });
  std::string rl = Encode([&](ProtoWriter& w) { w.Bytes(1, resource).Bytes(2, sl); });
  return Encode([&](ProtoWriter& w) { w.Bytes(1, rl); });
}
std::string Resource() {
  return Encode([](ProtoWriter& w) {
    w.Bytes(1, KV("service.name", StrValue("checkout")));
    w.Bytes(1, KV("deployment.environment.name", StrValue("prod")));
    w.Bytes(1, KV("host.name", StrValue("web-1")));
    w.Bytes(1, KV("service.version", StrValue("1.4.2")));
    w.Bytes(1, KV("telemetry.sdk.language", StrValue("nodejs")));
  });
}
std::string Scope() {
  return Encode([](ProtoWriter& w) { w.Bytes(1, "app-logger").Bytes(2, "0.1"); });
}

std::string FullRecord() {
  return Encode([](ProtoWriter& w) {
    w.Fixed64(1, kTime);
    w.Fixed64(11, kTime + 5);
    w.Varint(2, 17);  // ERROR
    w.Bytes(3, "ERROR");
    w.Bytes(5, StrValue("payment failed"));
    w.Bytes(6, KV("http.request.method", StrValue("post")));
    w.Bytes(6, KV("http.route", StrValue("/sales/{id}/pay")));
    w.Bytes(6, KV("url.path", StrValue("/sales/7/pay")));
    w.Bytes(6, KV("http.response.status_code", IntValue(502)));
    w.Bytes(6, KV("client.address", StrValue("10.0.0.9")));
    w.Bytes(6, KV("exception.type", StrValue("GatewayError")));
    w.Bytes(6, KV("exception.message", StrValue("upstream timeout")));
    w.Bytes(6, KV("exception.stacktrace", StrValue("at pay()\nat main()")));
    w.Bytes(6, KV("cart.items", IntValue(3)));
    w.Bytes(6, KV("cart.total", Encode([](ProtoWriter& v) { v.Double(4, 19.5); })));
    w.Bytes(6, KV("retry", Encode([](ProtoWriter& v) { v.Varint(2, 1); })));
    w.Bytes(6, KV("tags", Encode([](ProtoWriter& v) {
                    v.Bytes(5, Encode([](ProtoWriter& a) {
                              a.Bytes(1, StrValue("a"));
                              a.Bytes(1, IntValue(2));
                            }));
                  })));
    w.Bytes(6, KV("customer", Encode([](ProtoWriter& v) {
                    v.Bytes(6, Encode([](ProtoWriter& m) {
                              m.Bytes(1, KV("id", StrValue("c-9")));
                              m.Bytes(1, KV("tier", StrValue("gold")));
                            }));
                  })));
    w.Bytes(6,
            KV("blob", Encode([](ProtoWriter& v) { v.Bytes(7, std::string("\x01\x02\xff", 3)); })));
    w.Bytes(9, std::string("\x5b\x8e\xfa\xc0\x9a\x1b\x2c\x3d\x4e\x5f\x60\x71\x82\x93\xa4\xb5", 16));
    w.Bytes(10, std::string("\x00\x11\x22\x33\x44\x55\x66\x77", 8));
    w.Bytes(12, "payment.failed");
  });
}

// The one event the full record maps to, as EventJson writes it.
constexpr std::string_view kFullEvent =
    R"({"ts":"2025-12-06T05:46:40.123456789Z","kind":"log","level":"error",)"
    R"("service":"checkout","env":"prod","host":"web-1","version":"1.4.2",)"
    R"("msg":"payment failed","trace_id":"5b8efac09a1b2c3d4e5f60718293a4b5",)"
    R"("span_id":"0011223344556677","method":"POST","route":"/sales/{id}/pay",)"
    R"("path":"/sales/7/pay","status":502,"ip":"10.0.0.9","error.type":"GatewayError",)"
    R"j("error.message":"upstream timeout","error.stack":"at pay()\nat main()",)j"
    R"("event.name":"payment.failed","cart.items":3,"cart.total":19.5,"retry":true,)"
    R"("tags":"[\"a\",2]","customer.id":"c-9","customer.tier":"gold","blob":"AQL/",)"
    R"("telemetry.sdk.language":"nodejs","scope.name":"app-logger","scope.version":"0.1"})";

std::string Json(const EventBatch& b, size_t i) { return EventJson(b, b.events()[i]); }

TEST(OtlpDecoderTest, ProtobufMapsEveryField) {
  OtlpDecoder d;
  EventBatch b;
  DecodeResult r = d.DecodeProtobuf(Request(Resource(), Scope(), {FullRecord()}), kRecv, &b);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(r.undecodable, "");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(Json(b, 0), kFullEvent);
}

TEST(OtlpDecoderTest, JsonMapsEveryFieldLikeProtobuf) {
  // The same record in OTLP's JSON mapping: int64 as strings, enums by name, hex ids.
  const std::string body = R"j({"resourceLogs":[{"resource":{"attributes":[
    {"key":"service.name","value":{"stringValue":"checkout"}},
    {"key":"deployment.environment.name","value":{"stringValue":"prod"}},
    {"key":"host.name","value":{"stringValue":"web-1"}},
    {"key":"service.version","value":{"stringValue":"1.4.2"}},
    {"key":"telemetry.sdk.language","value":{"stringValue":"nodejs"}}]},
   "scopeLogs":[{"scope":{"name":"app-logger","version":"0.1"},"logRecords":[{
    "timeUnixNano":"1765000000123456789","observedTimeUnixNano":"1765000000123456794",
    "severityNumber":"SEVERITY_NUMBER_ERROR","severityText":"ERROR",
    "body":{"stringValue":"payment failed"},
    "attributes":[
     {"key":"http.request.method","value":{"stringValue":"post"}},
     {"key":"http.route","value":{"stringValue":"/sales/{id}/pay"}},
     {"key":"url.path","value":{"stringValue":"/sales/7/pay"}},
     {"key":"http.response.status_code","value":{"intValue":"502"}},
     {"key":"client.address","value":{"stringValue":"10.0.0.9"}},
     {"key":"exception.type","value":{"stringValue":"GatewayError"}},
     {"key":"exception.message","value":{"stringValue":"upstream timeout"}},
     {"key":"exception.stacktrace","value":{"stringValue":"at pay()\nat main()"
}
},
     {"key":"cart.items","value":{"intValue":3}},
     {"key":"cart.total","value":{"doubleValue":19.5}},
     {"key":"retry","value":{"boolValue":true}},
     {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"2"}]}}},
     {"key":"customer","value":{"kvlistValue":{"values":[
       {"key":"id","value":{"stringValue":"c-9"}},{"key":"tier","value":{"stringValue":"gold"}}]}}},
     {"key":"blob","value":{"bytesValue":"AQL/"}}],
    "traceId":"5B8EFAC09A1B2C3D4E5F60718293A4B5","spanId":"0011223344556677",
    "eventName":"payment.failed","flags":1}]}]}]})j";
  OtlpDecoder d;
  EventBatch b;
  DecodeResult r = d.DecodeJson(body, kRecv, &b);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.undecodable, "");
  ASSERT_EQ(b.size(), 1u) << (r.errors.empty() ? "" : r.errors[0].error);
  EXPECT_EQ(Json(b, 0), kFullEvent);
  // Through the IngestDecoder interface the media type picks the encoding.
  EventBatch b2;
  IngestRequest req;
  req.body = body;
  req.content_type = "application/json";
  req.receive_ts_ns = kRecv;
  EXPECT_EQ(d.Decode(req, &b2).accepted, 1u);
}

TEST(OtlpDecoderTest, SeverityBodyAndTimestamps) {
  // severity_text only (number unset) is the level, aliases applying; a text saying more
  // than the number's level is kept; a map body is the event itself; no time → observed
  // time, neither → receive time.
  auto rec = [](auto&& fill) { return Encode(fill); };
  std::vector<std::string> records = {
      rec([](ProtoWriter& w) { w.Bytes(3, "WARNING").Bytes(5, StrValue("a")); }),
      rec([](ProtoWriter& w) { w.Varint(2, 21).Bytes(3, "CRITICAL").Fixed64(11, kTime); }),
      rec([](ProtoWriter& w) {
        w.Varint(2, 9).Bytes(3, "Information");
        w.Bytes(5, Encode([](ProtoWriter& v) {
                  v.Bytes(6, Encode([](ProtoWriter& m) {
                            m.Bytes(1, KV("message", StrValue("from the map")));
                            m.Bytes(1, KV("requestId", StrValue("r-1")));
                            m.Bytes(1, KV("durationMs", IntValue(120)));
                          }));
                }));
      }),
      rec([](ProtoWriter& w) { w.Bytes(5, IntValue(42)).Bytes(9, std::string(16, '\0')); }),
  };
  OtlpDecoder d;
  EventBatch b;
  DecodeResult r = d.DecodeProtobuf(Request({}, {}, records), kRecv, &b);
  ASSERT_EQ(r.accepted, 4u);
  EXPECT_EQ(Json(b, 0),
            R"({"ts":"2023-11-14T22:13:20.000000000Z","kind":"log","level":"warn","msg":"a"})");
  EXPECT_EQ(Json(b, 1), R"({"ts":"2025-12-06T05:46:40.123456789Z","kind":"log","level":"fatal",)"
                        R"("severity_text":"CRITICAL"})");
  EXPECT_EQ(
      Json(b, 2),
      R"({"ts":"2023-11-14T22:13:20.000000000Z","kind":"log","level":"info","msg":"from the map",)"
      R"("request_id":"r-1","duration_ms":120.0,"perf_class":"good"})");
  // An all-zero trace id is no trace id.
  EXPECT_EQ(Json(b, 3),
            R"({"ts":"2023-11-14T22:13:20.000000000Z","kind":"log","level":"info","msg":"42"})");
}

TEST(OtlpDecoderTest, BadRecordsAreNamedAndTheRestKept) {
  std::vector<std::string> records = {
      Encode([](ProtoWriter& w) { w.Bytes(5, StrValue("ok 1")); }),
      // A malformed attribute inside the record: its KeyValue has a truncated varint.
      Encode([](ProtoWriter& w) { w.Bytes(6, std::string("\x0a\x01k\x10", 4)); }),
      Encode([](ProtoWriter& w) { w.Bytes(5, StrValue("ok 2")); }),
      // The canonicalizer refuses it: a timestamp outside the admission window.
      Encode([](ProtoWriter& w) { w.Fixed64(1, 1000).Bytes(5, StrValue("too old")); }),
      // time_unix_nano with the wrong wire type.
      Encode([](ProtoWriter& w) { w.Varint(1, 5); }),
  };
  OtlpDecoder d;
  EventBatch b;
  IngestRequest req;
  std::string body = Request({}, {}, records);
  req.body = body;
  req.content_type = "application/x-protobuf";
  req.receive_ts_ns = kRecv;
  req.admission.min_ts_ns = kRecv - 86400'000'000'000;
  req.admission.too_old = "older than retention (1d)";
  DecodeResult r = d.Decode(req, &b);
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.rejected, 3u);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[0].error,
            "resourceLogs[0].scopeLogs[0].logRecords[1]: malformed protobuf: truncated varint");
  EXPECT_EQ(r.errors[1].line, 4u);
  EXPECT_EQ(r.errors[1].error,
            "resourceLogs[0].scopeLogs[0].logRecords[3]: older than retention (1d)");
  EXPECT_EQ(r.errors[2].line, 5u);
  EXPECT_EQ(r.errors[2].error,
            "resourceLogs[0].scopeLogs[0].logRecords[4]: malformed protobuf: field with an "
            "unexpected wire type");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_NE(Json(b, 1).find("\"msg\":\"ok 2\""), std::string::npos);
}

TEST(OtlpDecoderTest, JsonBadRecordsAreNamedAndTheRestKept) {
  const std::string body = R"({"resource_logs":[{"scope_logs":[{"log_records":[
      {"body":{"stringValue":"ok 1"}},
      7,
      {"body":{"stringValue":"bad int"},"attributes":[{"key":"n","value":{"intValue":"x"}}]},
      {"timeUnixNano":"soon"},
      {"body":{"kvlistValue":{"values":[{"key":"msg","value":{"stringValue":"ok 2"}}]}},
       "severity_number":13}]}]}]})";
  OtlpDecoder d;
  EventBatch b;
  DecodeResult r = d.DecodeJson(body, kRecv, &b);
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.rejected, 3u);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[0].error,
            "resourceLogs[0].scopeLogs[0].logRecords[1]: log record is not an object");
  EXPECT_EQ(r.errors[1].error,
            "resourceLogs[0].scopeLogs[0].logRecords[2]: intValue is not a 64-bit integer");
  EXPECT_EQ(r.errors[2].error,
            "resourceLogs[0].scopeLogs[0].logRecords[3]: timeUnixNano is not an integer");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(Json(b, 1),
            R"({"ts":"2023-11-14T22:13:20.000000000Z","kind":"log","level":"warn","msg":"ok 2"})");
}

TEST(OtlpDecoderTest, UndecodableBodies) {
  OtlpDecoder d;
  EventBatch b;
  // Truncated envelope: nothing is accepted, not even the records before the break.
  std::string good = Request({}, {}, {Encode([](ProtoWriter& w) { w.Bytes(5, StrValue("x")); })});
  std::string cut = good + good.substr(0, good.size() - 2);
  DecodeResult r = d.DecodeProtobuf(cut, kRecv, &b);
  EXPECT_EQ(r.accepted, 0u);
  EXPECT_NE(r.undecodable.find("malformed protobuf ExportLogsServiceRequest"), std::string::npos)
      << r.undecodable;
  EXPECT_EQ(b.size(), 0u);
  r = d.DecodeProtobuf("{\"resourceLogs\":[]}", kRecv, &b);  // JSON sent as protobuf
  EXPECT_NE(r.undecodable, "");
  r = d.DecodeJson("{\"resourceLogs\":[", kRecv, &b);
  EXPECT_EQ(r.undecodable.rfind("invalid JSON", 0), 0u) << r.undecodable;
  r = d.DecodeJson("{\"resourceLogs\":{}}", kRecv, &b);
  EXPECT_EQ(r.undecodable,
            "not an OTLP ExportLogsServiceRequest: resourceLogs is not an array of objects");
  r = d.DecodeJson(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":{}}]}]})", kRecv, &b);
  EXPECT_EQ(r.undecodable,
            "not an OTLP ExportLogsServiceRequest: resourceLogs[0].scopeLogs[0].logRecords is "
            "not an array");
  EXPECT_EQ(b.size(), 0u);
  // Empty requests are valid and hold nothing.
  EXPECT_EQ(d.DecodeProtobuf("", kRecv, &b).undecodable, "");
  EXPECT_EQ(d.DecodeJson("{}", kRecv, &b).undecodable, "");
  EXPECT_EQ(b.size(), 0u);
}

TEST(OtlpDecoderTest, DeepAnyValueStopsAtTheDepthLimit) {
  std::string v = StrValue("leaf");
  for (int i = 0; i < 100; ++i) {
    v = Encode([&](ProtoWriter& w) {
      w.Bytes(6, Encode([&](ProtoWriter& m) { m.Bytes(1, KV("k", v)); }));
    });
  }
  OtlpDecoder d;
  EventBatch b;
  DecodeResult r = d.DecodeProtobuf(
      Request({}, {}, {Encode([&](ProtoWriter& w) { w.Bytes(6, KV("deep", v)); })}), kRecv, &b);
  EXPECT_EQ(r.rejected, 1u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].error.find("nesting deeper than"), std::string::npos) << r.errors[0].error;
}

TEST(OtlpMappingTest, Severity) {
  EXPECT_EQ(otlp::LevelOfSeverity(0), "");
  EXPECT_EQ(otlp::LevelOfSeverity(1), "trace");
  EXPECT_EQ(otlp::LevelOfSeverity(8), "debug");
  EXPECT_EQ(otlp::LevelOfSeverity(12), "info");
  EXPECT_EQ(otlp::LevelOfSeverity(16), "warn");
  EXPECT_EQ(otlp::LevelOfSeverity(17), "error");
  EXPECT_EQ(otlp::LevelOfSeverity(24), "fatal");
  EXPECT_EQ(otlp::LevelOfSeverity(25), "");
  EXPECT_EQ(otlp::SeverityFromName("SEVERITY_NUMBER_INFO"), 9u);
  EXPECT_EQ(otlp::SeverityFromName("SEVERITY_NUMBER_WARN2"), 14u);
  EXPECT_EQ(otlp::SeverityFromName("SEVERITY_NUMBER_FATAL4"), 24u);
  EXPECT_EQ(otlp::SeverityFromName("SEVERITY_NUMBER_UNSPECIFIED"), 0u);
  EXPECT_EQ(otlp::SeverityFromName("SEVERITY_NUMBER_INFO5"), 0u);
  std::string out;
  otlp::Base64("", &out);
  EXPECT_EQ(out, "");
  otlp::Base64("f", &out);
  EXPECT_EQ(out, "Zg==");
  otlp::Base64("fo", &out);
  EXPECT_EQ(out, "Zm8=");
  otlp::Base64("foobar", &out);
  EXPECT_EQ(out, "Zm9vYmFy");
}

TEST(ProtoReaderTest, RejectsMalformedInput) {
  using protowire::ProtoReader;
  for (std::string_view bad :
       {std::string_view("\x08", 1),
        std::string_view("\x0a\x05"
                         "ab",
                         4),
        std::string_view("\x00\x01", 2), std::string_view("\x0b", 1),
        std::string_view("\x09\x01\x02", 3),
        std::string_view("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12)}) {
    ProtoReader r(bad);
    while (r.Next()) {
    }
    EXPECT_FALSE(r.ok()) << testing::PrintToString(std::string(bad));
  }
  std::string ok;
  protowire::ProtoWriter(&ok).Varint(1, 300).Fixed32(2, 7).Bytes(3, "hi").Fixed64(4, 9);
  ProtoReader r(ok);
  uint64_t v = 0;
  uint32_t f32 = 0;
  std::string_view s;
  ASSERT_TRUE(r.Next() && r.ReadVarint(&v));
  EXPECT_EQ(v, 300u);
  ASSERT_TRUE(r.Next() && r.ReadFixed32(&f32));
  EXPECT_EQ(f32, 7u);
  ASSERT_TRUE(r.Next() && r.ReadBytes(&s));
  EXPECT_EQ(s, "hi");
  ASSERT_TRUE(r.Next() && r.ReadFixed64(&v));
  EXPECT_EQ(v, 9u);
  EXPECT_FALSE(r.Next());
  EXPECT_TRUE(r.ok());
}

}  // namespace
}  // namespace vigia

// The OTLP/HTTP logs routes as `vigia serve` wires them (a real Server on a temp dir, called
// through its router): both paths and encodings, partial success in the request's encoding,
// 400 for an undecodable body, the stored events found by trace id, the per-protocol
// counters and the key guard on /otlp/.
#include <gtest/gtest.h>

#include <cstdlib>

#include "ingest/protowire/proto_reader.h"
#include "ingest/protowire/proto_writer.h"
#include "server/server_route_fixture.h"

namespace vigia {
namespace {

using protowire::Encode;
using protowire::ProtoWriter;

// One ResourceLogs (service.name=checkout) holding `records`.
std::string Request(const std::vector<std::string>& records) {
  std::string kv = Encode([](ProtoWriter& w) {
    w.Bytes(1, "service.name").Bytes(2, Encode([](ProtoWriter& v) { v.Bytes(1, "checkout"); }));
  });
  std::string resource = Encode([&](ProtoWriter& w) { w.Bytes(1, kv); });
  std::string sl = Encode([&](ProtoWriter& w) {
    for (const std::string& r : records) w.Bytes(2, r);
  });
  std::string rl = Encode([&](ProtoWriter& w) { w.Bytes(1, resource).Bytes(2, sl); });
  return Encode([&](ProtoWriter& w) { w.Bytes(1, rl); });
}

std::string Record(std::string_view body, uint64_t ts, std::string_view trace = {}) {
  return Encode([&](ProtoWriter& w) {
    w.Fixed64(1, ts).Varint(2, 9);
    w.Bytes(5, Encode([&](ProtoWriter& v) { v.Bytes(1, body); }));
    if (!trace.empty()) w.Bytes(9, trace);
  });
}

using RouteOtlpTest = testing::ServerRouteFixture;

constexpr uint64_t kTs = 1'700'000'000'000'000'000;

TEST_F(RouteOtlpTest, ProtobufWithPartialSuccess) {
  Start();
  const std::string trace("\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef", 16);
  std::string bad = Encode([](ProtoWriter& w) { w.Varint(1, 7); });  // time with a wrong wire type
  HttpResponse r =
      Call("POST", "/v1/logs", Request({Record("one", kTs, trace), bad, Record("two", kTs + 1)}),
           {{"Content-Type", "application/x-protobuf"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  // ExportLogsServiceResponse{partial_success{rejected_log_records=1, error_message}}.
  protowire::ProtoReader resp(r.body);
  std::string_view partial;
  ASSERT_TRUE(resp.Next() && resp.field() == 1 && resp.ReadBytes(&partial));
  protowire::ProtoReader p(partial);
  uint64_t rejected = 0;
  std::string_view message;
  ASSERT_TRUE(p.Next() && p.ReadVarint(&rejected));
  ASSERT_TRUE(p.Next() && p.ReadBytes(&message));
  EXPECT_EQ(rejected, 1u);
  EXPECT_EQ(message,
            "1 of 3 log records rejected: #2 resourceLogs[0].scopeLogs[0].logRecords[1]: "
            "malformed protobuf: field with an unexpected wire type");

  // A trace id finds its logs (trace_id is indexed like request_id).
  HttpResponse q =
      Call("GET", "/v1/query?q=trace_id:0123456789abcdef0123456789abcdef&format=ndjson");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_NE(q.body.find("\"msg\":\"one\""), std::string::npos) << q.body;
  EXPECT_NE(q.body.find("\"service\":\"checkout\""), std::string::npos) << q.body;
  EXPECT_EQ(q.body.find("\"msg\":\"two\""), std::string::npos) << q.body;

  HttpResponse m = Call("GET", "/metrics");
  EXPECT_NE(m.body.find("vigia_ingest_records_total{protocol=\"otlp\",result=\"accepted\"} 2\n"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("vigia_ingest_records_total{protocol=\"otlp\",result=\"rejected\"} 1\n"),
            std::string::npos);
}

TEST_F(RouteOtlpTest, JsonOnTheOtlpPrefixedPath) {
  Start();
  HttpResponse r = Call("POST", "/otlp/v1/logs",
                        R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
                           {"timeUnixNano":"1700000000000000000","body":{"stringValue":"hi"}},
                           {"timeUnixNano":"later"}]}]}]})",
                        {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body,
            R"({"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"1 of 2 log records )"
            R"(rejected: #2 resourceLogs[0].scopeLogs[0].logRecords[1]: timeUnixNano is not )"
            R"(an integer"}})");
  r = Call("POST", "/otlp/v1/logs", R"({"resourceLogs":[]})",
           {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{}");
  HttpResponse q = Call("GET", "/v1/query?q=*&format=ndjson");
  EXPECT_NE(q.body.find("\"msg\":\"hi\""), std::string::npos) << q.body;
}

TEST_F(RouteOtlpTest, UndecodableAndUnsupported) {
  Start();
  HttpResponse r = Call("POST", "/v1/logs",
                        "\x0a\x05"
                        "ab",
                        {{"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("malformed protobuf ExportLogsServiceRequest"), std::string::npos)
      << r.body;
  r = Call("POST", "/v1/logs", "{", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/v1/logs", "x", {{"Content-Type", "text/csv"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unsupported_media_type"), std::string::npos);
  r = Call("POST", "/v1/logs", "x",
           {{"Content-Type", "application/json"}, {"Content-Encoding", "br"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Call("GET", "/v1/stats").body.find("{\"events\":0,"), 0u);
  HttpResponse m = Call("GET", "/metrics");
  EXPECT_NE(m.body.find("vigia_ingest_requests_total{protocol=\"otlp\",outcome=\"invalid\"} 4\n"),
            std::string::npos)
      << m.body;
}

TEST_F(RouteOtlpTest, KeysGuardBothPaths) {
  ::setenv("VIGIA_API_KEYS", "secret", 1);
  Start();
  ::unsetenv("VIGIA_API_KEYS");
  std::string body = Request({Record("x", kTs)});
  EXPECT_EQ(Call("POST", "/v1/logs", body, {{"Content-Type", "application/x-protobuf"}}).status,
            401);
  EXPECT_EQ(
      Call("POST", "/otlp/v1/logs", body, {{"Content-Type", "application/x-protobuf"}}).status,
      401);
  EXPECT_EQ(Call("POST", "/otlp/v1/logs", body,
                 {{"Content-Type", "application/x-protobuf"}, {"Authorization", "Bearer secret"}})
                .status,
            200);
}

}  // namespace
}  // namespace vigia

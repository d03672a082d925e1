// The Loki push routes as `vigia serve` wires them: JSON and snappy-compressed protobuf
// pushes, 204 / 400 with the refused entries named, the probes (/ready, labels), the key
// guard on /loki/ and the per-protocol counters.
#include <gtest/gtest.h>
#include <snappy.h>

#include <cstdlib>

#include "ingest/protowire/proto_writer.h"
#include "server/server_route_fixture.h"

namespace vigia {
namespace {

using protowire::Encode;
using protowire::ProtoWriter;
using RouteLokiTest = testing::ServerRouteFixture;

// A snappy-compressed PushRequest with one stream of `lines` (ts 1700000000 + i seconds).
std::string ProtobufPush(std::string_view labels, const std::vector<std::string>& lines) {
  std::string stream = Encode([&](ProtoWriter& w) {
    w.Bytes(1, labels);
    for (size_t i = 0; i < lines.size(); ++i) {
      w.Bytes(2, Encode([&](ProtoWriter& e) {
                e.Bytes(1, Encode([&](ProtoWriter& t) { t.Varint(1, 1700000000 + i); }));
                e.Bytes(2, lines[i]);
              }));
    }
  });
  std::string push = Encode([&](ProtoWriter& w) { w.Bytes(1, stream); });
  std::string packed;
  snappy::Compress(push.data(), push.size(), &packed);
  return packed;
}

TEST_F(RouteLokiTest, JsonAndProtobufPushes) {
  Start();
  HttpResponse r = Call("POST", "/loki/api/v1/push",
                        R"({"streams":[{"stream":{"app":"web","env":"prod"},
                            "values":[["1700000000000000000","hello"]]}]})",
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
  r = Call("POST", "/loki/api/v1/push",
           ProtobufPush(R"({job="worker"})", {R"({"msg":"json line","status":500})", "plain"}),
           {{"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 204) << r.body;
  HttpResponse q = Call("GET", "/v1/query?q=*&format=ndjson");
  EXPECT_NE(q.body.find(R"("service":"web","env":"prod","msg":"hello")"), std::string::npos)
      << q.body;
  EXPECT_NE(q.body.find(R"("service":"worker","msg":"json line","status":500)"), std::string::npos)
      << q.body;
  EXPECT_NE(q.body.find(R"("service":"worker","msg":"plain")"), std::string::npos) << q.body;
  HttpResponse m = Call("GET", "/metrics");
  EXPECT_NE(m.body.find("vigia_ingest_records_total{protocol=\"loki\",result=\"accepted\"} 3\n"),
            std::string::npos)
      << m.body;
}

TEST_F(RouteLokiTest, RefusedEntriesAre400WithTheRestStored) {
  Start();
  HttpResponse r = Call("POST", "/loki/api/v1/push",
                        R"({"streams":[{"stream":{"app":"web"},
                            "values":[["1700000000000000000","kept"],["x","refused"]]}]})",
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "1 of 2 entries rejected (the others were stored):\n"
            "entry 2: streams[0].values[1]: timestamp is not an integer of nanoseconds\n");
  EXPECT_NE(Call("GET", "/v1/query?q=*&format=ndjson").body.find("\"msg\":\"kept\""),
            std::string::npos);
  r = Call("POST", "/loki/api/v1/push", "not snappy", {{"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("bad_compression"), std::string::npos) << r.body;
  r = Call("POST", "/loki/api/v1/push", "{\"streams\":7}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "not a Loki push request: streams is not an array\n");
}

TEST_F(RouteLokiTest, ProbesAndKeys) {
  ::setenv("VIGIA_API_KEYS", "secret", 1);
  Start();
  ::unsetenv("VIGIA_API_KEYS");
  HttpResponse ready = Call("GET", "/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  EXPECT_EQ(Call("GET", "/loki/api/v1/labels").status, 401);
  HttpResponse labels =
      Call("GET", "/loki/api/v1/labels", "", {{"Authorization", "Bearer secret"}});
  EXPECT_EQ(labels.status, 200);
  EXPECT_NE(labels.body.find("\"service\""), std::string::npos);
  const std::string push = R"({"streams":[{"values":[["1700000000000000000","x"]]}]})";
  EXPECT_EQ(Call("POST", "/loki/api/v1/push", push, {{"Content-Type", "application/json"}}).status,
            401);
  EXPECT_EQ(Call("POST", "/loki/api/v1/push", push,
                 {{"Content-Type", "application/json"}, {"Authorization", "Bearer secret"}})
                .status,
            204);
}

}  // namespace
}  // namespace vigia

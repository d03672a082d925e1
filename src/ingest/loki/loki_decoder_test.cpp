// LokiDecoder: the mapping of docs/ingest-loki.md field by field in both encodings (the
// protobuf requests built with ProtoWriter against loki_push.proto; the real winston-loki
// client is tested in tests/loki_client_it.cpp), bad entries named with the rest kept,
// stream label parsing, snappy, undecodable bodies.
#include "ingest/loki/loki_decoder.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <string>

#include "event/event_json.h"
#include "ingest/loki/loki_labels.h"
#include "ingest/loki/loki_snappy.h"
#include "ingest/protowire/proto_writer.h"

namespace vigia {
namespace {

using protowire::Encode;
using protowire::ProtoWriter;

constexpr int64_t kRecv = 1'700'000'000'000'000'000;

std::string Entry(int64_t seconds, int32_t nanos, std::string_view line,
                  std::vector<std::pair<std::string, std::string>> meta = {}) {
  return Encode([&](ProtoWriter& w) {
    w.Bytes(1, Encode([&](ProtoWriter& t) { t.Varint(1, seconds).Varint(2, nanos); }));
    w.Bytes(2, line);
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    for (const auto& kv : meta) {
      w.Bytes(3, Encode([&](ProtoWriter& p) { p.Bytes(1, kv.first).Bytes(2, kv.second); }));
    }
  });
}
std::string Stream(std::string_view labels, const std::vector<std::string>& entries) {
  return Encode([&](ProtoWriter& w) {
    w.Bytes(1, labels);
    for (const std::string& e : entries) w.Bytes(2, e);
  });
}
std::string Push(const std::vector<std::string>& streams) {
  return Encode([&](ProtoWriter& w) {
    for (const std::string& s : streams) w.Bytes(1, s);
  });
}
std::string Json(const EventBatch& b, size_t i) { return EventJson(b, b.events()[i]); }

TEST(LokiDecoderTest, JsonMapsLabelsLinesAndMetadata) {
  const std::string body = R"j({"streams":[
    {"stream":{"service_name":"checkout","job":"varlogs","env":"prod","level":"info"},
     "values":[["1700000000123456789","plain text line"],
               ["1700000001000000000","{\"msg\":\"json line\",\"requestId\":\"r-1\",\"level\":\"error\",\"error\":{\"type\":\"E\"}}",
                {"trace_id":"abc123","pod":"p-1"}]]},
    {"stream":{"app":"web"},"values":[["1700000002000000000","{not json"]]}]})j";
  LokiDecoder d;
  EventBatch b;
  DecodeResult r = d.DecodeJson(body, kRecv, &b);
  EXPECT_EQ(r.accepted, 3u);
  EXPECT_EQ(r.rejected, 0u);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(Json(b, 0),
            R"({"ts":"2023-11-14T22:13:20.123456789Z","kind":"log","level":"info",)"
            R"("service":"checkout","env":"prod","msg":"plain text line","job":"varlogs"})");
  // The line's own fields win over the stream's (level error, not info); metadata next.
  EXPECT_EQ(Json(b, 1), R"({"ts":"2023-11-14T22:13:21.000000000Z","kind":"log","level":"error",)"
                        R"("service":"checkout","env":"prod","msg":"json line","request_id":"r-1",)"
                        R"("trace_id":"abc123","error.type":"E","pod":"p-1","job":"varlogs"})");
  EXPECT_EQ(Json(b, 2), R"({"ts":"2023-11-14T22:13:22.000000000Z","kind":"log","level":"info",)"
                        R"("service":"web","msg":"{not json"})");
}

TEST(LokiDecoderTest, ProtobufLikeJson) {
  std::string body =
      Push({Stream(R"({service_name="checkout", job="varlogs",env="prod",level="info"})",
                   {Entry(1700000000, 123456789, "plain text line")}),
            Stream(R"({app="web", quote="say \"hi\"\n"})",
                   {Entry(1700000002, 0, R"({"msg":"m"})", {{"trace_id", "abc"}})})});
  LokiDecoder d;
  EventBatch b;
  IngestRequest req;
  req.body = body;
  req.content_type = "application/x-protobuf";
  req.receive_ts_ns = kRecv;
  DecodeResult r = d.Decode(req, &b);
  EXPECT_EQ(r.accepted, 2u);
  ASSERT_EQ(b.size(), 2u) << (r.errors.empty() ? "" : r.errors[0].error);
  EXPECT_EQ(Json(b, 0),
            R"({"ts":"2023-11-14T22:13:20.123456789Z","kind":"log","level":"info",)"
            R"("service":"checkout","env":"prod","msg":"plain text line","job":"varlogs"})");
  EXPECT_EQ(Json(b, 1), R"({"ts":"2023-11-14T22:13:22.000000000Z","kind":"log","level":"info",)"
                        R"("service":"web","msg":"m","trace_id":"abc","quote":"say \"hi\"\n"})");
}

TEST(LokiDecoderTest, BadEntriesAreNamedAndTheRestKept) {
  const std::string body = R"({"streams":[
    {"stream":{"app":"a"},"values":[["1700000000000000000","ok 1"],["soon","x"],["1",7],
                                    ["1700000000000000000","ok 2",{"n":1}]]},
    {"stream":{"app":5},"values":[["1700000000000000000","bad labels"]]},
    {"values":[["1700000000000000000","ok 3"],["1000","too old"]]}]})";
  LokiDecoder d;
  EventBatch b;
  IngestRequest req;
  req.body = body;
  req.receive_ts_ns = kRecv;
  req.admission.min_ts_ns = kRecv - 86400'000'000'000;
  req.admission.too_old = "older than retention (1d)";
  DecodeResult r = d.Decode(req, &b);
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.rejected, 5u);
  ASSERT_EQ(r.errors.size(), 5u);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[0].error, "streams[0].values[1]: timestamp is not an integer of nanoseconds");
  EXPECT_EQ(r.errors[1].error, "streams[0].values[2]: line is not a string");
  EXPECT_EQ(r.errors[2].error, "streams[0].values[3]: structured metadata n is not a string");
  EXPECT_EQ(r.errors[3].line, 5u);
  EXPECT_EQ(r.errors[3].error, "streams[1].values[0]: stream label app is not a string");
  EXPECT_EQ(r.errors[4].line, 7u);
  EXPECT_EQ(r.errors[4].error, "streams[2].values[1]: older than retention (1d)");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_NE(Json(b, 1).find("\"msg\":\"ok 3\""), std::string::npos);
}

TEST(LokiDecoderTest, ProtobufBadEntriesAndLabels) {
  std::string body = Push({Stream("{app=\"a\"}", {Entry(1700000000, 0, "ok"), std::string("\x12\x05"
                                                                                          "ab",
                                                                                          4)}),
                           Stream("{app=a}", {Entry(1700000000, 0, "unlabelled")})});
  LokiDecoder d;
  EventBatch b;
  DecodeResult r = d.DecodeProtobuf(body, kRecv, &b);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.rejected, 2u);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].error,
            "streams[0].entries[1]: malformed protobuf: length past the end of the message");
  EXPECT_EQ(r.errors[1].error,
            "streams[1].entries[0]: stream labels miss a quoted label value at byte 5");
}

TEST(LokiDecoderTest, Undecodable) {
  LokiDecoder d;
  EventBatch b;
  EXPECT_EQ(d.DecodeJson("{\"streams\":[", kRecv, &b).undecodable.rfind("invalid JSON", 0), 0u);
  EXPECT_EQ(d.DecodeJson("{\"streams\":{}}", kRecv, &b).undecodable,
            "not a Loki push request: streams is not an array");
  EXPECT_EQ(d.DecodeJson("{\"streams\":[{\"values\":{}}]}", kRecv, &b).undecodable,
            "not a Loki push request: streams[0].values is not an array");
  EXPECT_NE(d.DecodeProtobuf(std::string("\x0a\x09\x12\x05", 4), kRecv, &b).undecodable, "");
  EXPECT_EQ(d.DecodeJson("{}", kRecv, &b).undecodable, "");
  EXPECT_EQ(b.size(), 0u);
}

TEST(LokiLabelsTest, Parse) {
  std::vector<loki::Label> labels;
  std::deque<std::string> storage;
  std::string error;
  ASSERT_TRUE(loki::ParseLabels(R"( { a="1" , b_c:d="x\\y\"z", } )", &labels, &storage, &error))
      << error;
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0].name, "a");
  EXPECT_EQ(labels[0].value, "1");
  EXPECT_EQ(labels[1].name, "b_c:d");
  EXPECT_EQ(labels[1].value, "x\\y\"z");
  EXPECT_TRUE(loki::ParseLabels("{}", &labels, &storage, &error));
  EXPECT_TRUE(labels.empty());
  EXPECT_TRUE(loki::ParseLabels("", &labels, &storage, &error));
  for (std::string_view bad :
       {"a=\"1\"", "{a=\"1\"", "{a=\"1}", "{1a=\"x\"}", "{a=\"1\"} x", "{a=\"1\" b=\"2\"}"}) {
    EXPECT_FALSE(loki::ParseLabels(bad, &labels, &storage, &error)) << bad;
  }
  labels = {{"job", "j"}, {"app", "a"}};
  EXPECT_EQ(loki::ServiceLabel(labels), 1);
  labels.push_back({"service_name", "s"});
  EXPECT_EQ(loki::ServiceLabel(labels), 2);
}

TEST(LokiSnappyTest, RoundTripAndBounds) {
  std::string raw(10000, 'x');
  std::string packed;
  snappy::Compress(raw.data(), raw.size(), &packed);
  std::string out;
  ASSERT_TRUE(loki::SnappyUncompress(packed, 1 << 20, &out).ok());
  EXPECT_EQ(out, raw);
  EXPECT_EQ(loki::SnappyUncompress(packed, 100, &out).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(loki::SnappyUncompress("\xff\xff\xff\xff\xff\xff", 1 << 20, &out).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigia

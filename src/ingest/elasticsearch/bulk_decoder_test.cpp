#include "ingest/elasticsearch/bulk_decoder.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "event/event_test_util.h"

namespace vigia {
namespace {

constexpr int64_t kRecv = 1'700'000'000'000'000'000;

struct Decoded {
  DecodeResult result;
  EventBatch batch;
  Value Get(size_t event, std::string_view name) const {
    const Value* v = batch.Find(batch.events().at(event), name);
    return v ? *v : Value::Null();
  }
};

Decoded Decode(std::string_view body, std::string_view target = {}, DecoderOptions options = {}) {
  BulkDecoder d(std::move(options));
  Decoded out;
  IngestRequest req;
  req.body = body;
  req.receive_ts_ns = kRecv;
  req.target = target;
  out.result = d.Decode(req, &out.batch);
  return out;
}

TEST(BulkDecoderTest, EcsDocumentNestedAndDottedMapsToCanonicalFields) {
  const std::string body =
      R"({"create":{"_index":"logs-app"}})"
      "\n"
      R"({"@timestamp":"2024-05-01T10:00:00.5Z","message":"paid","log":{"level":"WARNING",)"
      R"("logger":"pay"},"service":{"name":"pharmacy","version":"1.2.3","environment":"prod"},)"
      R"("host":{"name":"web-1"},"http":{"request":{"method":"post","id":"r-1","body":)"
      R"({"bytes":12}},"response":{"status_code":502,"body":{"bytes":34}},"route":"/sales/{id}"},)"
      R"("url":{"path":"/sales/9","original":"/sales/9?x=1"},"user_agent":{"original":"curl/8.0"},)"
      R"("client":{"ip":"10.0.0.7"},"trace":{"id":"abc"},"span":{"id":"def"},"user":{"id":"u1"},)"
      R"("event":{"duration":1500000,"dataset":"app"},)"
      R"("error":{"type":"Timeout","message":"upstream","stack_trace":"at x\nat y"},"labels":{"team":"a"}})"
      "\n"
      R"({"index":{}})"
      "\n"
      R"({"log.level":"error","service.name":"dotted","host.name":"h2","error.stack_trace":"s",)"
      R"("http.response.status_code":"404","message":"two"})"
      "\n";
  Decoded d = Decode(body, "fallback");
  ASSERT_EQ(d.result.accepted, 2u) << d.result.reply;
  EXPECT_EQ(d.result.rejected, 0u);
  EXPECT_EQ(d.batch.events()[0].ts_ns, 1'714'557'600'500'000'000);
  EXPECT_EQ(d.Get(0, "msg"), S("paid"));
  EXPECT_EQ(d.Get(0, "level"), S("warn"));
  EXPECT_EQ(d.Get(0, "log.logger"), S("pay"));
  EXPECT_EQ(d.Get(0, "service"), S("pharmacy"));
  EXPECT_EQ(d.Get(0, "version"), S("1.2.3"));
  EXPECT_EQ(d.Get(0, "env"), S("prod"));
  EXPECT_EQ(d.Get(0, "host"), S("web-1"));
  EXPECT_EQ(d.Get(0, "method"), S("POST"));
  EXPECT_EQ(d.Get(0, "request_id"), S("r-1"));
  EXPECT_EQ(d.Get(0, "bytes_in"), I(12));
  EXPECT_EQ(d.Get(0, "status"), I(502));
  EXPECT_EQ(d.Get(0, "bytes_out"), I(34));
  EXPECT_EQ(d.Get(0, "route"), S("/sales/{id}"));
  EXPECT_EQ(d.Get(0, "path"), S("/sales/9"));
  EXPECT_EQ(d.Get(0, "url.original"), S("/sales/9?x=1"));
  EXPECT_EQ(d.Get(0, "ua"), S("curl/8.0"));
  EXPECT_EQ(d.Get(0, "ip"), S("10.0.0.7"));
  EXPECT_EQ(d.Get(0, "trace_id"), S("abc"));
  EXPECT_EQ(d.Get(0, "span_id"), S("def"));
  EXPECT_EQ(d.Get(0, "user_id"), S("u1"));
  EXPECT_EQ(d.Get(0, "duration_ms"), F(1.5));
  EXPECT_EQ(d.Get(0, "event.dataset"), S("app"));
  EXPECT_EQ(d.Get(0, "error.type"), S("Timeout"));
  EXPECT_EQ(d.Get(0, "error.message"), S("upstream"));
  EXPECT_EQ(d.Get(0, "error.stack"), S("at x\nat y"));
  EXPECT_EQ(d.Get(0, "labels.team"), S("a"));
  EXPECT_EQ(d.Get(0, "index"), S("logs-app"));

  EXPECT_EQ(d.batch.events()[1].ts_ns, kRecv);
  EXPECT_EQ(d.Get(1, "level"), S("error"));
  EXPECT_EQ(d.Get(1, "service"), S("dotted"));
  EXPECT_EQ(d.Get(1, "host"), S("h2"));
  EXPECT_EQ(d.Get(1, "error.stack"), S("s"));
  EXPECT_EQ(d.Get(1, "status"), I(404));
  EXPECT_EQ(d.Get(1, "index"), S("fallback"));  // the URL's index
}

TEST(BulkDecoderTest, SyslogNgDefaultTemplateNames) {
  Decoded d = Decode(
      "{\"index\":{\"_index\":\"syslog-ng\"}}\n"
      "{\"PROGRAM\":\"sshd\",\"PRIORITY\":\"notice\",\"PID\":\"77\",\"MESSAGE\":\"hi\","
      "\"HOST\":\"h1\",\"FACILITY\":\"auth\",\"@timestamp\":\"2024-05-01T10:00:00+00:00\"}\n");
  ASSERT_EQ(d.result.accepted, 1u) << d.result.reply;
  EXPECT_EQ(d.Get(0, "service"), S("sshd"));
  EXPECT_EQ(d.Get(0, "level"), S("info"));
  EXPECT_EQ(d.Get(0, "syslog.procid"), S("77"));
  EXPECT_EQ(d.Get(0, "msg"), S("hi"));
  EXPECT_EQ(d.Get(0, "host"), S("h1"));
  EXPECT_EQ(d.Get(0, "syslog.facility"), S("auth"));
}

TEST(BulkDecoderTest, ReplyHasOneItemPerActionInOrder) {
  const std::string body = R"({"index":{"_index":"a","_id":"x1"}})"
                           "\n"
                           R"({"message":"ok"})"
                           "\n\n"
                           R"({"delete":{"_index":"a","_id":"x2"}})"
                           "\n"
                           R"({"update":{"_index":"a","_id":"x3"}})"
                           "\n"
                           R"({"doc":{"message":"changed"}})"
                           "\n"
                           R"({"create":{"_index":"a"}})"
                           "\n"
                           R"({"message":"unclosed)"
                           "\n"
                           R"(not json)"
                           "\n"
                           R"({"ignored":"as the malformed item's document"})"
                           "\n"
                           R"({"create":{}})"
                           "\n"
                           R"({"message":"last","@timestamp":"nope"})"
                           "\n"
                           R"({"create":{"_index":"b","_id":7}})"
                           "\n"
                           R"({"message":"kept"})";
  Decoded d = Decode(body);
  EXPECT_EQ(d.result.accepted, 2u);
  EXPECT_EQ(d.result.rejected, 5u);
  ASSERT_EQ(d.batch.size(), 2u);
  EXPECT_EQ(d.Get(0, "msg"), S("ok"));
  EXPECT_EQ(d.Get(1, "msg"), S("kept"));
  EXPECT_EQ(d.Get(1, "index"), S("b"));

  ASSERT_EQ(d.result.errors.size(), 5u);
  EXPECT_EQ(d.result.errors[0].line, 2u);  // item numbers
  EXPECT_EQ(d.result.errors[0].error, "line 4: vigia is append-only: delete is not supported");
  EXPECT_EQ(d.result.errors[1].line, 3u);
  EXPECT_EQ(d.result.errors[1].error, "line 5: vigia is append-only: update is not supported");
  EXPECT_EQ(d.result.errors[2].line, 4u);
  EXPECT_EQ(d.result.errors[2].error.rfind("line 8: invalid JSON", 0), 0u);
  EXPECT_EQ(d.result.errors[3].line, 5u);
  EXPECT_EQ(d.result.errors[3].error.rfind("line 9: malformed action/metadata line", 0), 0u);
  EXPECT_EQ(d.result.errors[4].line, 6u);
  EXPECT_EQ(d.result.errors[4].error.rfind("line 12: unparseable ts", 0), 0u);

  simdjson::dom::parser p;
  simdjson::dom::array items;
  ASSERT_EQ(p.parse(d.result.reply).get_array().get(items), simdjson::SUCCESS) << d.result.reply;
  ASSERT_EQ(items.size(), 7u);
  auto status = [&](size_t i, std::string_view action) {
    int64_t s = 0;
    EXPECT_EQ(items.at(i)[action]["status"].get_int64().get(s), simdjson::SUCCESS)
        << "item " << i << " " << d.result.reply;
    return s;
  };
  EXPECT_EQ(status(0, "index"), 201);
  EXPECT_EQ(std::string_view(items.at(0)["index"]["_id"]), "x1");
  EXPECT_EQ(std::string_view(items.at(0)["index"]["result"]), "created");
  EXPECT_EQ(status(1, "delete"), 400);
  EXPECT_EQ(std::string_view(items.at(1)["delete"]["error"]["type"]), "illegal_argument_exception");
  EXPECT_EQ(status(2, "update"), 400);
  EXPECT_EQ(status(3, "create"), 400);
  EXPECT_EQ(std::string_view(items.at(3)["create"]["error"]["type"]), "mapper_parsing_exception");
  EXPECT_EQ(status(4, "index"), 400);
  EXPECT_EQ(status(5, "create"), 400);
  EXPECT_EQ(status(6, "create"), 201);
  EXPECT_EQ(std::string_view(items.at(6)["create"]["_id"]), "7");
  EXPECT_EQ(std::string_view(items.at(6)["create"]["_index"]), "b");
}

TEST(BulkDecoderTest, MissingDocumentAndEmptyBody) {
  Decoded d = Decode("{\"index\":{}}\n");
  EXPECT_EQ(d.result.accepted, 0u);
  EXPECT_EQ(d.result.rejected, 1u);
  ASSERT_EQ(d.result.errors.size(), 1u);
  EXPECT_EQ(d.result.errors[0].error, "line 1: no document line after the action line");

  Decoded e = Decode("\n \n");
  EXPECT_EQ(e.result.accepted + e.result.rejected, 0u);
  EXPECT_EQ(e.result.reply, "[]");
}

TEST(BulkDecoderTest, IndexSelectsServiceWhenTheDocumentNamesNone) {
  DecoderOptions o;
  o.service_by_target = {{"pharmacy-*", "pharmacy"}, {"*-sales", "sales"}};
  const std::string body =
      "{\"index\":{\"_index\":\"pharmacy-2024.05\"}}\n{\"message\":\"a\"}\n"
      "{\"index\":{\"_index\":\"pharmacy-x\"}}\n{\"message\":\"b\",\"service\":\"own\"}\n"
      "{\"index\":{\"_index\":\"eu-sales\"}}\n{\"message\":\"c\"}\n"
      "{\"index\":{\"_index\":\"other\"}}\n{\"message\":\"d\"}\n";
  Decoded d = Decode(body, {}, o);
  ASSERT_EQ(d.batch.size(), 4u);
  EXPECT_EQ(d.Get(0, "service"), S("pharmacy"));
  EXPECT_EQ(d.Get(1, "service"), S("own"));
  EXPECT_EQ(d.Get(2, "service"), S("sales"));
  EXPECT_EQ(d.Get(3, "service"), Value::Null());
}

TEST(BulkDecoderTest, ActionLinesWithSpacesEscapesOrOtherMetadataGiveTheSameItems) {
  Decoded d = Decode(
      "{ \"index\" : { \"_index\" : \"sp\" } }\n{\"message\":\"a\"}\n"
      "{\"create\":{\"_index\":\"x\\u0062\",\"_id\":\"q\"}}\n{\"message\":\"b\"}\n"
      "{\"index\":{\"_index\":\"p\",\"pipeline\":\"ignored\",\"_id\":\"r\"}}\n"
      "{\"message\":\"c\"}\n"
      "{\"index\":{\"_index\":\"f\",\"_id\":\"s\"}} \n{\"message\":\"d\"}\n"
      "{\"index\":{\"_index\":\"f\"}}x\n{\"message\":\"e\"}\n");
  EXPECT_EQ(d.result.accepted, 4u) << d.result.reply;
  EXPECT_EQ(d.result.rejected, 1u);  // content after the action object
  ASSERT_EQ(d.batch.size(), 4u);
  EXPECT_EQ(d.Get(0, "index"), S("sp"));
  EXPECT_EQ(d.Get(1, "index"), S("xb"));
  EXPECT_EQ(d.Get(2, "index"), S("p"));
  EXPECT_EQ(d.Get(3, "index"), S("f"));
  EXPECT_NE(d.result.reply.find("\"_id\":\"q\""), std::string::npos) << d.result.reply;
  EXPECT_NE(d.result.reply.find("\"_id\":\"r\""), std::string::npos) << d.result.reply;
  EXPECT_NE(d.result.reply.find("\"_id\":\"s\""), std::string::npos) << d.result.reply;
}

TEST(BulkDecoderTest, Glob) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("a*c", "abbbc"));
  EXPECT_TRUE(GlobMatch("logs-*-prod", "logs-x-y-prod"));
  EXPECT_FALSE(GlobMatch("logs-*-prod", "logs-x-dev"));
  EXPECT_FALSE(GlobMatch("abc", "abcd"));
  EXPECT_TRUE(GlobMatch("abc", "abc"));
}

TEST(BulkDecoderTest, ReportedErrorsAreCappedButTheReplyNamesEveryItem) {
  DecoderOptions o;
  o.limits.max_reported_errors = 2;
  std::string body;
  for (int i = 0; i < 10; ++i) body += "{\"delete\":{\"_id\":\"" + std::to_string(i) + "\"}}\n";
  Decoded d = Decode(body, {}, o);
  EXPECT_EQ(d.result.rejected, 10u);
  EXPECT_EQ(d.result.errors.size(), 2u);
  simdjson::dom::parser p;
  simdjson::dom::array items;
  ASSERT_EQ(p.parse(d.result.reply).get_array().get(items), simdjson::SUCCESS);
  EXPECT_EQ(items.size(), 10u);
}

}  // namespace
}  // namespace vigia

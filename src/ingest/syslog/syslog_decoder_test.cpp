#include "ingest/syslog/syslog_decoder.h"

#include <gtest/gtest.h>

#include "common/time_format.h"
#include "event/event_test_util.h"

namespace vigia {
namespace {

const int64_t kRecv = *ParseRfc3339("2024-05-01T12:00:00Z");

struct Decoded {
  DecodeResult result;
  EventBatch batch;
  Value Get(size_t event, std::string_view name) const {
    const Value* v = batch.Find(batch.events().at(event), name);
    return v ? *v : Value::Null();
  }
};

Decoded Decode(std::string_view body) {
  SyslogDecoder d;
  Decoded out;
  IngestRequest req;
  req.body = body;
  req.receive_ts_ns = kRecv;
  out.result = d.Decode(req, &out.batch);
  return out;
}

TEST(SyslogDecoderTest, HeaderAndStructuredDataBecomeFields) {
  Decoded d = Decode(
      "<165>1 2003-10-11T22:14:15.003Z mymachine evntslog 1234 ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"App \\\"x\\\"\"][meta sequenceId=\"7\"] "
      "An application event\n"
      "<27>May  1 11:59:00 web-1 nginx[812]: upstream timed out\n");
  ASSERT_EQ(d.result.accepted, 2u) << (d.result.errors.empty() ? "" : d.result.errors[0].error);
  EXPECT_EQ(d.batch.events()[0].ts_ns, *ParseRfc3339("2003-10-11T22:14:15.003Z"));
  EXPECT_EQ(d.Get(0, "level"), S("info"));  // notice
  EXPECT_EQ(d.Get(0, "host"), S("mymachine"));
  EXPECT_EQ(d.Get(0, "service"), S("evntslog"));
  EXPECT_EQ(d.Get(0, "msg"), S("An application event"));
  EXPECT_EQ(d.Get(0, "syslog.facility"), S("local4"));
  EXPECT_EQ(d.Get(0, "syslog.severity"), S("notice"));
  EXPECT_EQ(d.Get(0, "syslog.procid"), S("1234"));
  EXPECT_EQ(d.Get(0, "syslog.msgid"), S("ID47"));
  EXPECT_EQ(d.Get(0, "exampleSDID.iut"), S("3"));
  EXPECT_EQ(d.Get(0, "exampleSDID.eventSource"), S("App \"x\""));
  EXPECT_EQ(d.Get(0, "meta.sequenceId"), S("7"));

  EXPECT_EQ(d.batch.events()[1].ts_ns, *ParseRfc3339("2024-05-01T11:59:00Z"));
  EXPECT_EQ(d.Get(1, "level"), S("error"));
  EXPECT_EQ(d.Get(1, "host"), S("web-1"));
  EXPECT_EQ(d.Get(1, "service"), S("nginx"));
  EXPECT_EQ(d.Get(1, "syslog.procid"), S("812"));
  EXPECT_EQ(d.Get(1, "syslog.facility"), S("daemon"));
  EXPECT_EQ(d.Get(1, "msg"), S("upstream timed out"));
}

TEST(SyslogDecoderTest, JsonAndCeeMessagesAreTheEvent) {
  Decoded d = Decode(
      "<14>1 - host app - - - {\"level\":\"error\",\"msg\":\"paid\",\"status\":502,"
      "\"ts\":\"2024-05-01T10:00:00Z\"}\n"
      "<12>May  1 11:00:00 host2 app2: @cee: {\"message\":\"cee\",\"user_id\":\"u1\"}\n"
      "<14>May  1 11:00:00 host3 app3: {not json}\n");
  ASSERT_EQ(d.result.accepted, 3u);
  EXPECT_EQ(d.Get(0, "level"), S("error"));  // the application's, not severity info
  EXPECT_EQ(d.Get(0, "msg"), S("paid"));
  EXPECT_EQ(d.Get(0, "status"), I(502));
  EXPECT_EQ(d.batch.events()[0].ts_ns, *ParseRfc3339("2024-05-01T10:00:00Z"));
  EXPECT_EQ(d.Get(0, "host"), S("host"));
  EXPECT_EQ(d.Get(0, "service"), S("app"));
  EXPECT_EQ(d.Get(1, "msg"), S("cee"));
  EXPECT_EQ(d.Get(1, "user_id"), S("u1"));
  EXPECT_EQ(d.Get(1, "level"), S("warn"));  // severity 4, the JSON has none
  EXPECT_EQ(d.batch.events()[1].ts_ns, *ParseRfc3339("2024-05-01T11:00:00Z"));
  EXPECT_EQ(d.Get(2, "msg"), S("{not json}"));
}

TEST(SyslogDecoderTest, BadMessagesAreNamedByNumberAndTheRestKept) {
  Decoded d = Decode(
      "<13>1 - h a - - - one\n"
      "\n"
      "<13>1 never h a - - - two\n"
      "14 <13>1 - h a -\n"
      "<13>1 - h a - - - three\n");
  EXPECT_EQ(d.result.accepted, 2u);
  EXPECT_EQ(d.result.rejected, 2u);
  ASSERT_EQ(d.result.errors.size(), 2u);
  EXPECT_EQ(d.result.errors[0].line, 2u);
  EXPECT_EQ(d.result.errors[0].error, "RFC 5424: bad TIMESTAMP \"never\"");
  EXPECT_EQ(d.result.errors[1].line, 3u);
  EXPECT_EQ(d.result.errors[1].error, "RFC 5424: missing PROCID");
  ASSERT_EQ(d.batch.size(), 2u);
  EXPECT_EQ(d.Get(1, "msg"), S("three"));
  EXPECT_EQ(d.batch.events()[0].ts_ns, kRecv);
}

}  // namespace
}  // namespace vigia

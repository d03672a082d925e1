#include "ingest/ndjson/ndjson_decoder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/query_priority.h"
#include "event/event_json.h"
#include "ingest/normalize/normalizer_fixture.h"

namespace vigia {
namespace {

constexpr int64_t kRecv = 1'700'000'000'000'000'000;

// A batch under way gives way to a query at its checkpoints (IngestRequest::turn, every
// limits::kIngestCheckpointRecords lines): when a query starts while another batch is active, the
// decoding stops at its next checkpoint until the other batch ends, then decodes every line.
TEST(NdjsonDecoderTest, ABodyGivesWayToAQueryAtItsCheckpoints) {
  using std::chrono::milliseconds;
  QueryPriority p;
  auto other = std::make_unique<QueryPriority::IngestTurn>(&p, milliseconds(30'000));
  std::string body;
  const size_t lines = 3 * limits::kIngestCheckpointRecords + 7;
  for (size_t i = 0; i < lines; ++i) body += R"({"msg":"m)" + std::to_string(i) + "\"}\n";
  std::promise<void> ready, go;
  auto decoded = std::async(std::launch::async, [&] {
    QueryPriority::IngestTurn turn(&p, milliseconds(30'000));  // no query yet: no wait
    ready.set_value();
    go.get_future().wait();
    IngestRequest req;
    req.body = body;
    req.receive_ts_ns = kRecv;
    req.tenant = TenantBinding::FromEvents();
    req.turn = &turn;
    NdjsonDecoder d;
    EventBatch b;
    DecodeResult r = d.Decode(req, &b);
    return std::make_pair(r.accepted, turn.waited());
  });
  ready.get_future().wait();
  auto query = std::make_unique<QueryPriority::Scope>(&p);
  go.set_value();
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(decoded.wait_for(milliseconds(0)), std::future_status::timeout)
      << "the body decoded beside another batch while a query ran";
  EXPECT_EQ(p.ingest_batches_active(), 1);
  other.reset();
  const auto [accepted, waited] = decoded.get();
  EXPECT_EQ(accepted, lines);
  EXPECT_TRUE(waited);
  EXPECT_EQ(p.stats().ingest_waits, 1u);
}

TEST(NdjsonDecoderTest, MixedBatchGivesExactCountsAndLineNumbers) {
  const std::string body =
      "{\"msg\":\"one\"}\n"                      // 1 ok
      "\n"                                       // 2 blank, skipped
      "{\"msg\":\"two\"}\r\n"                    // 3 ok (CRLF)
      "{\"msg\":\"unclosed}\n"                   // 4 invalid JSON
      "[1,2]\n"                                  // 5 not an object
      "{\"ts\":\"not a time\"}\n"                // 6 unparseable ts
      "   \t \r\n"                               // 7 blank
      "{\"a\":\"\xC3\x28\"}\n"                   // 8 invalid UTF-8
      "{\"msg\":\"three\",\"status\":\"201\"}";  // 9 ok, no trailing newline
  NdjsonDecoder d;
  EventBatch b;
  DecodeResult r = d.Decode(body, kRecv, &b);
  EXPECT_EQ(r.accepted, 3u);
  EXPECT_EQ(r.rejected, 4u);
  EXPECT_EQ(r.records, 9u);  // blank lines included: a file read in pieces numbers across them
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(r.errors[0].line, 4u);
  EXPECT_EQ(r.errors[0].error, "invalid JSON: unclosed string");
  EXPECT_EQ(r.errors[1].line, 5u);
  EXPECT_EQ(r.errors[1].error, "not a JSON object");
  EXPECT_EQ(r.errors[2].line, 6u);
  EXPECT_EQ(r.errors[2].error.rfind("unparseable ts", 0), 0u);
  EXPECT_EQ(r.errors[3].line, 8u);
  EXPECT_EQ(r.errors[3].error, "invalid UTF-8");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(*b.Find(b.events()[0], "msg"), S("one"));
  EXPECT_EQ(*b.Find(b.events()[1], "msg"), S("two"));
  EXPECT_EQ(*b.Find(b.events()[2], "status"), I(201));
  EXPECT_EQ(b.events()[2].ts_ns, kRecv);
}

TEST(NdjsonDecoderTest, JsonArrayBodyUsesElementNumbers) {
  NdjsonDecoder d;
  EventBatch b;
  DecodeResult r = d.Decode(
      " [ {\"msg\":\"a,]}\\\"\"}, 7 ,{\"msg\":\"b\",\"tags\":[1,{\"x\":\"]\"}]},{\"ts\":\"x\"} ]\n",
      kRecv, &b);
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.rejected, 2u);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[0].error, "not a JSON object");
  EXPECT_EQ(r.errors[1].line, 4u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(*b.Find(b.events()[0], "msg"), S("a,]}\""));
  EXPECT_EQ(*b.Find(b.events()[1], "tags"), S("[1,{\"x\":\"]\"}]"));

  EventBatch b2;
  r = d.Decode("[{\"msg\":\"a\"},{\"msg\":\"b\"", kRecv, &b2);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[0].error, "invalid JSON: array body not terminated by ']'");
  EventBatch b3;
  r = d.Decode("[]", kRecv, &b3);
  EXPECT_EQ(r.accepted + r.rejected, 0u);
  // Escaped backslashes right before a closing quote, escaped quotes before ']'.
  EventBatch b4;
  r = d.Decode(R"([{"a":"x\\"},{"b":"\\\"]"},{"c":"\"],"}])", kRecv, &b4);
  EXPECT_EQ(r.accepted, 3u);
  ASSERT_EQ(b4.size(), 3u);
  EXPECT_EQ(*b4.Find(b4.events()[0], "a"), S("x\\"));
  EXPECT_EQ(*b4.Find(b4.events()[1], "b"), S("\\\"]"));
  EXPECT_EQ(*b4.Find(b4.events()[2], "c"), S("\"],"));
  // A stray '}' at array level must not stall the scan (found by the fuzzer).
  r = d.Decode("[{\"a\":1}},{\"b\":2}]", kRecv, &b3);
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.rejected, 1u);
}

TEST(NdjsonDecoderTest, LimitsAndErrorCap) {
  DecodeLimits lim;
  lim.max_line_bytes = 64;
  lim.max_reported_errors = 3;
  lim.max_fields = 3;
  lim.max_depth = 3;
  NdjsonDecoder d(lim);
  std::string body;
  body += "{\"msg\":\"" + std::string(100, 'x') + "\"}\n";  // 1 too long
  body += "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}\n";            // 2 too many fields
  body += "{\"a\":{\"b\":{\"c\":{\"d\":1}}}}\n";            // 3 too deep
  body += "{\"a\":{\"b\":{\"c\":1}}}\n";                    // 4 ok (depth 3)
  for (int i = 0; i < 10; ++i) body += "nope\n";            // 5..14 invalid
  EventBatch b;
  DecodeResult r = d.Decode(body, kRecv, &b);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.rejected, 13u);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 1u);
  EXPECT_EQ(r.errors[0].error, "line longer than 64 bytes");
  EXPECT_EQ(r.errors[1].line, 2u);
  EXPECT_EQ(r.errors[1].error, "more than 3 fields");
  EXPECT_EQ(r.errors[2].line, 3u);
  EXPECT_EQ(r.errors[2].error, "nesting deeper than 3");
  EXPECT_EQ(*b.Find(b.events()[0], "a.b.c"), I(1));
}

TEST(NdjsonDecoderTest, LinesAtTheEndOfTheBodyAreCopiedForPadding) {
  // Short lines near the end take the copying path; garbage right after a line must not
  // leak into it.
  NdjsonDecoder d;
  EventBatch b;
  DecodeResult r = d.Decode("{\"a\":1}\n{\"a\":2}\n{\"a\"", kRecv, &b);
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.errors[0].line, 3u);
  std::string big(200, ' ');
  big = "{\"a\":3}\n{\"b\":\"" + std::string(100, 'y') + "\"}\n" + big;
  r = d.Decode(big, kRecv, &b);
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(*b.Find(b.events()[2], "a"), I(3));
}

TEST(NdjsonDecoderTest, BytesAfterALineNeverCompleteIt) {
  // The parser may read the padding after a line (the rest of the body); what it finds
  // there must not turn a broken line into a good one.
  NdjsonDecoder d;
  EventBatch b;
  std::string body = "{\"a\":\"x\n\"}\n{\"a\":1\n}\n{\"a\":tr\nue}\n";
  body += std::string(200, ' ');
  DecodeResult r = d.Decode(body, kRecv, &b);
  EXPECT_EQ(r.accepted, 0u);
  EXPECT_EQ(r.rejected, 6u);
}

TEST(NdjsonDecoderTest, BomIsIgnored) {
  NdjsonDecoder d;
  EventBatch b;
  DecodeResult r = d.Decode("\xEF\xBB\xBF{\"msg\":\"x\"}\n", kRecv, &b);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.rejected, 0u);
}

// decode(EventJson(e)) == e: the canonical JSON of an event normalizes back to itself.
TEST(NdjsonDecoderTest, EventJsonRoundTrips) {
  const char* lines[] = {
      (R"({"ts":"2026-02-15T12:34:56.789Z","level":"info","service":"pharma-backend","env":"prod",)"
       R"("requestId":"a1b2c3","route":"POST /sales/{id}/pay","msg":"payment_confirmed",)"
       R"("meta":{"saleId":"s","amount":"123.45"}})"),
      (R"({"timestamp":"2025-10-07T14:30:00.123Z","level":"ERROR","message":"m","msg":"canon",)"
       R"("user_id":123,"exception":{"type":"E","traceback":["a\n","b\n"],"extra":{"k":[1,2.5]}},)"
       R"("extra_fields":{"duration_ms":12,"status":"success","ratio":1.0}})"),
      (R"({"kind":"Event","level":"verbose","time":"12ms","ts":1771158896,"bytes_in":"5",)"
       R"("sensitive":false,"value":-0.0,"uni":"ol\u00e1 \"q\" \t","n":null,"big":18446744073709551615})"),
  };
  NdjsonDecoder d;
  for (const char* line : lines) {
    EventBatch first;
    ASSERT_EQ(d.Decode(line, kRecv, &first).accepted, 1u) << line;
    const std::string json = EventJson(first, first.events()[0]);
    EventBatch second;
    DecodeResult r = d.Decode(json, kRecv + 1, &second);
    ASSERT_EQ(r.accepted, 1u) << json << (r.errors.empty() ? "" : r.errors[0].error);
    const auto& e1 = first.events()[0];
    const auto& e2 = second.events()[0];
    EXPECT_EQ(e1.ts_ns, e2.ts_ns) << json;
    auto f1 = first.fields(e1);
    auto f2 = second.fields(e2);
    ASSERT_EQ(f1.size(), f2.size()) << json << "\n" << EventJson(second, e2);
    for (size_t i = 0; i < f1.size(); ++i) {
      EXPECT_EQ(f1[i].name, f2[i].name) << json;
      EXPECT_EQ(f1[i].value, f2[i].value) << f1[i].name;
    }
    EXPECT_EQ(EventJson(second, e2), json);
  }
}

// A batch refilled body after body (`vigia query --file`'s worker) gets the same events,
// line numbers and reasons as a fresh batch per body, whether the next body's lines are as
// long as the last ones (not counted: the batch has room), shorter (the estimate falls short
// and the arrays grow) or longer.
TEST(NdjsonDecoderTest, RefilledBatchDecodesLikeAFreshOne) {
  auto body = [](int lines, size_t pad, bool bad_line) {
    std::string b;
    for (int i = 0; i < lines; ++i) {
      if (bad_line && i == lines / 2) {
        b += "{\"msg\":tru}\n";
        continue;
      }
      b += "{\"msg\":\"m" + std::to_string(i) + "\",\"pad\":\"" + std::string(pad, 'p') +
           "\",\"level\":\"warn\"}\n";
    }
    return b;
  };
  const std::vector<std::string> bodies = {body(500, 100, false), body(510, 100, true),
                                           body(490, 100, false), body(3000, 1, true),
                                           body(200, 400, true),  body(500, 100, false)};
  NdjsonDecoder refilled_decoder;
  NdjsonDecoder fresh_decoder;
  EventBatch refilled;
  for (const std::string& b : bodies) {
    refilled.Clear();
    const DecodeResult r = refilled_decoder.Decode(b, kRecv, &refilled);
    EventBatch fresh;
    const DecodeResult f = fresh_decoder.Decode(b, kRecv, &fresh);
    EXPECT_EQ(r.records, f.records);
    EXPECT_EQ(r.accepted, f.accepted);
    EXPECT_EQ(r.rejected, f.rejected);
    ASSERT_EQ(r.errors.size(), f.errors.size());
    for (size_t i = 0; i < r.errors.size(); ++i) {
      EXPECT_EQ(r.errors[i].line, f.errors[i].line);
      EXPECT_EQ(r.errors[i].error, f.errors[i].error);
    }
    ASSERT_EQ(refilled.size(), fresh.size());
    for (size_t i = 0; i < fresh.size(); ++i) {
      EXPECT_EQ(EventJson(refilled, refilled.events()[i]), EventJson(fresh, fresh.events()[i]));
    }
  }
  EXPECT_GT(refilled.spare_events(), 0u);  // room kept: the next body like these is not counted
}

}  // namespace
}  // namespace vigia

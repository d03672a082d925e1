// The Sentry front end: envelope framing (length-prefixed and newline-delimited items,
// skipped item types, malformed and oversized envelopes), the event mapping (exception,
// frames per platform, breadcrumbs, tags, user, release, environment, custom fingerprint),
// broken frames, and grouping through the real fingerprint deriver.
#include "ingest/sentry/sentry_decoder.h"

#include <gtest/gtest.h>

#include <string>

#include "common/limits.h"
#include "errors/fingerprint_deriver.h"
#include "ingest/sentry/sentry_envelope.h"

namespace vigia {
namespace {

std::string Item(std::string_view type, std::string_view payload, bool with_length = true) {
  std::string h = "{\"type\":\"" + std::string(type) + "\"";
  if (with_length) h += ",\"length\":" + std::to_string(payload.size());
  return h + "}\n" + std::string(payload) + "\n";
}

std::string NodeException(std::string_view value, int line) {
  return R"({"event_id":"0123456789abcdef0123456789abcdef","timestamp":1700000000.5,"platform":"node","level":"error","release":"shop@1.2.0","environment":"production","server_name":"web-1","transaction":"GET /users/:id","user":{"id":"u-7","ip_address":"{{auto}}"},"tags":{"service":"shop-api","region":"eu"},"breadcrumbs":{"values":[{"timestamp":1699999999.1,"category":"http","message":"GET /users/7"},{"timestamp":1699999999.9,"category":"db","message":"select"}]},"contexts":{"trace":{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"},"runtime":{"name":"node","version":"v20.11.0"}},"sdk":{"name":"sentry.javascript.node","version":"8.55.0"},"exception":{"values":[{"type":"TypeError","value":")" +
         std::string(value) +
         R"(","stacktrace":{"frames":[{"filename":"node:internal/process/task_queues","function":"process.processTicksAndRejections","lineno":95,"colno":5,"in_app":false},{"filename":"/app/src/users.js","abs_path":"/app/src/users.js","function":"UserService.get","lineno":)" +
         std::to_string(line) +
         R"(,"colno":11,"in_app":true}]},"mechanism":{"type":"generic","handled":true}}]}})";
}

std::string Str(const EventBatch& b, size_t i, std::string_view name) {
  const Value* v = b.Find(b.events()[i], name);
  if (v == nullptr) return "<absent>";
  if (v->type == ValueType::kString) return std::string(v->s);
  if (v->type == ValueType::kInt) return std::to_string(v->i);
  return "<other>";
}

class SentryDecoderTest : public ::testing::Test {
 protected:
  DecodeResult Decode(std::string_view body, std::string_view target = "envelope:42") {
    IngestRequest req;
    req.body = body;
    req.target = target;
    req.receive_ts_ns = 1'700'000'100'000'000'000;
    return decoder_.Decode(req, &batch_);
  }
  DecoderOptions Options() {
    DecoderOptions o;
    o.derivers.push_back(&fingerprint_);
    return o;
  }
  errors::FingerprintDeriver fingerprint_;
  SentryDecoder decoder_{Options()};
  EventBatch batch_;
};

TEST_F(SentryDecoderTest, MapsAnExceptionEvent) {
  std::string body =
      "{\"event_id\":\"0123456789abcdef0123456789abcdef\",\"sent_at\":\"x\"}\n" +
      Item("event", NodeException("Cannot read properties of undefined (reading 'id')", 42)) +
      Item("session", R"({"sid":"s","status":"ok"})") +
      Item("client_report", R"({"discarded_events":[]})", false);
  DecodeResult r = Decode(body);
  ASSERT_TRUE(r.undecodable.empty()) << r.undecodable;
  ASSERT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.rejected, 0u);
  EXPECT_EQ(r.reply, R"({"id":"0123456789abcdef0123456789abcdef"})");
  ASSERT_EQ(batch_.size(), 1u);
  EXPECT_EQ(batch_.events()[0].ts_ns, 1'700'000'000'500'000'000);
  EXPECT_EQ(Str(batch_, 0, "kind"), "error");
  EXPECT_EQ(Str(batch_, 0, "level"), "error");
  EXPECT_EQ(Str(batch_, 0, "service"), "shop-api");
  EXPECT_EQ(Str(batch_, 0, "tags.region"), "eu");
  EXPECT_EQ(Str(batch_, 0, "version"), "shop@1.2.0");
  EXPECT_EQ(Str(batch_, 0, "env"), "production");
  EXPECT_EQ(Str(batch_, 0, "host"), "web-1");
  EXPECT_EQ(Str(batch_, 0, "user_id"), "u-7");
  EXPECT_EQ(Str(batch_, 0, "ip"), "<absent>");
  EXPECT_EQ(Str(batch_, 0, "route"), "/users/:id");
  EXPECT_EQ(Str(batch_, 0, "method"), "GET");
  EXPECT_EQ(Str(batch_, 0, "trace_id"), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(Str(batch_, 0, "runtime"), "node v20.11.0");
  EXPECT_EQ(Str(batch_, 0, "sentry_project"), "42");
  EXPECT_EQ(Str(batch_, 0, "event_id"), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(Str(batch_, 0, "error.type"), "TypeError");
  EXPECT_EQ(Str(batch_, 0, "error.function"), "UserService.get");
  EXPECT_EQ(Str(batch_, 0, "error.line"), "42");
  EXPECT_EQ(Str(batch_, 0, "msg"), "TypeError: Cannot read properties of undefined (reading 'id')");
  EXPECT_NE(Str(batch_, 0, "error.stack").find("    at UserService.get (/app/src/users.js:42:11)"),
            std::string::npos);
  EXPECT_NE(Str(batch_, 0, "breadcrumbs").find("\"category\":\"db\""), std::string::npos);
  EXPECT_EQ(Str(batch_, 0, "fingerprint").size(), 16u);
}

TEST_F(SentryDecoderTest, SameBugGroupsAcrossLinesAndValues) {
  std::string a = "{}\n" + Item("event", NodeException("id 7 missing", 42));
  std::string b = "{}\n" + Item("event", NodeException("id 9 missing", 57));
  ASSERT_EQ(Decode(a).accepted, 1u);
  ASSERT_EQ(Decode(b).accepted, 1u);
  EXPECT_EQ(Str(batch_, 0, "fingerprint"), Str(batch_, 1, "fingerprint"));
  // A message (captureMessage, no length in the item header) groups by its template.
  std::string m1 = "{}\n" + Item("event", R"({"message":"order 17 stuck","level":"info"})", false);
  std::string m2 = "{}\n" + Item("event", R"({"logentry":{"formatted":"order 99 stuck"}})", false);
  ASSERT_EQ(Decode(m1).accepted, 1u);
  ASSERT_EQ(Decode(m2).accepted, 1u);
  EXPECT_EQ(Str(batch_, 2, "msg"), "order 17 stuck");
  EXPECT_EQ(Str(batch_, 2, "level"), "info");
  EXPECT_EQ(Str(batch_, 2, "kind"), "error");
  EXPECT_EQ(Str(batch_, 2, "service"), "sentry-42");
  EXPECT_EQ(Str(batch_, 2, "fingerprint"), Str(batch_, 3, "fingerprint"));
  EXPECT_NE(Str(batch_, 0, "fingerprint"), Str(batch_, 2, "fingerprint"));
}

TEST_F(SentryDecoderTest, PlatformsAndCustomFingerprint) {
  std::string py =
      R"({"platform":"python","exception":{"values":[{"type":"KeyError","value":"'u'","stacktrace":{"frames":[{"filename":"api/users.py","abs_path":"/srv/app/api/users.py","function":"get_user","lineno":88,"in_app":true}]}}]}})";
  std::string java =
      R"({"platform":"java","exception":{"values":[{"type":"IllegalStateException","value":"x","stacktrace":{"frames":[{"module":"br.acme.OrderService","function":"place","filename":"OrderService.java","lineno":42,"in_app":true}]}}]}})";
  std::string dart =
      R"({"platform":"dart","exception":{"values":[{"type":"StateError","value":"Bad state","stacktrace":{"frames":[{"abs_path":"package:shop/ui/cart_page.dart","function":"CartPage.build","lineno":42,"colno":7,"in_app":true}]}}]}})";
  std::string custom = R"({"message":"x","fingerprint":["payments","declined"]})";
  ASSERT_EQ(Decode(py, "store:1").accepted, 1u);
  ASSERT_EQ(Decode(java, "store:1").accepted, 1u);
  ASSERT_EQ(Decode(dart, "store:1").accepted, 1u);
  ASSERT_EQ(Decode(custom, "store:1").accepted, 1u);
  EXPECT_NE(
      Str(batch_, 0, "error.stack").find("  File \"/srv/app/api/users.py\", line 88, in get_user"),
      std::string::npos);
  EXPECT_NE(
      Str(batch_, 1, "error.stack").find("\tat br.acme.OrderService.place(OrderService.java:42)"),
      std::string::npos);
  EXPECT_NE(Str(batch_, 2, "error.stack")
                .find("#0      CartPage.build (package:shop/ui/cart_page.dart:42:7)"),
            std::string::npos);
  EXPECT_EQ(Str(batch_, 3, "fingerprint"), "payments:declined");
}

TEST_F(SentryDecoderTest, BrokenFramesAreSkippedAndCounted) {
  std::string ev =
      R"({"exception":{"values":[{"type":"E","value":"v","stacktrace":{"frames":[1,"x",{},{"lineno":"nan"},{"function":"f","filename":"a.js","lineno":"3"}]}}]}})";
  DecodeResult r = Decode("{}\n" + Item("event", ev));
  ASSERT_EQ(r.accepted, 1u);
  EXPECT_EQ(Str(batch_, 0, "error.frames_skipped"), "4");
  EXPECT_EQ(Str(batch_, 0, "error.function"), "f");
  EXPECT_EQ(Str(batch_, 0, "error.line"), "<absent>");
}

TEST_F(SentryDecoderTest, BadInputIsNamed) {
  EXPECT_EQ(Decode("not json\n").undecodable, "envelope header: not a JSON object");
  EXPECT_EQ(Decode("{}\n{\"length\":3}\nabc\n").undecodable, "envelope item 1: header has no type");
  EXPECT_EQ(Decode("{}\n{\"type\":\"event\",\"length\":999}\n{}\n").undecodable,
            "envelope item 1: length 999 runs past the end of the envelope");
  EXPECT_EQ(Decode("{}\n{\"type\":\"event\",\"length\":-1}\n{}\n").undecodable,
            "envelope item 1: length is not a non-negative integer");
  // One bad event costs only itself.
  DecodeResult r = Decode("{}\n" + Item("event", "[1,2]") + Item("event", "{\"message\":\"ok\"}") +
                          Item("event", "{broken"));
  EXPECT_TRUE(r.undecodable.empty());
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.rejected, 2u);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 1u);
  EXPECT_EQ(r.errors[0].error, "event: not a JSON object");
  EXPECT_EQ(r.errors[1].line, 3u);
  EXPECT_EQ(Decode("{\"message\":", "store:1").rejected, 1u);
  // An oversized event item is refused whole (the route answers 413).
  std::string big = "{\"message\":\"" + std::string(limits::kMaxSentryEventBytes, 'x') + "\"}";
  sentry::Envelope env;
  EXPECT_EQ(sentry::ParseEnvelope("{}\n" + Item("event", big), &env).code(),
            StatusCode::kResourceExhausted);
  // An empty envelope (header only) is valid and holds nothing.
  r = Decode("{\"event_id\":\"e1\"}");
  EXPECT_TRUE(r.undecodable.empty());
  EXPECT_EQ(r.accepted, 0u);
  EXPECT_EQ(r.reply, R"({"id":"e1"})");
}

}  // namespace
}  // namespace vigia

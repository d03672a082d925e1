// The canonicalizer fed directly, as a non-JSON front end (OTLP, syslog) would: the same
// canonical event as the JSON front end, and the admission window.
#include "ingest/normalize/canonicalizer.h"

#include <gtest/gtest.h>

#include <string>

#include "event/event_json.h"
#include "event/event_test_util.h"
#include "ingest/normalize/normalizer.h"

namespace vigia {
namespace {

constexpr int64_t kRecv = 1'700'000'000'000'000'000;

std::string JsonOf(const EventBatch& b) { return EventJson(b, b.events().back()); }

TEST(CanonicalizerTest, EventsFedDirectlyMatchTheJsonFrontEnd) {
  const std::string line =
      R"({"timestamp":"2026-11-22T10:00:00Z","level":"ERROR","endpoint":"post /sales/{id}",)"
      R"("status":"503","exception":{"type":"ValueError","traceback":["a\n","b"],)"
      R"("extra":{"x":1}},"meta":{"storeId":"s1","n":{"deep":true}},"tags":["a",{"b":null}],)"
      R"("extra":{"level":"warn","big":18446744073709551615},"duration_ms":"12.5","nothing":null})";
  EventBatch from_json;
  Normalizer n;
  ASSERT_TRUE(n.Normalize(line, kRecv, &from_json).ok());

  Canonicalizer c;
  EventBatch fed;
  c.BeginEvent(&fed);
  ASSERT_TRUE(c.String("timestamp", "2026-11-22T10:00:00Z"));
  ASSERT_TRUE(c.String("level", "ERROR"));
  ASSERT_TRUE(c.String("endpoint", "post /sales/{id}"));
  ASSERT_TRUE(c.String("status", "503"));
  ASSERT_TRUE(c.BeginObject("exception"));
  ASSERT_TRUE(c.String("type", "ValueError"));
  ASSERT_TRUE(c.BeginArray("traceback"));
  ASSERT_TRUE(c.String({}, "a\n"));
  ASSERT_TRUE(c.String({}, "b"));
  ASSERT_TRUE(c.EndArray());
  ASSERT_TRUE(c.BeginObject("extra"));
  ASSERT_TRUE(c.Int("x", 1));
  ASSERT_TRUE(c.EndObject());
  ASSERT_TRUE(c.EndObject());
  ASSERT_TRUE(c.BeginObject("meta"));
  ASSERT_TRUE(c.String("storeId", "s1"));
  ASSERT_TRUE(c.BeginObject("n"));
  ASSERT_TRUE(c.Bool("deep", true));
  ASSERT_TRUE(c.EndObject());
  ASSERT_TRUE(c.EndObject());
  ASSERT_TRUE(c.BeginArray("tags"));
  ASSERT_TRUE(c.String({}, "a"));
  ASSERT_TRUE(c.BeginObject({}));
  ASSERT_TRUE(c.Null("b"));
  ASSERT_TRUE(c.EndObject());
  ASSERT_TRUE(c.EndArray());
  ASSERT_TRUE(c.BeginObject("extra"));
  ASSERT_TRUE(c.String("level", "warn"));
  ASSERT_TRUE(c.Uint("big", 18446744073709551615ull));
  ASSERT_TRUE(c.EndObject());
  ASSERT_TRUE(c.String("duration_ms", "12.5"));
  ASSERT_TRUE(c.Null("nothing"));
  ASSERT_TRUE(c.EndEvent(kRecv));

  EXPECT_EQ(JsonOf(fed), JsonOf(from_json));
  const auto& e = fed.events()[0];
  EXPECT_EQ(*fed.Find(e, "error.stack"), S("a\nb"));
  EXPECT_EQ(*fed.Find(e, "tags"), S(R"(["a",{"b":null}])"));
  EXPECT_EQ(*fed.Find(e, "method"), S("POST"));
  EXPECT_EQ(*fed.Find(e, "level"), S("warn"));  // extra beats the outer line
  EXPECT_EQ(*fed.Find(e, "big"), S("18446744073709551615"));
  EXPECT_EQ(*fed.Find(e, "perf_class"), S("excellent"));
}

TEST(CanonicalizerTest, CanonicalFieldGivenAnObjectKeepsItsJsonText) {
  Canonicalizer c;
  EventBatch b;
  c.BeginEvent(&b);
  ASSERT_TRUE(c.BeginObject("msg"));
  ASSERT_TRUE(c.BeginArray("a"));
  ASSERT_TRUE(c.Int({}, 1));
  ASSERT_TRUE(c.Double({}, 2.5));
  ASSERT_TRUE(c.EndArray());
  ASSERT_TRUE(c.EndObject());
  ASSERT_TRUE(c.EndEvent(kRecv));
  EXPECT_EQ(*b.Find(b.events()[0], "msg"), S(R"({"a":[1,2.5]})"));
}

TEST(CanonicalizerTest, LimitsApplyToEveryFrontEnd) {
  CanonicalizerOptions o;
  o.max_depth = 3;
  o.max_fields = 2;
  o.max_field_name_bytes = 5;
  Canonicalizer c(o);
  EventBatch b;
  c.BeginEvent(&b);
  ASSERT_TRUE(c.BeginObject("a"));
  ASSERT_TRUE(c.BeginArray("b"));
  EXPECT_FALSE(c.BeginObject({}));
  EXPECT_EQ(c.error(), "nesting deeper than 3");

  c.BeginEvent(&b);
  ASSERT_TRUE(c.Int("a", 1));
  ASSERT_TRUE(c.Int("b", 1));
  EXPECT_FALSE(c.Int("c", 1));
  EXPECT_EQ(c.error(), "more than 2 fields");

  c.BeginEvent(&b);
  ASSERT_TRUE(c.BeginObject("abc"));
  EXPECT_FALSE(c.Int("de", 1));  // abc.de: 6 bytes
  EXPECT_EQ(c.error(), "field name longer than 5 bytes");
  EXPECT_TRUE(b.empty());
}

TEST(CanonicalizerTest, AdmissionWindowRefusesTooOldAndTooNew) {
  Canonicalizer c;
  AdmissionWindow w;
  w.min_ts_ns = kRecv - 10;
  w.max_ts_ns = kRecv + 10;
  w.too_old = "older than retention (30d)";
  w.too_new = "more than 1d in the future";
  c.SetAdmission(w);
  EventBatch b;
  c.BeginEvent(&b);
  ASSERT_TRUE(c.Int("ts", kRecv - 11));
  EXPECT_FALSE(c.EndEvent(kRecv));
  EXPECT_EQ(c.error(), "older than retention (30d)");
  c.BeginEvent(&b);
  ASSERT_TRUE(c.Int("ts", kRecv + 11));
  EXPECT_FALSE(c.EndEvent(kRecv));
  EXPECT_EQ(c.error(), "more than 1d in the future");
  EXPECT_TRUE(b.empty());
  c.BeginEvent(&b);
  ASSERT_TRUE(c.Int("ts", kRecv - 10));
  EXPECT_TRUE(c.EndEvent(kRecv));
  c.BeginEvent(&b);  // no ts: the receive time, inside the window
  ASSERT_TRUE(c.String("msg", "x"));
  EXPECT_TRUE(c.EndEvent(kRecv));
  EXPECT_EQ(b.size(), 2u);
}

}  // namespace
}  // namespace vigia

#include "ingest/normalize/normalizer.h"

#include <gtest/gtest.h>

#include <string>

#include "common/time_format.h"
#include "ingest/normalize/normalizer_fixture.h"

namespace vigia {
namespace {

using NormalizerTest = NormalizerFixture;

struct AliasRow {
  const char* key;
  const char* json_value;
  const char* canonical;
  Value expected;
};

// Every row of the alias table of docs/architecture.md ("The event model") (plus each canonical
// spelling of it).
TEST_F(NormalizerTest, EveryAliasMapsToItsCanonicalField) {
  const AliasRow rows[] = {
      {"msg", "\"hi\"", "msg", S("hi")},
      {"message", "\"hi\"", "msg", S("hi")},
      {"mensagem", "\"olá\"", "msg", S("olá")},
      {"level", "\"WARNING\"", "level", S("warn")},
      {"severity", "\"CRITICAL\"", "level", S("fatal")},
      {"levelname", "\"FATAL\"", "level", S("fatal")},
      {"lvl", "\"ERR\"", "level", S("error")},
      {"nivel", "\"Debug\"", "level", S("debug")},
      {"request_id", "\"r1\"", "request_id", S("r1")},
      {"requestId", "\"r1\"", "request_id", S("r1")},
      {"x_request_id", "\"r1\"", "request_id", S("r1")},
      {"correlation_id", "\"r1\"", "request_id", S("r1")},
      {"correlationId", "\"r1\"", "request_id", S("r1")},
      {"user_id", "\"u\"", "user_id", S("u")},
      {"userId", "42", "user_id", S("42")},
      {"usuario_id", "\"u\"", "user_id", S("u")},
      {"route", "\"/a/{id}\"", "route", S("/a/{id}")},
      {"endpoint", "\"/a/{id}\"", "route", S("/a/{id}")},
      {"status", "200", "status", I(200)},
      {"status_code", "\"404\"", "status", I(404)},
      {"statusCode", "500.0", "status", I(500)},
      {"duration_ms", "12.5", "duration_ms", F(12.5)},
      {"duration", "7", "duration_ms", F(7)},
      {"response_time_ms", "\"3.25\"", "duration_ms", F(3.25)},
      {"latency_ms", "1000", "duration_ms", F(1000)},
      {"durationMs", "60", "duration_ms", F(60)},
      {"ip", "\"10.0.0.1\"", "ip", S("10.0.0.1")},
      {"client_ip", "\"10.0.0.1\"", "ip", S("10.0.0.1")},
      {"remote_addr", "\"10.0.0.1\"", "ip", S("10.0.0.1")},
      {"clientIp", "\"10.0.0.1\"", "ip", S("10.0.0.1")},
      {"ua", "\"curl/8\"", "ua", S("curl/8")},
      {"user_agent", "\"curl/8\"", "ua", S("curl/8")},
      {"userAgent", "\"curl/8\"", "ua", S("curl/8")},
      {"host", "\"m1\"", "host", S("m1")},
      {"maquina_id", "\"m1\"", "host", S("m1")},
      {"machine_id", "\"m1\"", "host", S("m1")},
      {"hostname", "\"m1\"", "host", S("m1")},
      {"version", "\"1.2\"", "version", S("1.2")},
      {"app_version", "\"1.2\"", "version", S("1.2")},
      {"action", "\"sale.pay\"", "action", S("sale.pay")},
      {"acao", "\"questao.criada\"", "action", S("questao.criada")},
      {"entity", "\"sale\"", "entity", S("sale")},
      {"entidade", "\"questao\"", "entity", S("questao")},
      {"entity_id", "7", "entity_id", S("7")},
      {"entidade_id", "\"q7\"", "entity_id", S("q7")},
      {"details", "\"free text\"", "details", S("free text")},
      {"detalhes", "\"texto\"", "details", S("texto")},
      {"error", "\"boom\"", "error.message", S("boom")},
      {"exception", "\"boom\"", "error.message", S("boom")},
      {"err", "\"boom\"", "error.message", S("boom")},
      {"erro", "\"boom\"", "error.message", S("boom")},
      {"service", "\"api\"", "service", S("api")},
      {"env", "\"prod\"", "env", S("prod")},
      {"kind", "\"Request\"", "kind", S("request")},
      {"method", "\"post\"", "method", S("POST")},
      {"bytes_in", "\"120\"", "bytes_in", I(120)},
      {"bytes_out", "99", "bytes_out", I(99)},
      {"sensitive", "\"true\"", "sensitive", B(true)},
      {"outcome", "\"failed\"", "outcome", S("failure")},
      {"value", "3", "value", F(3)},
      {"error.line", "\"12\"", "error.line", I(12)},
  };
  for (const AliasRow& r : rows) {
    std::string line = std::string("{\"") + r.key + "\":" + r.json_value + "}";
    ASSERT_TRUE(Norm(line).ok()) << line;
    EXPECT_EQ(Get(r.canonical), r.expected) << line;
    if (std::string_view(r.key) != r.canonical) {
      EXPECT_FALSE(Has(r.key)) << line;
    }
  }
}

TEST_F(NormalizerTest, TimestampSpellingsAndForms) {
  const int64_t want = *ParseRfc3339("2026-02-15T12:34:56.789Z");
  const char* lines[] = {
      R"({"ts":"2026-02-15T12:34:56.789Z"})",
      R"({"timestamp":"2026-02-15T12:34:56.789+00:00"})",
      R"({"@timestamp":"2026-02-15T09:34:56.789-03:00"})",
      R"({"time":"2026-02-15 12:34:56.789"})",
      R"({"timeUnixNano":"1771158896789000000"})",
      R"({"ts":1771158896789})",
      R"({"ts":1771158896789000})",
      R"({"ts":1771158896789000000})",
      R"({"ts":1771158896.789})",
  };
  for (const char* line : lines) {
    ASSERT_TRUE(Norm(line).ok()) << line;
    EXPECT_EQ(Ev().ts_ns, want) << line;
    EXPECT_FALSE(Has("ts")) << line;
  }
  ASSERT_TRUE(Norm(R"({"ts":1771158896})").ok());
  EXPECT_EQ(Ev().ts_ns, 1771158896LL * 1000000000);
  ASSERT_TRUE(Norm(R"({"msg":"x"})").ok());
  EXPECT_EQ(Ev().ts_ns, kRecv);
  ASSERT_TRUE(Norm(R"({"timestamp":null})").ok());
  EXPECT_EQ(Ev().ts_ns, kRecv);
}

TEST_F(NormalizerTest, UnparseableTsRejectsTheLine) {
  for (const char* line : {R"({"ts":"yesterday"})", R"({"timestamp":true})",
                           R"({"ts":"2026-13-01T00:00:00Z"})", R"({"ts":99999999999})"}) {
    Status st = Norm(line);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << line;
    EXPECT_EQ(st.message().rfind("unparseable ts", 0), 0u) << st.message();
    EXPECT_EQ(batch_.size(), 0u);
  }
}

TEST_F(NormalizerTest, AParseableTsSpellingWinsOverAnUnparseableOne) {
  ASSERT_TRUE(Norm(R"({"time":"12ms","timestamp":"2026-02-15T00:00:00Z"})").ok());
  EXPECT_EQ(Ev().ts_ns, *ParseRfc3339("2026-02-15T00:00:00Z"));
  EXPECT_EQ(Get("ts_raw"), S("12ms"));
}

TEST_F(NormalizerTest, CanonicalSpellingBeatsAliasAndLoserIsKept) {
  ASSERT_TRUE(Norm(R"({"message":"alias","msg":"canonical"})").ok());
  EXPECT_EQ(Get("msg"), S("canonical"));
  EXPECT_EQ(Get("message"), S("alias"));
  ASSERT_TRUE(Norm(R"({"message":"first","mensagem":"second"})").ok());
  EXPECT_EQ(Get("msg"), S("first"));
  EXPECT_EQ(Get("mensagem"), S("second"));
  // An exact duplicate key: the first wins, the second is dropped.
  ASSERT_TRUE(Norm(R"({"msg":"a","msg":"b","x":1,"x":2})").ok());
  EXPECT_EQ(Get("msg"), S("a"));
  EXPECT_EQ(Get("x"), I(1));
  EXPECT_EQ(Names(), (std::vector<std::string>{"kind", "level", "msg", "x"}));
}

TEST_F(NormalizerTest, ExtraFieldsAreTopLevelAndWinOverTheOuterLine) {
  ASSERT_TRUE(Norm(R"({"user_id":null,"message":"m","email":"outer","extra_fields":)"
                   R"({"user_id":123,"duration_ms":234.56,"email":"inner","ip":"1.2.3.4"}})")
                  .ok());
  EXPECT_EQ(Get("user_id"), S("123"));
  EXPECT_EQ(Get("duration_ms"), F(234.56));
  EXPECT_EQ(Get("perf_class"), S("slow"));
  EXPECT_EQ(Get("email"), S("inner"));
  EXPECT_EQ(Get("ip"), S("1.2.3.4"));
  EXPECT_FALSE(Has("extra_fields.email"));
  ASSERT_TRUE(Norm(R"({"extra":{"a":{"b":1}},"extra2":{"c":2}})").ok());
  EXPECT_EQ(Get("a.b"), I(1));
  EXPECT_EQ(Get("extra2.c"), I(2));
  // A canonical name inside extra beats an alias outside, whatever the order.
  ASSERT_TRUE(Norm(R"({"extra":{"msg":"inner"},"message":"outer"})").ok());
  EXPECT_EQ(Get("msg"), S("inner"));
}

TEST_F(NormalizerTest, NestedObjectsFlattenArraysStayJsonNullsDrop) {
  ASSERT_TRUE(Norm(R"({"meta":{"saleId":"s1","amount":"123.45","deep":{"x":true}},"tags":[1, "a", )"
                   R"({"k":null}],"gone":null,"empty":{}})")
                  .ok());
  EXPECT_EQ(Get("meta.saleId"), S("s1"));
  EXPECT_EQ(Get("meta.amount"), S("123.45"));
  EXPECT_EQ(Get("meta.deep.x"), B(true));
  EXPECT_EQ(Get("tags"), S(R"([1,"a",{"k":null}])"));
  EXPECT_FALSE(Has("gone"));
  EXPECT_FALSE(Has("empty"));
}

TEST_F(NormalizerTest, KindAndLevelDefaultsAndUnknownValues) {
  ASSERT_TRUE(Norm(R"({"msg":"x"})").ok());
  EXPECT_EQ(Get("kind"), S("log"));
  EXPECT_EQ(Get("level"), S("info"));
  EXPECT_EQ(Names()[0], "kind");
  EXPECT_EQ(Names()[1], "level");
  ASSERT_TRUE(Norm(R"({"kind":"error"})").ok());
  EXPECT_EQ(Get("level"), S("error"));
  ASSERT_TRUE(Norm(R"({"kind":"error","level":"warn"})").ok());
  EXPECT_EQ(Get("level"), S("warn"));
  ASSERT_TRUE(Norm(R"({"kind":"Event","level":"verbose"})").ok());
  EXPECT_EQ(Get("kind"), S("log"));
  EXPECT_EQ(Get("kind_raw"), S("Event"));
  EXPECT_EQ(Get("level"), S("info"));
  EXPECT_EQ(Get("level_raw"), S("verbose"));
  ASSERT_TRUE(Norm(R"({"level":30})").ok());
  EXPECT_EQ(Get("level_raw"), S("30"));
}

TEST_F(NormalizerTest, RouteWithMethodSetsBoth) {
  ASSERT_TRUE(Norm(R"({"route":"POST /sales/{id}/pay"})").ok());
  EXPECT_EQ(Get("route"), S("/sales/{id}/pay"));
  EXPECT_EQ(Get("method"), S("POST"));
  ASSERT_TRUE(Norm(R"({"endpoint":"get /api/x","method":"DELETE"})").ok());
  EXPECT_EQ(Get("route"), S("/api/x"));
  EXPECT_EQ(Get("method"), S("DELETE"));  // an explicit method beats the derived one
  ASSERT_TRUE(Norm(R"({"route":"health check"})").ok());
  EXPECT_EQ(Get("route"), S("health check"));
  EXPECT_FALSE(Has("method"));
}

TEST_F(NormalizerTest, TypingAndRawFallbacks) {
  ASSERT_TRUE(Norm(R"({"status":"success","duration_ms":"fast","bytes_in":1.5,)"
                   R"("sensitive":"maybe","error":{"linha":"x"}})")
                  .ok());
  EXPECT_FALSE(Has("status"));
  EXPECT_EQ(Get("status_raw"), S("success"));
  EXPECT_EQ(Get("outcome"), S("success"));
  EXPECT_EQ(Get("duration_ms_raw"), S("fast"));
  EXPECT_FALSE(Has("perf_class"));
  EXPECT_EQ(Get("bytes_in_raw"), S("1.5"));
  EXPECT_EQ(Get("sensitive_raw"), S("maybe"));
  EXPECT_EQ(Get("error.line_raw"), S("x"));
  ASSERT_TRUE(Norm(R"({"status":"failed","outcome":"success"})").ok());
  EXPECT_EQ(Get("outcome"), S("success"));  // explicit beats derived
  ASSERT_TRUE(Norm(R"({"user_id":{"id":5},"msg":true,"big":18446744073709551615})").ok());
  EXPECT_EQ(Get("user_id"), S(R"({"id":5})"));
  EXPECT_EQ(Get("msg"), S("true"));
  EXPECT_EQ(Get("big"), S("18446744073709551615"));
}

TEST_F(NormalizerTest, PerfClassFromDuration) {
  const std::pair<const char*, const char*> cases[] = {
      {"49.9", "excellent"}, {"50", "good"},    {"199", "good"},
      {"200", "slow"},       {"999.9", "slow"}, {"1000", "very_slow"}};
  for (const auto& [d, cls] : cases) {
    ASSERT_TRUE(Norm(std::string(R"({"duration_ms":)") + d + "}").ok());
    EXPECT_EQ(Get("perf_class"), S(cls)) << d;
  }
}

TEST_F(NormalizerTest, ErrorObjectsFlattenWithPortugueseKeys) {
  ASSERT_TRUE(Norm(R"({"erro":{"tipo":"ValueError","mensagem":"bad","stacktrace":"Trace\n  at x",)"
                   R"("arquivo":"/app/a.py","linha":42,"funcao":"f","codigo":"E1","ctx":{"k":1}}})")
                  .ok());
  EXPECT_EQ(Get("error.type"), S("ValueError"));
  EXPECT_EQ(Get("error.message"), S("bad"));
  EXPECT_EQ(Get("error.stack"), S("Trace\n  at x"));
  EXPECT_EQ(Get("error.file"), S("/app/a.py"));
  EXPECT_EQ(Get("error.line"), I(42));
  EXPECT_EQ(Get("error.function"), S("f"));
  EXPECT_EQ(Get("error.codigo"), S("E1"));
  EXPECT_EQ(Get("error.ctx.k"), I(1));
  ASSERT_TRUE(
      Norm(R"({"exception":{"type":"KeyError","message":"k","traceback":)"
           R"(["Traceback (most recent call last):\n","  File \"a.py\"\n","KeyError: k\n"]}})")
          .ok());
  EXPECT_EQ(Get("error.type"), S("KeyError"));
  EXPECT_EQ(Get("error.stack"),
            S("Traceback (most recent call last):\n  File \"a.py\"\nKeyError: k"));
  ASSERT_TRUE(Norm(R"({"error":{"code":500,"stack":["a","b"]}})").ok());
  EXPECT_EQ(Get("error.code"), S("500"));
  EXPECT_EQ(Get("error.stack"), S("a\nb"));
}

TEST_F(NormalizerTest, RejectsBadLinesWithReasons) {
  struct Case {
    std::string line;
    const char* reason_prefix;
  };
  std::string deep = "{\"a\":";
  for (int i = 0; i < 32; ++i) deep += "[";
  deep += "1";
  for (int i = 0; i < 32; ++i) deep += "]";
  deep += "}";
  std::string ok_deep = "{\"a\":";
  for (int i = 0; i < 30; ++i) ok_deep += "[";
  ok_deep += "{\"b\":1}";
  for (int i = 0; i < 30; ++i) ok_deep += "]";
  ok_deep += "}";
  // simdjson does not count an empty innermost container as a level: 31 arrays under the
  // line's object, then [] — accepted, and the canonicalizer must agree.
  std::string empty_innermost = "{\"a\":";
  for (int i = 0; i < 31; ++i) empty_innermost += "[";
  empty_innermost += "[]";
  for (int i = 0; i < 31; ++i) empty_innermost += "]";
  empty_innermost += "}";
  std::string many = "{";
  for (int i = 0; i < 1001; ++i) many += (i ? ",\"f" : "\"f") + std::to_string(i) + "\":1";
  many += "}";
  std::string long_name = "{\"" + std::string(257, 'n') + "\":1}";
  const Case cases[] = {
      {R"({"a":"unclosed)", "invalid JSON: unclosed string"},
      {R"({"a":1,})", "invalid JSON:"},
      {R"({"a":1} trailing)", "invalid JSON:"},
      {"{\"a\":\"\xff\"}", "invalid UTF-8"},
      {"[1,2]", "not a JSON object"},
      {"\"str\"", "not a JSON object"},
      {deep, "nesting deeper than 32"},
      {many, "more than 1000 fields"},
      {long_name, "field name longer than 256 bytes"},
  };
  for (const Case& c : cases) {
    Status st = Norm(c.line);
    EXPECT_FALSE(st.ok()) << c.line;
    EXPECT_EQ(st.message().rfind(c.reason_prefix, 0), 0u) << st.message();
    EXPECT_EQ(batch_.size(), 0u);
  }
  EXPECT_TRUE(Norm(ok_deep).ok());
  Status empty_ok = Norm(empty_innermost);
  EXPECT_TRUE(empty_ok.ok()) << empty_ok.message();
  std::string thousand = "{";
  for (int i = 0; i < 1000; ++i) thousand += (i ? ",\"f" : "\"f") + std::to_string(i) + "\":1";
  thousand += "}";
  ASSERT_TRUE(Norm(thousand).ok());
  EXPECT_EQ(batch_.fields(Ev()).size(), 1002u);  // + kind, level
}

// A deriver that knows one browser; a second one that reads what the first added.
class FixedUaDeriver : public FieldDeriver {
 public:
  void Derive(CanonicalEvent& e) const override {
    using normalize::Slot;
    if (!e.Has(Slot::kUa) || e.Get(Slot::kUa).s.find("Firefox") == std::string_view::npos) return;
    e.AddIfAbsent(Slot::kBrowser, S("Firefox"), true);
    e.AddIfAbsent(Slot::kOs, S("Linux"), true);
    e.AddIfAbsent(Slot::kDevice, S("Other"), true);
  }
  DeriverSlots Slots() const override {
    using normalize::Slot;
    using normalize::SlotBit;
    return {SlotBit(Slot::kUa),
            SlotBit(Slot::kBrowser) | SlotBit(Slot::kOs) | SlotBit(Slot::kDevice)};
  }
};
class BrowserEchoDeriver : public FieldDeriver {
 public:
  void Derive(CanonicalEvent& e) const override {
    using normalize::Slot;
    if (e.Has(Slot::kBrowser)) e.AddIfAbsent(Slot::kFingerprint, e.Get(Slot::kBrowser), false);
  }
  DeriverSlots Slots() const override {
    using normalize::Slot;
    using normalize::SlotBit;
    return {SlotBit(Slot::kBrowser) | SlotBit(Slot::kFingerprint), SlotBit(Slot::kFingerprint)};
  }
};

TEST(NormalizerDeriverTest, DeriversRunInOrderAndNeverOverrideTheLine) {
  FixedUaDeriver ua;
  BrowserEchoDeriver echo;
  NormalizerOptions opt;
  opt.derivers.push_back(&ua);
  opt.derivers.push_back(&echo);
  Normalizer n(opt);
  EventBatch b;
  ASSERT_TRUE(n.Normalize(R"({"ua":"Mozilla/5.0 Firefox/120","os":"Mine"})", 0, &b).ok());
  ASSERT_TRUE(n.Normalize(R"({"ua":"curl/8","duration_ms":10})", 0, &b).ok());
  EXPECT_EQ(*b.Find(b.events()[0], "browser"), S("Firefox"));
  EXPECT_EQ(*b.Find(b.events()[0], "os"), S("Mine"));
  EXPECT_EQ(*b.Find(b.events()[0], "device"), S("Other"));
  EXPECT_EQ(*b.Find(b.events()[0], "fingerprint"), S("Firefox"));  // saw the first's output
  EXPECT_EQ(b.Find(b.events()[0], "browser_version"), nullptr);
  EXPECT_EQ(b.Find(b.events()[1], "browser"), nullptr);
  EXPECT_EQ(*b.Find(b.events()[1], "perf_class"), S("excellent"));  // the built-in deriver
}

TEST(NormalizerDeriverTest, WithoutDeriversNothingIsDerived) {
  NormalizerOptions opt;
  opt.derivers.clear();
  Normalizer n(opt);
  EventBatch b;
  ASSERT_TRUE(n.Normalize(R"({"duration_ms":10})", 0, &b).ok());
  EXPECT_EQ(b.Find(b.events()[0], "perf_class"), nullptr);
}

TEST_F(NormalizerTest, ManyEventsInOneBatchKeepTheirOwnStrings) {
  for (int i = 0; i < 2000; ++i) {
    std::string line = R"({"msg":"m)" + std::to_string(i) + R"(","k)" + std::to_string(i % 7) +
                       R"(":{"v":")" + std::string(i % 50, 'x') + "\"}}";
    ASSERT_TRUE(normalizer_.Normalize(line, i, &batch_).ok());
  }
  ASSERT_EQ(batch_.size(), 2000u);
  for (int i = 0; i < 2000; i += 97) {
    const auto& e = batch_.events()[i];
    EXPECT_EQ(e.ts_ns, i);
    EXPECT_EQ(*batch_.Find(e, "msg"), S("m" + std::to_string(i)));
    std::string name = "k" + std::to_string(i % 7) + ".v";
    EXPECT_EQ(*batch_.Find(e, name), S(std::string(i % 50, 'x')));
  }
}

}  // namespace
}  // namespace vigia

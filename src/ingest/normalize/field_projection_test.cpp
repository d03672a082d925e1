// FieldProjection and the Canonicalizer's projected mode: random lines built from every kind
// of key the normalizer treats specially (aliases, ts spellings, error objects, extra,
// details, dotted and nested names, arrays, values that fail coercion) under small limits, so
// that lines are also rejected for each reason; each is decoded in full and with random
// projections, which must accept and reject the same lines with the same reasons and give
// every projected field the same value.
#include "ingest/normalize/field_projection.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "event/event_fields.h"
#include "ingest/normalize/normalizer.h"

namespace vigia {
namespace {

using normalize::Slot;
using normalize::SlotBit;

// ua -> browser, and a deriver reading what the first one added (the closure's fixed point).
class TestUaDeriver : public FieldDeriver {
 public:
  void Derive(CanonicalEvent& e) const override {
    if (e.Has(Slot::kUa) && e.Get(Slot::kUa).type == ValueType::kString) {
      e.AddIfAbsent(Slot::kBrowser, Value::String(e.Get(Slot::kUa).s.substr(0, 3)), false);
    }
  }
  DeriverSlots Slots() const override { return {SlotBit(Slot::kUa), SlotBit(Slot::kBrowser)}; }
};
class TestEchoDeriver : public FieldDeriver {
 public:
  void Derive(CanonicalEvent& e) const override {
    if (e.Has(Slot::kBrowser)) e.AddIfAbsent(Slot::kFingerprint, e.Get(Slot::kBrowser), false);
  }
  DeriverSlots Slots() const override {
    return {SlotBit(Slot::kBrowser) | SlotBit(Slot::kFingerprint), SlotBit(Slot::kFingerprint)};
  }
};

const std::vector<std::string>& TopKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k(std::begin(fields::kAllCanonical), std::end(fields::kAllCanonical));
    for (const char* s : {"ts",
                          "timestamp",
                          "@timestamp",
                          "time",
                          "timeUnixNano",
                          "message",
                          "mensagem",
                          "severity",
                          "lvl",
                          "requestId",
                          "userId",
                          "endpoint",
                          "status_code",
                          "statusCode",
                          "duration",
                          "latency_ms",
                          "client_ip",
                          "user_agent",
                          "userAgent",
                          "hostname",
                          "app_version",
                          "error",
                          "exception",
                          "err",
                          "erro",
                          "acao",
                          "detalhes",
                          "extra",
                          "extra_fields",
                          "error_type",
                          "exception_type",
                          "error_message",
                          "stackTrace",
                          "logger",
                          "meta",
                          "meta.a",
                          "a",
                          "a.b",
                          "x",
                          "status_raw",
                          "level_raw",
                          "kind_raw",
                          "ts_raw",
                          "error.foo",
                          "exception.type",
                          "a_very_long_field_name",
                          ""}) {
      k.emplace_back(s);
    }
    return k;
  }();
  return keys;
}

const std::vector<std::string>& InnerKeys() {
  static const std::vector<std::string> keys = {
      "type", "tipo",  "message", "mensagem", "stack",    "traceback", "stackTrace",
      "code", "file",  "line",    "linha",    "function", "foo",       "a",
      "b",    "level", "msg",     "extra",    "error"};
  return keys;
}

const std::vector<std::string>& Strings() {
  static const std::vector<std::string> s = {"info",
                                             "WARN",
                                             "error",
                                             "Critical",
                                             "success",
                                             "failed",
                                             "POST /x/y",
                                             "get /a",
                                             "200",
                                             "abc",
                                             "2026-11-22T10:00:00Z",
                                             "2026-11-22 10:00:01+02:00",
                                             "yesterday",
                                             "1771158896.789",
                                             "1771158896789",
                                             "",
                                             "true",
                                             "12.5",
                                             "request",
                                             "Mozilla/5.0",
                                             "é"};
  return s;
}

class LineGen {
 public:
  explicit LineGen(uint64_t seed) : rng_(seed) {}

  std::string Line() {
    std::string out = "{";
    // Often a kind first: level's default depends on it.
    const char* kinds[] = {"", "", "\"kind\":\"error\"", "\"kind\":\"Event\""};
    out += kinds[Below(4)];
    int n = static_cast<int>(Below(9));
    for (int i = 0; i < n; ++i) {
      if (i || out.size() > 1) out += ',';
      Key(Pick(TopKeys()), &out);
      Val(0, &out);
    }
    out += '}';
    return out;
  }

 private:
  uint64_t Below(uint64_t n) { return rng_() % n; }
  const std::string& Pick(const std::vector<std::string>& v) { return v[Below(v.size())]; }
  void Key(const std::string& k, std::string* out) { *out += '"' + k + "\":"; }

  void Val(int depth, std::string* out) {
    switch (Below(depth < 5 ? 12 : 9)) {
      case 0:
      case 1:
      case 2:
        *out += '"' + Pick(Strings()) + '"';
        break;
      case 3: {
        const int64_t ints[] = {200, 404, -1, 0, 1771158896789, 1771158896, 7};
        *out += std::to_string(ints[Below(std::size(ints))]);
        break;
      }
      case 4: {
        const char* doubles[] = {"26.5", "1e300", "0.5", "500.0", "1771158896.789"};
        *out += doubles[Below(std::size(doubles))];
        break;
      }
      case 5:
        *out += Below(2) ? "true" : "false";
        break;
      case 6:
        *out += "null";
        break;
      case 7:
        *out += "18446744073709551615";  // beyond int64
        break;
      case 8:
        *out += Below(2) ? "[]" : "{}";
        break;
      case 9:
      case 10: {
        *out += '{';
        int n = static_cast<int>(1 + Below(4));
        for (int i = 0; i < n; ++i) {
          if (i) *out += ',';
          Key(Below(3) ? Pick(InnerKeys()) : Pick(TopKeys()), out);
          Val(depth + 1, out);
        }
        *out += '}';
        break;
      }
      case 11: {
        *out += '[';
        int n = static_cast<int>(Below(4));
        for (int i = 0; i < n; ++i) {
          if (i) *out += ',';
          Val(depth + 1, out);
        }
        *out += ']';
        break;
      }
    }
  }

  std::mt19937_64 rng_;
};

struct Decoded {
  Status status;
  EventBatch batch;
};

Decoded Decode(const std::string& line, const FieldProjection* projection,
               const std::vector<const FieldDeriver*>& derivers) {
  NormalizerOptions o;
  o.max_fields = 12;
  o.max_depth = 4;
  o.max_field_name_bytes = 16;
  o.derivers = derivers;
  o.projection = projection;
  Normalizer n(o);
  Decoded d;
  d.status = n.Normalize(line, 5, &d.batch);
  return d;
}

std::string Describe(const Value* v) {
  if (v == nullptr) return "(absent)";
  switch (v->type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kBool:
      return v->b ? "true" : "false";
    case ValueType::kInt:
      return std::to_string(v->i) + "i";
    case ValueType::kFloat:
      return std::to_string(v->f) + "f";
    case ValueType::kString:
      return '"' + std::string(v->s) + '"';
  }
  return "?";
}

TEST(FieldProjectionTest, RandomLinesDecodeTheProjectedFieldsExactlyAsInFull) {
  TestUaDeriver ua;
  TestEchoDeriver echo;
  const std::vector<const FieldDeriver*> derivers = {BuiltinFieldDerivers()[0], &ua, &echo};
  // Output names to project: every canonical and raw name, the keys, flattened names.
  std::vector<std::string> names = TopKeys();
  for (int i = 0; i < normalize::kSlotCount; ++i) {
    names.emplace_back(normalize::GetSlotInfo(static_cast<Slot>(i)).raw_name);
  }
  for (const char* s : {"_msg", "_time", "meta.a.b", "a.b.c", "error.a", "err.tipo",
                        "exception.message", "details.foo", "details.a", "extra.a", "meta.a.foo",
                        "x.a", "error.foo.a", "browser", "perf_class", "fingerprint"}) {
    names.emplace_back(s);
  }
  const char* seed_env = std::getenv("PROJECTION_SEED");
  const uint64_t seed = seed_env ? std::strtoull(seed_env, nullptr, 10) : 7;
  std::mt19937_64 rng(seed);
  LineGen gen(seed + 4);
  size_t accepted = 0, rejected = 0, compared = 0, missing_elsewhere = 0;
  std::set<std::string> reasons;
  for (int i = 0; i < 20000; ++i) {
    const std::string line = gen.Line();
    Decoded full = Decode(line, nullptr, derivers);
    // Names the full event has are projected often too (what a query would read).
    std::vector<std::string> pool = names;
    if (full.status.ok()) {
      for (const Field& f : full.batch.fields(full.batch.events()[0])) pool.emplace_back(f.name);
    }
    for (int p = 0; p < 3; ++p) {
      std::vector<std::string> want;
      for (int k = static_cast<int>(rng() % 4); k > 0; --k)
        want.push_back(pool[rng() % pool.size()]);
      FieldProjection projection(want, derivers);
      Decoded got = Decode(line, &projection, derivers);
      SCOPED_TRACE(line);
      ASSERT_EQ(got.status.ok(), full.status.ok()) << got.status.ToString();
      if (!full.status.ok()) {
        ASSERT_EQ(got.status.message(), full.status.message());
        reasons.insert(full.status.message().substr(0, 12));
        ++rejected;
        continue;
      }
      ++accepted;
      const EventBatch::EventRef& fe = full.batch.events()[0];
      const EventBatch::EventRef& ge = got.batch.events()[0];
      ASSERT_EQ(ge.ts_ns, fe.ts_ns);
      for (std::string name : want) {
        if (name == "_msg") name = "msg";
        const Value* a = full.batch.Find(fe, name);
        const Value* b = got.batch.Find(ge, name);
        ++compared;
        ASSERT_EQ(Describe(b), Describe(a)) << "field " << name;
      }
      missing_elsewhere += fe.num_fields - ge.num_fields;
    }
  }
  // The generator reaches every path: accepted lines, each rejection reason, skipped work.
  std::printf("accepted %zu rejected %zu compared %zu skipped %zu\n", accepted, rejected, compared,
              missing_elsewhere);
  EXPECT_GT(accepted, 20000u);
  EXPECT_GT(rejected, 2000u);
  for (const char* r : {"more than 12", "nesting deep", "field name l", "unparseable "}) {
    EXPECT_TRUE(reasons.count(r)) << r;
  }
  EXPECT_GT(compared, 30000u);
  EXPECT_GT(missing_elsewhere, 50000u) << "the projection skipped nothing";
}

TEST(FieldProjectionTest, ClosureOfDependencies) {
  const std::vector<const FieldDeriver*>& builtin = BuiltinFieldDerivers();
  EXPECT_EQ(FieldProjection({"level"}, builtin).slots(),
            SlotBit(Slot::kLevel) | SlotBit(Slot::kKind));
  EXPECT_EQ(FieldProjection({"outcome"}, builtin).slots(),
            SlotBit(Slot::kOutcome) | SlotBit(Slot::kStatus));
  EXPECT_EQ(FieldProjection({"method"}, builtin).slots(),
            SlotBit(Slot::kMethod) | SlotBit(Slot::kRoute));
  EXPECT_EQ(FieldProjection({"perf_class"}, builtin).slots(),
            SlotBit(Slot::kPerfClass) | SlotBit(Slot::kDurationMs));
  EXPECT_EQ(FieldProjection({"_msg", "ts", "_time"}, builtin).slots(), SlotBit(Slot::kMsg));
  // A losing alias and an un-coercible value are names of their slot's keys.
  FieldProjection p({"message", "status_raw", "meta.a.b", "exception.type"}, builtin);
  EXPECT_EQ(p.slots(), SlotBit(Slot::kMsg) | SlotBit(Slot::kStatus) | SlotBit(Slot::kErrorType));
  EXPECT_TRUE(p.WantsPrefix("meta"));
  EXPECT_TRUE(p.WantsPrefix("meta.a"));
  EXPECT_FALSE(p.WantsPrefix("met"));
  EXPECT_FALSE(p.WantsPrefix("meta.a.b"));
  EXPECT_TRUE(p.WantsErrorObject("err"));  // error.type is in every error object
  FieldProjection q({"exception.foo", "meta.a"}, builtin);
  EXPECT_EQ(q.slots(), 0u);
  EXPECT_TRUE(q.WantsErrorObject("exception"));
  EXPECT_FALSE(q.WantsErrorObject("err"));
  EXPECT_TRUE(FieldProjection({"error.line"}, builtin).WantsErrorObject("err"));
  EXPECT_TRUE(FieldProjection({"error.whatever"}, builtin).WantsErrorObject("erro"));
  const normalize::KeyInfo* ts = normalize::LookupTopLevelKey("timestamp");
  EXPECT_TRUE(FieldProjection({}, builtin).WantsValue("timestamp", ts));
  EXPECT_FALSE(FieldProjection({}, builtin).WantsValue("logger", nullptr));
  EXPECT_TRUE(FieldProjection({"logger"}, builtin).WantsValue("logger", nullptr));
}

// The one-lookup classification the decoder uses agrees with its definition (the alias
// table's entry and WantsValue) for every kind of key, under projections of every kind:
// canonical fields, aliases, dynamic names (one also a known key, one empty), none.
TEST(FieldProjectionTest, ClassifyTopLevelKeyIsLookupAndWantsValue) {
  const std::vector<const FieldDeriver*>& d = BuiltinFieldDerivers();
  const std::vector<std::vector<std::string>> projections = {
      {},
      {"level"},
      {"msg", "status", "logger"},
      {"message", "meta.a", "a", ""},
      {"error.type", "ts_raw", "extra", "perf_class"},
  };
  for (const std::vector<std::string>& fields : projections) {
    const FieldProjection p(fields, d);
    for (const std::string& key : TopKeys()) {
      SCOPED_TRACE(key);
      const normalize::KeyInfo* info = normalize::LookupTopLevelKey(key);
      const FieldProjection::TopLevelKey c = p.ClassifyTopLevelKey(key);
      EXPECT_EQ(c.info, info);
      EXPECT_EQ(c.wanted, p.WantsValue(key, info));
      if (c.wanted) {
        EXPECT_TRUE(p.MayWant(key));  // the prefilter never drops a wanted key
      }
    }
  }
  // The prefilter does rule keys out: no wanted key of `level`'s is 6 bytes long.
  EXPECT_FALSE(FieldProjection({"level"}, d).MayWant("logger"));
  EXPECT_TRUE(FieldProjection({"logger"}, d).MayWant("logger"));
  // Not vacuous: the same key is wanted by one projection and not by another.
  EXPECT_TRUE(FieldProjection({"logger"}, d).ClassifyTopLevelKey("logger").wanted);
  EXPECT_FALSE(FieldProjection({"level"}, d).ClassifyTopLevelKey("logger").wanted);
  EXPECT_TRUE(FieldProjection({"level"}, d).ClassifyTopLevelKey("lvl").wanted);
  EXPECT_FALSE(FieldProjection({"msg"}, d).ClassifyTopLevelKey("lvl").wanted);
}

// What a projection saves, and what it keeps: the other keys are gone from the event, the
// line is still validated (a bad value in a key the projection skips rejects it as before).
TEST(FieldProjectionTest, SkipsOtherKeysButStillValidatesThem) {
  FieldProjection p({"level"}, BuiltinFieldDerivers());
  const std::vector<const FieldDeriver*>& d = BuiltinFieldDerivers();
  Decoded got = Decode(R"({"ts":1771158896789,"lvl":"WARNING","msg":"m","meta":{"a":1}})", &p, d);
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  const EventBatch::EventRef& e = got.batch.events()[0];
  EXPECT_EQ(Describe(got.batch.Find(e, "level")), "\"warn\"");
  EXPECT_EQ(got.batch.Find(e, "msg"), nullptr);
  EXPECT_EQ(got.batch.Find(e, "meta.a"), nullptr);
  EXPECT_EQ(e.ts_ns, 1771158896789000000);
  for (const char* bad : {R"({"level":"info","msg":tru})", R"({"level":"info","x":"\x"})",
                          R"({"level":"info","a":{"b":{"c":{"d":{"e":1}}}}})",
                          R"({"level":"info","a_field_name_too_long_here":1})",
                          R"({"level":"info","ts":"yesterday"})"}) {
    Decoded full = Decode(bad, nullptr, d);
    Decoded proj = Decode(bad, &p, d);
    EXPECT_FALSE(full.status.ok()) << bad;
    EXPECT_EQ(proj.status.ToString(), full.status.ToString()) << bad;
  }
}

}  // namespace
}  // namespace vigia

#include "event/event_json.h"

#include <gtest/gtest.h>

#include "event/event_test_util.h"

namespace vigia {
namespace {

TEST(EventJsonTest, WritesTsKindLevelFirstThenStoredOrder) {
  EventBatch b;
  b.BeginEvent(1'771'158'896'789'000'001);
  b.AddField("msg", S("a \"quoted\"\nline"));
  b.AddField("level", S("warn"));
  b.AddField("kind", S("request"));
  b.AddField("status", I(200));
  b.AddField("duration_ms", F(12));
  b.AddField("ratio", F(0.25));
  b.AddField("ok", B(false));
  b.AddField("meta.saleId", S("s1"));
  b.AddField("nothing", Value::Null());
  EXPECT_EQ(EventJson(b, b.events()[0]),
            R"({"ts":"2026-02-15T12:34:56.789000001Z","kind":"request","level":"warn",)"
            R"("msg":"a \"quoted\"\nline","status":200,"duration_ms":12.0,"ratio":0.25,)"
            R"("ok":false,"meta.saleId":"s1","nothing":null})");
}

TEST(EventJsonTest, DoublesKeepTheirType) {
  std::string s;
  AppendJsonDouble(&s, 1);
  s += ' ';
  AppendJsonDouble(&s, 1e300);
  s += ' ';
  AppendJsonDouble(&s, -0.5);
  s += ' ';
  AppendJsonDouble(&s, 0.0 / 0.0);
  EXPECT_EQ(s, "1.0 1e+300 -0.5 null");
}

}  // namespace
}  // namespace vigia

#include "query/filter_matcher.h"

#include <gtest/gtest.h>

#include "common/time_format.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

bool Match(std::string_view q, const QueryRecord& r, int64_t now = 0) {
  auto parsed = ParseVql(q);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto m = FilterMatcher::Compile(*parsed->filter, now);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m->Matches(RecordAccessor(r));
}

QueryRecord Sample() {
  QueryRecord r;
  r.Set("ts", OwnedValue::Int(1'000'000'000'000));
  r.Set("msg", OwnedValue::String("Login failed for user bob: connection refused"));
  r.Set("service", OwnedValue::String("sales-api"));
  r.Set("status", OwnedValue::Int(503));
  r.Set("duration_ms", OwnedValue::Float(12.5));
  r.Set("route", OwnedValue::String("/sales/{id}/pay"));
  r.Set("actor", OwnedValue::String("42"));
  return r;
}

TEST(FilterMatcher, WordsMatchTextFieldsAtWordBoundaries) {
  QueryRecord r = Sample();
  EXPECT_TRUE(Match("bob", r));
  EXPECT_FALSE(Match("bo", r));
  EXPECT_TRUE(Match("bo*", r));
  EXPECT_TRUE(Match("\"connection refused\"", r));
  EXPECT_FALSE(Match("\"refused connection\"", r));
  EXPECT_TRUE(Match("msg:\"Login failed*\"", r));
  EXPECT_TRUE(Match("msg:\"Login fail\"*", r));
  EXPECT_FALSE(Match("msg:\"ogin failed\"", r));
  // Bare words do not search non-text fields.
  EXPECT_FALSE(Match("sales", r));
}

TEST(FilterMatcher, IntegersCompareExactlyBeyondDoublePrecision) {
  QueryRecord r;
  r.Set("n", OwnedValue::Int(9007199254740993));  // 2^53 + 1: no double holds it
  EXPECT_TRUE(Match("n:9007199254740993", r));
  EXPECT_FALSE(Match("n:9007199254740992", r));
  EXPECT_FALSE(Match("n:=9007199254740992", r));
  EXPECT_TRUE(Match("n:>9007199254740992", r));
  EXPECT_FALSE(Match("n:<9007199254740993", r));
  EXPECT_TRUE(Match("n != 9007199254740992", r));
  EXPECT_TRUE(Match("n:in(1, 9007199254740993)", r));
  EXPECT_FALSE(Match("n:in(1, 9007199254740994)", r));
  // A non-integer literal still compares as a number.
  EXPECT_TRUE(Match("n:>1.5", r));
  r.Set("m", OwnedValue::Int(9223372036854775807));
  EXPECT_TRUE(Match("m:9223372036854775807", r));
  EXPECT_FALSE(Match("m:9223372036854775806", r));
}

TEST(FilterMatcher, NonTextFieldsMatchWholeValues) {
  QueryRecord r = Sample();
  EXPECT_TRUE(Match("service:sales-api", r));
  EXPECT_FALSE(Match("service:sales", r));
  EXPECT_TRUE(Match("service:sales*", r));
  EXPECT_TRUE(Match("route:\"/sales/{id}/pay\"", r));
  EXPECT_TRUE(Match("route:/sales/{id}/pay", r));
  EXPECT_TRUE(Match("status:503", r));
  EXPECT_TRUE(Match("status:503.0", r));
  EXPECT_TRUE(Match("actor:42", r));
  EXPECT_TRUE(Match("actor:=42", r));
  EXPECT_FALSE(Match("msg:=bob", r));
}

TEST(FilterMatcher, RangesInRegexExists) {
  QueryRecord r = Sample();
  EXPECT_TRUE(Match("status:>=500", r));
  EXPECT_FALSE(Match("status:<500", r));
  EXPECT_TRUE(Match("duration_ms > 12", r));
  EXPECT_FALSE(Match("duration_ms <= 12", r));
  EXPECT_TRUE(Match("status != 200", r));
  EXPECT_TRUE(Match("missing != 200", r));
  EXPECT_FALSE(Match("missing:>1", r));
  EXPECT_TRUE(Match("status:in(200, 503)", r));
  EXPECT_FALSE(Match("status:in(200, 500)", r));
  EXPECT_TRUE(Match("service:~\"^sales-[a-z]+$\"", r));
  EXPECT_TRUE(Match("status:~\"^5\"", r));
  EXPECT_TRUE(Match("service:*", r));
  EXPECT_FALSE(Match("missing:*", r));
  EXPECT_TRUE(Match("*", r));
}

TEST(FilterMatcher, BooleanLogic) {
  QueryRecord r = Sample();
  EXPECT_TRUE(Match("bob -service:reports", r));
  EXPECT_FALSE(Match("bob -service:sales-api", r));
  EXPECT_TRUE(Match("alice or bob", r));
  EXPECT_FALSE(Match("alice or (bob status:200)", r));
  EXPECT_TRUE(Match("not alice", r));
  EXPECT_TRUE(Match("service:(sales-api or reports)", r));
}

TEST(FilterMatcher, TimeFilters) {
  QueryRecord r = Sample();  // ts = 1000 s
  EXPECT_TRUE(Match("_time:5m", r, 1'100'000'000'000));
  EXPECT_FALSE(Match("_time:1m", r, 1'100'000'000'000));
  EXPECT_TRUE(Match("_time:[1970-01-01T00:16:40Z, 1970-01-01T00:16:41Z)", r));
  EXPECT_FALSE(Match("_time:[1970-01-01T00:16:41Z, 1970-01-01T00:16:42Z)", r));
}

TEST(FilterMatcher, TimeRangeFromTopLevelConjuncts) {
  auto q = ParseVql("a _time:[1000, 5000) _time:[2000, 9000)");
  ASSERT_TRUE(q.ok());
  auto m = FilterMatcher::Compile(*q->filter, 0);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->time_range().from_ns && m->time_range().to_ns);
  EXPECT_EQ(*m->time_range().from_ns, EpochToNanos(2000));
  EXPECT_EQ(*m->time_range().to_ns, EpochToNanos(5000));
}

TEST(FilterMatcher, BadRegexIsAnError) {
  auto q = ParseVql("a:~\"(\"");
  ASSERT_TRUE(q.ok());
  auto m = FilterMatcher::Compile(*q->filter, 0);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("1:1: invalid regex"), std::string::npos);
}

TEST(FilterMatcher, ContainsWord) {
  EXPECT_TRUE(ContainsWord("a foo.bar b", "foo.bar", false));
  EXPECT_FALSE(ContainsWord("afoo", "foo", false));
  EXPECT_TRUE(ContainsWord("x foo", "foo", false));
  EXPECT_TRUE(ContainsWord("foo_x foo", "foo", false));
  EXPECT_TRUE(ContainsWord("café", "café", false));
  EXPECT_FALSE(ContainsWord("cafés", "café", false));
}

TEST(FilterMatcher, EscapedStarMatchesALiteralStarInEqualityAndComparisons) {
  QueryRecord r;
  r.Set("f", OwnedValue::String("x*"));
  EXPECT_TRUE(Match("f:\"x\\*\"", r));
  EXPECT_TRUE(Match("f:=\"x\\*\"", r));
  EXPECT_TRUE(Match("f:>=\"x\\*\"", r));
  EXPECT_FALSE(Match("f:>\"x\\*\"", r));
  EXPECT_TRUE(Match("f:in(\"x\\*\", y)", r));
  EXPECT_FALSE(Match("f:!=\"x\\*\"", r));
}

TEST(FilterMatcher, WhereComparesAColumnNamedByItsCall) {
  QueryRecord r;
  r.Set("count()", OwnedValue::Int(12));
  r.Set("p95(duration_ms)", OwnedValue::Float(99.5));
  EXPECT_TRUE(Match("count() > 10", r));
  EXPECT_FALSE(Match("count() > 12", r));
  EXPECT_TRUE(Match("count():>=12 p95(duration_ms) < 100", r));
  EXPECT_FALSE(Match("p95(duration_ms):>=100", r));
}

TEST(FilterMatcher, LeafSetUpIsSharedWithTheColumnarEngine) {
  auto leaf = [](std::string_view q) {
    auto parsed = ParseVql(q);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return CompileFilterLeaf(*parsed->filter);
  };
  FilterLeaf msg = leaf("_msg:boom");
  EXPECT_EQ(msg.kind, FilterKind::kWord);
  EXPECT_EQ(msg.field, "msg");
  EXPECT_TRUE(msg.text);
  EXPECT_FALSE(msg.time_field);
  EXPECT_FALSE(msg.number.has_value());
  FilterLeaf bare = leaf("boom");
  EXPECT_EQ(bare.field, "");
  EXPECT_TRUE(bare.text);
  FilterLeaf ts = leaf("ts:>=5");
  EXPECT_TRUE(ts.time_field);
  EXPECT_FALSE(ts.text);
  EXPECT_EQ(ts.cmp, CmpOp::kGe);
  EXPECT_EQ(ts.number, 5.0);
  FilterLeaf in = leaf("status:in(500, x, 2.5)");
  EXPECT_EQ(in.values, (std::vector<std::string>{"500", "x", "2.5"}));
  ASSERT_EQ(in.numbers.size(), 3u);
  EXPECT_EQ(in.numbers[0], 500.0);
  EXPECT_FALSE(in.numbers[1].has_value());
  EXPECT_EQ(in.numbers[2], 2.5);
}

}  // namespace
}  // namespace vigia

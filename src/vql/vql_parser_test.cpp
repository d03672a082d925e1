#include "vql/vql_parser.h"

#include <gtest/gtest.h>

namespace vigia {
namespace {

Query MustParse(std::string_view q) {
  auto r = ParseVql(q);
  EXPECT_TRUE(r.ok()) << q << " -> " << r.status().ToString();
  return r.ok() ? std::move(r).value() : Query{};
}

std::string ErrorOf(std::string_view q) {
  auto r = ParseVql(q);
  EXPECT_FALSE(r.ok()) << q;
  return r.ok() ? "" : r.status().message();
}

TEST(VqlParser, EmptyQueryMatchesAll) {
  Query q = MustParse("");
  ASSERT_NE(q.filter, nullptr);
  EXPECT_EQ(q.filter->kind, FilterKind::kAll);
  EXPECT_TRUE(q.pipes.empty());
}

TEST(VqlParser, VqlStringReadsBackLiterally) {
  for (const char* v : {"3f2a", "a\"b", "back\\slash", "star*", "with space"}) {
    auto q = ParseVql("fingerprint:=" + VqlString(v));
    ASSERT_TRUE(q.ok()) << v << ": " << q.status().ToString();
    EXPECT_EQ(q->filter->kind, FilterKind::kExact) << v;
    EXPECT_EQ(q->filter->value, v);
  }
}

TEST(VqlParser, ImplicitAndOfFieldFilters) {
  Query q = MustParse("level:error service:sales-api _time:1h");
  ASSERT_EQ(q.filter->kind, FilterKind::kAnd);
  ASSERT_EQ(q.filter->children.size(), 3u);
  EXPECT_EQ(q.filter->children[0]->kind, FilterKind::kWord);
  EXPECT_EQ(q.filter->children[0]->field, "level");
  EXPECT_EQ(q.filter->children[0]->value, "error");
  EXPECT_EQ(q.filter->children[1]->value, "sales-api");
  EXPECT_EQ(q.filter->children[2]->kind, FilterKind::kTime);
  EXPECT_EQ(q.filter->children[2]->relative_ns, 3600'000'000'000LL);
}

TEST(VqlParser, PhraseAndNegation) {
  Query q = MustParse("\"connection refused\" -service:reports");
  ASSERT_EQ(q.filter->kind, FilterKind::kAnd);
  EXPECT_EQ(q.filter->children[0]->kind, FilterKind::kPhrase);
  EXPECT_EQ(q.filter->children[0]->field, "");
  EXPECT_EQ(q.filter->children[0]->value, "connection refused");
  ASSERT_EQ(q.filter->children[1]->kind, FilterKind::kNot);
  EXPECT_EQ(q.filter->children[1]->children[0]->field, "service");
}

TEST(VqlParser, OperatorsPrecedence) {
  // and binds tighter than or.
  Query q = MustParse("a or b c or not d");
  ASSERT_EQ(q.filter->kind, FilterKind::kOr);
  ASSERT_EQ(q.filter->children.size(), 3u);
  EXPECT_EQ(q.filter->children[1]->kind, FilterKind::kAnd);
  EXPECT_EQ(q.filter->children[2]->kind, FilterKind::kNot);
  Query p = MustParse("(a OR b) AND !c");
  ASSERT_EQ(p.filter->kind, FilterKind::kAnd);
  EXPECT_EQ(p.filter->children[0]->kind, FilterKind::kOr);
  EXPECT_EQ(p.filter->children[1]->kind, FilterKind::kNot);
}

TEST(VqlParser, ValueForms) {
  Query q = MustParse(
      "status:>=500 status:<600 a:=x b:in(1, \"two\") route:/api/* c:~\"^x[0-9]+\" d:* "
      "x:-5 msg:\"Login failed*\" e:\"lit\\*\"");
  const auto& c = q.filter->children;
  ASSERT_EQ(c.size(), 10u);
  EXPECT_EQ(c[0]->kind, FilterKind::kCompare);
  EXPECT_EQ(c[0]->cmp, CmpOp::kGe);
  EXPECT_EQ(c[0]->value, "500");
  EXPECT_EQ(c[1]->cmp, CmpOp::kLt);
  EXPECT_EQ(c[2]->kind, FilterKind::kExact);
  EXPECT_EQ(c[3]->kind, FilterKind::kIn);
  EXPECT_EQ(c[3]->values, (std::vector<std::string>{"1", "two"}));
  EXPECT_EQ(c[4]->kind, FilterKind::kPrefix);
  EXPECT_EQ(c[4]->value, "/api/");
  EXPECT_EQ(c[5]->kind, FilterKind::kRegex);
  EXPECT_EQ(c[5]->value, "^x[0-9]+");
  EXPECT_EQ(c[6]->kind, FilterKind::kExists);
  EXPECT_EQ(c[7]->kind, FilterKind::kWord);
  EXPECT_EQ(c[7]->value, "-5");
  EXPECT_EQ(c[8]->kind, FilterKind::kPrefix);
  EXPECT_EQ(c[8]->value, "Login failed");
  EXPECT_EQ(c[9]->kind, FilterKind::kPhrase);
  EXPECT_EQ(c[9]->value, "lit*");
}

TEST(VqlParser, TimeRange) {
  Query q = MustParse("_time:[2026-11-22T10:00:00Z, 2026-11-22T11:00:00Z)");
  ASSERT_EQ(q.filter->kind, FilterKind::kTime);
  ASSERT_TRUE(q.filter->from_ns && q.filter->to_ns);
  EXPECT_EQ(*q.filter->to_ns - *q.filter->from_ns, 3600'000'000'000LL);
  Query incl = MustParse("_time:[2026-11-22T10:00:00Z, 2026-11-22T11:00:00Z]");
  EXPECT_EQ(*incl.filter->to_ns - *incl.filter->from_ns, 3600'000'000'001LL);
}

TEST(VqlParser, StatsPipe) {
  Query q = MustParse(
      "kind:request | stats p95(duration_ms), count(), quantile(0.9, duration_ms) as q9, "
      "count() if (status:>=500) as errors by (route, _time:1m)");
  ASSERT_EQ(q.pipes.size(), 1u);
  const Pipe& p = q.pipes[0];
  EXPECT_EQ(p.kind, PipeKind::kStats);
  ASSERT_EQ(p.aggregates.size(), 4u);
  EXPECT_EQ(p.aggregates[0].func, AggFunc::kQuantile);
  EXPECT_DOUBLE_EQ(p.aggregates[0].q, 0.95);
  EXPECT_EQ(p.aggregates[0].name, "p95(duration_ms)");
  EXPECT_EQ(p.aggregates[1].name, "count()");
  EXPECT_EQ(p.aggregates[2].name, "q9");
  EXPECT_DOUBLE_EQ(p.aggregates[2].q, 0.9);
  EXPECT_NE(p.aggregates[3].cond, nullptr);
  EXPECT_EQ(p.aggregates[3].name, "errors");
  ASSERT_EQ(p.by.size(), 2u);
  EXPECT_EQ(p.by[0].field, "route");
  EXPECT_EQ(p.by[1].field, "_time");
  EXPECT_EQ(p.by[1].bucket_ns, 60'000'000'000LL);
}

TEST(VqlParser, UnnamedConditionalAggregateKeepsItsText) {
  Query q = MustParse("* | stats count() if (status:>=500)");
  EXPECT_EQ(q.pipes[0].aggregates[0].name, "count() if (status:>=500)");
}

TEST(VqlParser, ResultPipes) {
  Query q = MustParse(
      "msg:\"Login failed*\" _time:1h | stats count() as failures by (ip) | where failures > "
      "10 | sort by (failures desc, ip) | limit 5 | fields ip, failures");
  ASSERT_EQ(q.pipes.size(), 5u);
  EXPECT_EQ(q.pipes[1].kind, PipeKind::kWhere);
  EXPECT_EQ(q.pipes[1].where->kind, FilterKind::kCompare);
  EXPECT_EQ(q.pipes[1].where->cmp, CmpOp::kGt);
  ASSERT_EQ(q.pipes[2].sort.size(), 2u);
  EXPECT_TRUE(q.pipes[2].sort[0].desc);
  EXPECT_FALSE(q.pipes[2].sort[1].desc);
  EXPECT_EQ(q.pipes[3].limit, 5u);
  EXPECT_EQ(q.pipes[4].fields, (std::vector<std::string>{"ip", "failures"}));
}

TEST(VqlParser, SortByCallAndTopAndMath) {
  Query q = MustParse(
      "* | stats count() by (browser) | sort by (count() desc) | top 3 by (browser) | math "
      "round(errors / total * 100, 2) as pct, -a + 2 as b");
  EXPECT_EQ(q.pipes[1].sort[0].field, "count()");
  EXPECT_EQ(q.pipes[2].kind, PipeKind::kTop);
  EXPECT_EQ(q.pipes[2].limit, 3u);
  ASSERT_EQ(q.pipes[3].math.size(), 2u);
  EXPECT_EQ(q.pipes[3].math[0].expr->kind, MathExpr::Kind::kRound);
  EXPECT_EQ(q.pipes[3].math[0].expr->args[0]->kind, MathExpr::Kind::kMul);
  EXPECT_EQ(q.pipes[3].math[1].expr->kind, MathExpr::Kind::kAdd);
}

TEST(VqlParser, WhereNamesAColumnByItsCall) {
  Query q = MustParse(
      "* | stats count(), p95(duration_ms), quantile(0.9, d) by (route) | where count() > 10 "
      "p95(duration_ms):>=100 quantile(0.9, d) != 3 | sort by count() desc | fields count()");
  const Filter& w = *q.pipes[1].where;
  ASSERT_EQ(w.kind, FilterKind::kAnd);
  ASSERT_EQ(w.children.size(), 3u);
  EXPECT_EQ(w.children[0]->kind, FilterKind::kCompare);
  EXPECT_EQ(w.children[0]->field, "count()");
  EXPECT_EQ(w.children[0]->cmp, CmpOp::kGt);
  EXPECT_EQ(w.children[0]->value, "10");
  EXPECT_EQ(w.children[1]->field, "p95(duration_ms)");
  EXPECT_EQ(w.children[1]->cmp, CmpOp::kGe);
  EXPECT_EQ(w.children[2]->field, "quantile(0.9, d)");
  EXPECT_EQ(w.children[2]->cmp, CmpOp::kNe);
  EXPECT_EQ(q.pipes[2].sort[0].field, "count()");
  EXPECT_TRUE(q.pipes[2].sort[0].desc);
  EXPECT_EQ(q.pipes[3].fields, (std::vector<std::string>{"count()"}));
}

TEST(VqlParser, WordBeforeAGroupIsStillAWord) {
  // No ':' or operator after the parentheses: a word and a group, as before call names.
  for (const char* text : {"timeout (a or b)", "timeout(a or b)"}) {
    Query q = MustParse(text);
    ASSERT_EQ(q.filter->kind, FilterKind::kAnd) << text;
    ASSERT_EQ(q.filter->children.size(), 2u);
    EXPECT_EQ(q.filter->children[0]->kind, FilterKind::kWord);
    EXPECT_EQ(q.filter->children[0]->value, "timeout");
    EXPECT_EQ(q.filter->children[1]->kind, FilterKind::kOr);
  }
  Query one = MustParse("f(x)");
  ASSERT_EQ(one.filter->kind, FilterKind::kAnd);
  EXPECT_EQ(one.filter->children[1]->value, "x");
}

TEST(VqlParser, EscapedStarIsALiteralStarInEveryValueForm) {
  Query q = MustParse("a:=\"x\\*\" b:>\"x\\*\" c:in(\"y\\*\", z) d:=x\\* e:~\"x\\*\" f:=\"x*\"");
  const auto& c = q.filter->children;
  ASSERT_EQ(c.size(), 6u);
  EXPECT_EQ(c[0]->kind, FilterKind::kExact);
  EXPECT_EQ(c[0]->value, "x*");
  EXPECT_EQ(c[1]->kind, FilterKind::kCompare);
  EXPECT_EQ(c[1]->value, "x*");
  EXPECT_EQ(c[2]->values, (std::vector<std::string>{"y*", "z"}));
  EXPECT_EQ(c[3]->value, "x*");
  // A regex keeps its escape (RE2 reads \* as a literal star).
  EXPECT_EQ(c[4]->value, "x\\*");
  // `:=` has no prefix form: an unescaped star is the character itself.
  EXPECT_EQ(c[5]->value, "x*");
}

TEST(VqlParser, ErrorsCarryPositionAndExpectation) {
  EXPECT_EQ(ErrorOf("level:error )"), "1:13: expected '|' or end of query, got ')'");
  EXPECT_EQ(ErrorOf("a:"), "1:3: expected a value after ':', got end of query");
  EXPECT_EQ(ErrorOf("a | stats\n  count("), "2:9: expected a value, got end of query");
  EXPECT_EQ(ErrorOf("a | bogus"),
            "1:5: expected a pipe (stats, where, sort, limit, fields, top, "
            "math), got 'bogus'");
  EXPECT_EQ(ErrorOf("\"open"), "1:1: expected closing quote, got end of query");
  EXPECT_EQ(ErrorOf("_time:5x"), "1:7: expected a duration such as 5m, got '5x'");
  EXPECT_NE(ErrorOf("* | stats nope(x)").find("expected a stats function"), std::string::npos);
  EXPECT_NE(ErrorOf("* | stats quantile(2, x)").find("between 0 and 1"), std::string::npos);
  EXPECT_NE(ErrorOf("(a b"), "");
  EXPECT_NE(ErrorOf("* | limit x"), "");
}

TEST(VqlParser, Durations) {
  EXPECT_EQ(ParseDurationNs("5m"), 300'000'000'000LL);
  EXPECT_EQ(ParseDurationNs("1h30m"), 5400'000'000'000LL);
  EXPECT_EQ(ParseDurationNs("250ms"), 250'000'000LL);
  EXPECT_EQ(ParseDurationNs("1.5s"), 1'500'000'000LL);
  EXPECT_FALSE(ParseDurationNs("5"));
  EXPECT_FALSE(ParseDurationNs("m"));
  EXPECT_FALSE(ParseDurationNs("0s"));
  EXPECT_FALSE(ParseDurationNs("99999999999w"));
}

}  // namespace
}  // namespace vigia

namespace vigia {
namespace {

TEST(VqlParser, NulBytesAreWordCharactersNotAnInfiniteLoop) {
  std::string q("a \0b", 4);
  auto r = ParseVql(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->filter->kind, FilterKind::kAnd);
}

}  // namespace
}  // namespace vigia

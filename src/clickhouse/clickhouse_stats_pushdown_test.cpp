// Aggregation pushdown's decisions without a server: which queries are planned as a GROUP BY
// and which stay in vigia (and why), the exact filter compiler's refusals, and how an answer
// is decoded — refused on mixed types, a possible int overflow, signed zeros; keys ordered,
// nulls last, `top` cut, max_groups enforced. clickhouse_it runs the same against a server.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "clickhouse/clickhouse_sql.h"
#include "clickhouse/clickhouse_stats_pushdown.h"
#include "vql/vql_parser.h"

namespace vigia::clickhouse {
namespace {

StatsPushdownPlan Plan(const std::string& text) {
  auto q = ParseVql(text);
  EXPECT_TRUE(q.ok()) << text;
  return PlanStatsPushdown(*q, 1'000'000'000'000, "1", "db.events");
}

TEST(StatsPushdown, PlansExactQueries) {
  for (const char* text : {
           "* | stats count()",
           "kind:request | stats count(), count(ip), count_distinct(ip) by (service)",
           "kind:request status:>=500 | stats count() by (route) | sort by (count() desc)",
           "-level:error service:in(a, b) | stats sum(bytes_out), avg(bytes_out), "
           "min(status), max(status) by (_time:1h, method)",
           "kind:request | stats count() if (status:>=500) as e, count() as n by (_time:5m)",
           "_time:1h route:/sales* | stats min(duration_ms), max(duration_ms)",
           "service != api host:* | stats count_distinct(status) by (status)",
           "kind:request | top 5 by (route)",
           "(kind:request or kind:=error) and not service:x | stats count()",
           "route:>\"/m\" | stats count()",
       }) {
    StatsPushdownPlan p = Plan(text);
    EXPECT_TRUE(p.pushed) << text << ": " << p.reason;
    EXPECT_NE(p.sql.find("FORMAT TabSeparated"), std::string::npos);
  }
}

TEST(StatsPushdown, FallsBackWhenSqlCannotSayItExactly) {
  struct Case {
    const char* text;
    const char* reason;
  };
  for (const Case& c : {
           Case{"kind:request | limit 5 | stats count()", "first pipe"},
           Case{"kind:request", "first pipe"},
           Case{"error | stats count()", "bare words"},
           Case{"msg:timeout | stats count()", "words of text field msg"},
           Case{"route:~\"^/s\" | stats count()", "regex"},
           Case{"duration_ms:>100 | stats count()", "duration_ms"},
           Case{"status:>=5e2 | stats count()", "comparison of status"},
           Case{"status:500.5 | stats count()", "non-integer number"},
           Case{"service:>5 | stats count()", "numbers against strings"},
           Case{"user.tier:gold | stats count()", "no typed column"},
           Case{"* | stats count() by (code)", "by code"},
           Case{"* | stats count() by (duration_ms)", "only string and integer"},
           Case{"* | stats p95(bytes_out)", "percentiles"},
           Case{"* | stats rate()", "rate()"},
           Case{"* | stats sum(duration_ms)", "sum/avg of floats"},
           Case{"* | stats avg(value)", "sum/avg of floats"},
           Case{"* | stats count_distinct(duration_ms)", "float/boolean"},
           Case{"* | stats count() if (msg:x) as n", "condition"},
           Case{"* | stats count(meta.k1)", "no typed column"},
           Case{"sensitive:true | stats count()", "boolean column"},
           Case{"ts:>5 | stats count()", "only _time ranges"},
       }) {
    StatsPushdownPlan p = Plan(c.text);
    EXPECT_FALSE(p.pushed) << c.text;
    EXPECT_NE(p.reason.find(c.reason), std::string::npos) << c.text << ": " << p.reason;
  }
}

TEST(StatsPushdown, ExactFilterSql) {
  auto exact = [](const std::string& text, std::set<std::string>* fields = nullptr) {
    auto q = ParseVql(text);
    EXPECT_TRUE(q.ok());
    std::set<std::string> f;
    std::string why;
    auto s = FilterToExactSql(*q->filter, 0, fields ? fields : &f, &why);
    return s ? *s : "none: " + why;
  };
  // A missing field satisfies != and negations: the NULL side is folded to 0 before NOT.
  EXPECT_EQ(exact("service != api"), "NOT ifNull(`service` = 'api', 0)");
  EXPECT_EQ(exact("-kind:request"), "NOT ifNull(`kind` = 'request', 0)");
  // A string column equals a numeric-looking literal as text; an int column an integer.
  EXPECT_EQ(exact("route:500"), "ifNull(`route` = '500', 0)");
  EXPECT_EQ(exact("status:500"), "ifNull(`status` = 500, 0)");
  // Text never equals an integer's decimal form.
  EXPECT_EQ(exact("status:abc"), "0");
  EXPECT_EQ(exact("status:>=500"), "ifNull(`status` >= 500, 0)");
  EXPECT_EQ(exact("ip:*"), "isNotNull(`ip`)");
  // A list on a string column is one set lookup; on an integer column the equalities.
  EXPECT_EQ(exact("fingerprint:in(a, \"b'c\")"), "ifNull(`fingerprint` IN ('a', 'b\\'c'), 0)");
  EXPECT_EQ(exact("status:in(500, 503)"),
            "(0 OR ifNull(`status` = 500, 0) OR ifNull(`status` = 503, 0))");
  EXPECT_EQ(exact("_time:[1000, 2000)"), "(1 AND ts >= 1000000000000 AND ts < 2000000000000)");
  std::set<std::string> fields;
  exact("kind:request (status:500 or -route:x)", &fields);
  EXPECT_EQ(fields, (std::set<std::string>{"kind", "route", "status"}));
  EXPECT_EQ(exact("kind:request msg:x").rfind("none: words of text field msg", 0), 0u);
}

TEST(StatsPushdown, PlanChecksEveryFieldItReads) {
  StatsPushdownPlan p =
      Plan("kind:request | stats count() if (level:error), max(bytes_out) by (route)");
  ASSERT_TRUE(p.pushed);
  EXPECT_EQ(p.checked_fields, (std::vector<std::string>{"bytes_out", "kind", "level", "route"}));
  for (const char* f : {"bytes_out", "kind", "level", "route"}) {
    EXPECT_NE(p.sql.find("has(x.key, '" + std::string(f) + "')"), std::string::npos) << f;
  }
  EXPECT_NE(p.sql.find("GROUP BY n0, k0 HAVING"), std::string::npos) << p.sql;
}

Result<StatsPushdownAnswer> Decode(const std::string& text, const std::string& tsv,
                                   uint64_t max_groups = 0) {
  auto q = ParseVql(text);
  EXPECT_TRUE(q.ok());
  return DecodeStatsPushdown(*q, tsv, max_groups);
}

TEST(StatsPushdown, DecodesGroupsInKeyOrderNullsLast) {
  // Columns: n0, k0 (hex), scanned, matched, mixed, count(), then max(bytes_out) as
  // count, sum, min, max.
  auto a = Decode("* | stats count(), max(bytes_out) by (route)",
                  "1\t\t5\t4\t0\t4\t0\t0\t0\t0\n"           // null route: no bytes_out
                  "0\t62\t3\t3\t0\t3\t2\t10\t4\t6\n"        // "b"
                  "0\t61\t9\t0\t0\t0\t0\t0\t0\t0\n"         // "a": no matching row (dropped)
                  "0\t2F61\t2\t2\t0\t2\t1\t-7\t-7\t-7\n");  // "/a"
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_FALSE(a->refused) << a->reason;
  ASSERT_EQ(a->rows.size(), 3u);
  EXPECT_EQ(a->rows[0].Get("route")->s, "/a");
  EXPECT_EQ(a->rows[0].Get("max(bytes_out)")->i, -7);
  EXPECT_EQ(a->rows[1].Get("route")->s, "b");
  EXPECT_EQ(a->rows[1].Get("max(bytes_out)")->type, ValueType::kInt);
  EXPECT_EQ(a->rows[2].Get("route")->type, ValueType::kNull);
  EXPECT_EQ(a->rows[2].Get("max(bytes_out)")->type, ValueType::kNull);
  EXPECT_EQ(a->rows[2].Get("count()")->i, 4);
  EXPECT_EQ(a->rows_scanned, 19u);
  EXPECT_EQ(a->rows_matched, 9u);
  // One group more than allowed: the row evaluator's error.
  auto over = Decode("* | stats count(), max(bytes_out) by (route)",
                     "0\t62\t3\t3\t0\t3\t2\t10\t4\t6\n0\t2F61\t2\t2\t0\t2\t1\t-7\t-7\t-7\n", 1);
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
}

// min/max of `_time` are the event time's (the error groups' first and last seen, issue 19):
// the non-null `ts` column, never looked up in `x`.
TEST(StatsPushdown, AggregatesOfTheEventTime) {
  StatsPushdownPlan p = Plan(
      "fingerprint:* | stats count() as n, min(_time) as first, max(ts) as last by (fingerprint)");
  ASSERT_TRUE(p.pushed) << p.reason;
  EXPECT_NE(p.sql.find("minIf(ifNull(ts, 0)"), std::string::npos) << p.sql;
  EXPECT_EQ(std::find(p.checked_fields.begin(), p.checked_fields.end(), "ts"),
            p.checked_fields.end());
  EXPECT_EQ(std::find(p.checked_fields.begin(), p.checked_fields.end(), "_time"),
            p.checked_fields.end());
  // Columns: n0, k0, scanned, matched, mixed, n, then min and max as count, sum, min, max.
  auto a = Decode(
      "fingerprint:* | stats count() as n, min(_time) as first, max(ts) as last "
      "by (fingerprint)",
      "0\t6661\t2\t2\t0\t2\t2\t30\t10\t20\t2\t30\t10\t20\n");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->rows.size(), 1u);
  EXPECT_EQ(a->rows[0].Get("fingerprint")->s, "fa");
  EXPECT_EQ(a->rows[0].Get("n")->i, 2);
  EXPECT_EQ(a->rows[0].Get("first")->i, 10);
  EXPECT_EQ(a->rows[0].Get("last")->i, 20);
}

TEST(StatsPushdown, RefusesWhatItCannotVouchFor) {
  // A candidate row holds a read field with another type (x).
  auto mixed = Decode("* | stats count() by (status)", "0\t500\t3\t3\t1\t3\n");
  ASSERT_TRUE(mixed.ok());
  EXPECT_TRUE(mixed->refused);
  EXPECT_NE(mixed->reason.find("status"), std::string::npos);
  // count × max |value| reaches 2^63: vigia would have switched to a float sum.
  auto big = Decode("* | stats sum(bytes_out)",
                    "5\t5\t0\t2\t-2\t4611686018427387904\t4611686018427387904\n");
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->refused);
  auto fine =
      Decode("* | stats sum(bytes_out), avg(bytes_out)", "5\t5\t0\t2\t3\t1\t2\t2\t3\t1\t2\n");
  ASSERT_TRUE(fine.ok());
  ASSERT_FALSE(fine->refused);
  EXPECT_EQ(fine->rows[0].Get("sum(bytes_out)")->i, 3);
  EXPECT_EQ(fine->rows[0].Get("avg(bytes_out)")->type, ValueType::kFloat);
  EXPECT_EQ(fine->rows[0].Get("avg(bytes_out)")->f, 1.5);
  // Zeros of both signs in a float min: which one vigia keeps depends on row order.
  auto zeros = Decode("* | stats min(duration_ms)", "5\t5\t0\t2\t\t1\t1\n");
  ASSERT_TRUE(zeros.ok());
  EXPECT_TRUE(zeros->refused);
  // The 8 bytes of a double, trailing zero bytes dropped by reinterpretAsString: 1.5.
  auto f = Decode("* | stats min(duration_ms)", "5\t5\t0\t2\t000000000000F83F\t0\t0\n");
  ASSERT_TRUE(f.ok());
  ASSERT_FALSE(f->refused);
  EXPECT_EQ(f->rows[0].Get("min(duration_ms)")->f, 1.5);
  auto f2 = Decode("* | stats max(duration_ms)", "5\t5\t0\t1\t0000F03F\t0\t0\n");
  ASSERT_TRUE(f2.ok());
  double want = 0;
  const unsigned char bytes[8] = {0x00, 0x00, 0xF0, 0x3F, 0, 0, 0, 0};
  std::memcpy(&want, bytes, 8);
  EXPECT_EQ(f2->rows[0].Get("max(duration_ms)")->f, want);
  // A malformed answer is Corruption, never a guess.
  EXPECT_EQ(Decode("* | stats count()", "5\t5\n").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Decode("* | stats count()", "").status().code(), StatusCode::kCorruption);
}

TEST(StatsPushdown, TopSortsByHitsAndCuts) {
  auto t =
      Decode("* | top 2 by (route)", "0\t61\t3\t3\t0\t3\n0\t62\t5\t5\t0\t5\n0\t63\t3\t3\t0\t3\n");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].Get("route")->s, "b");
  EXPECT_EQ(t->rows[1].Get("route")->s, "a");  // ties keep key order
  EXPECT_EQ(t->rows[1].Get("hits")->i, 3);
}

}  // namespace
}  // namespace vigia::clickhouse

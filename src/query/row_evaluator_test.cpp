#include "query/row_evaluator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "query/result_format.h"
#include "query/stats_aggregator.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1'800'000'000 * kSec;  // 2027-01-15T08:00:00Z

struct Req {
  int64_t ts;
  const char* route;
  int64_t status;
  double duration;
  const char* ip;
  const char* msg;
};

EventBatch MakeBatch(const std::vector<Req>& reqs) {
  EventBatch b;
  for (const Req& r : reqs) {
    b.BeginEvent(r.ts);
    b.AddField("kind", Value::String("request"));
    b.AddField("level", Value::String(r.status >= 500 ? "error" : "info"));
    b.AddField("route", Value::String(b.arena().Copy(r.route)));
    b.AddField("status", Value::Int(r.status));
    b.AddField("duration_ms", Value::Float(r.duration));
    b.AddField("ip", Value::String(b.arena().Copy(r.ip)));
    b.AddField("msg", Value::String(b.arena().Copy(r.msg)));
  }
  return b;
}

EventBatch Sample() {
  return MakeBatch({
      {kT0 + 5 * kSec, "/a", 200, 10, "1.1.1.1", "ok"},
      {kT0 + 1 * kSec, "/a", 500, 40, "1.1.1.1", "boom connection refused"},
      {kT0 + 61 * kSec, "/b", 503, 100, "2.2.2.2", "Login failed for x"},
      {kT0 + 62 * kSec, "/b", 200, 20, "2.2.2.2", "Login failed for y"},
      {kT0 + 63 * kSec, "/a", 404, 30, "3.3.3.3", "not found"},
  });
}

std::string RunQuery(std::string_view q, const std::vector<const EventBatch*>& batches,
                     OutputFormat fmt = OutputFormat::kCsv, QueryOptions opt = {}) {
  auto parsed = ParseVql(q);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return "";
  if (opt.now_ns == 0) opt.now_ns = kT0 + 120 * kSec;
  auto ev = RowEvaluator::Create(*parsed, opt);
  EXPECT_TRUE(ev.ok()) << ev.status().ToString();
  for (const EventBatch* b : batches) {
    Status st = (*ev)->Add(*b);
    if (!st.ok()) return "error: " + st.ToString();
  }
  auto res = (*ev)->Finish();
  if (!res.ok()) return "error: " + res.status().ToString();
  return FormatRows(res->rows, fmt, QueryColumns(*parsed));
}

TEST(RowEvaluator, PlainFilterInTimeOrder) {
  EventBatch b = Sample();
  EXPECT_EQ(RunQuery("status:>=500 | fields ts, route, status", {&b}),
            "ts,route,status\r\n2027-01-15T08:00:01Z,/a,500\r\n2027-01-15T08:01:01Z,/b,503\r\n");
}

TEST(RowEvaluator, CountByTimeBucketAndShare) {
  EventBatch b = Sample();
  EXPECT_EQ(
      RunQuery("kind:request | stats count() as total, count() if (status:>=500) as errors by "
               "(_time:1m) | math errors / total as share",
               {&b}),
      "_time,total,errors,share\r\n2027-01-15T08:00:00Z,2,1,0.5\r\n"
      "2027-01-15T08:01:00Z,3,1,0.3333333333333333\r\n");
}

TEST(RowEvaluator, Percentiles) {
  EventBatch b = Sample();
  // Nearest rank over {10,20,30,40,100}: p50 = 30, p90 = ceil(4.5) = 5th = 100.
  EXPECT_EQ(RunQuery("* | stats p50(duration_ms), p90(duration_ms), avg(duration_ms), "
                     "min(duration_ms), max(status), sum(status)",
                     {&b}),
            "p50(duration_ms),p90(duration_ms),avg(duration_ms),min(duration_ms),max(status),"
            "sum(status)\r\n30,100,40,10,503,1807\r\n");
}

TEST(RowEvaluator, WhereSortLimit) {
  EventBatch b = Sample();
  EXPECT_EQ(
      RunQuery("* | stats count() as n, count_distinct(route) by (ip) | where n > 1 | sort by "
               "(n desc, ip desc) | limit 1",
               {&b}),
      "ip,n,count_distinct(route)\r\n2.2.2.2,2,1\r\n");
}

TEST(RowEvaluator, TopAndSortByCall) {
  EventBatch b = Sample();
  EXPECT_EQ(RunQuery("* | top 1 by (route)", {&b}), "route,hits\r\n/a,3\r\n");
  EXPECT_EQ(RunQuery("* | stats count() by (route) | sort by (count() desc)", {&b}),
            "route,count()\r\n/a,3\r\n/b,2\r\n");
}

TEST(RowEvaluator, EmptyInputStillGivesOneStatsRow) {
  EventBatch b = Sample();
  EXPECT_EQ(RunQuery("nothing_matches | stats count(), avg(duration_ms)", {&b}),
            "count(),avg(duration_ms)\r\n0,\r\n");
  // With `by`, no groups: no rows, but the header of the columns the query produces.
  EXPECT_EQ(RunQuery("nothing_matches | stats count() by (ip)", {&b}), "ip,count()\r\n");
  // A plain filter's columns come from the events: nothing at all.
  EXPECT_EQ(RunQuery("nothing_matches", {&b}), "");
}

TEST(RowEvaluator, WhereNamesAStatsColumnByItsCall) {
  EventBatch b = Sample();
  EXPECT_EQ(RunQuery("* | stats count(), max(duration_ms) by (route) | where count() > 2", {&b}),
            "route,count(),max(duration_ms)\r\n/a,3,40\r\n");
  EXPECT_EQ(RunQuery("* | stats count(), max(duration_ms) by (route) | where "
                     "max(duration_ms):>=100 | fields route",
                     {&b}),
            "route\r\n/b\r\n");
}

TEST(RowEvaluator, MinMaxOfHugeIntegersAreExact) {
  EventBatch b;
  b.BeginEvent(kT0);
  b.AddField("big", Value::Int(INT64_MAX));
  b.BeginEvent(kT0 + kSec);
  b.AddField("big", Value::Int(9007199254740993));
  EXPECT_EQ(RunQuery("* | stats max(big), min(big), p50(big)", {&b}),
            "max(big),min(big),p50(big)\r\n9223372036854775807,9007199254740993,"
            "9007199254740993\r\n");
}

TEST(RowEvaluator, RelativeTimeAndRate) {
  EventBatch b = Sample();
  // now = T0+120s; _time:1m keeps events at >= T0+60s: 3 events over 60 s.
  EXPECT_EQ(RunQuery("_time:1m | stats count(), rate()", {&b}), "count(),rate()\r\n3,0.05\r\n");
}

TEST(RowEvaluator, MultipleBatches) {
  EventBatch a = Sample();
  EventBatch b = MakeBatch({{kT0, "/c", 200, 1, "9.9.9.9", "first"}});
  EXPECT_EQ(RunQuery("* | fields route | limit 2", {&a, &b}), "route\r\n/c\r\n/a\r\n");
}

TEST(RowEvaluator, GroupLimitIsAClearError) {
  EventBatch b = Sample();
  QueryOptions opt;
  opt.max_groups = 2;
  std::string out = RunQuery("* | stats count() by (ip)", {&b}, OutputFormat::kCsv, opt);
  EXPECT_NE(out.find("ResourceExhausted"), std::string::npos) << out;
  EXPECT_NE(out.find("more than 2 groups"), std::string::npos) << out;
}

TEST(RowEvaluator, DeadlineIsAClearError) {
  EventBatch b = Sample();
  QueryOptions opt;
  opt.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  std::string out = RunQuery("*", {&b}, OutputFormat::kCsv, opt);
  EXPECT_NE(out.find("DeadlineExceeded"), std::string::npos) << out;
}

TEST(RowEvaluator, SinceUntilOptionsNarrowTheRange) {
  EventBatch b = Sample();
  QueryOptions opt;
  opt.range.from_ns = kT0 + 2 * kSec;
  opt.range.to_ns = kT0 + 62 * kSec;
  EXPECT_EQ(RunQuery("* | stats count()", {&b}, OutputFormat::kCsv, opt), "count()\r\n2\r\n");
}

// `sort` (alone or followed by `limit`, which sorts only the rows it keeps) gives the rows of a
// stable sort in the same order: ties keep their input order, nulls stay last both ways,
// numbers come before strings. Random rows with many ties, against std::stable_sort.
TEST(RowEvaluator, SortWithAndWithoutLimitEqualsAStableSort) {
  std::mt19937 rng(7);
  for (int round = 0; round < 40; ++round) {
    std::vector<QueryRecord> rows(rng() % 60);
    for (size_t i = 0; i < rows.size(); ++i) {
      QueryRecord& r = rows[i];
      const uint32_t kind = rng() % 5;
      if (kind == 0) {
        r.Set("a", OwnedValue{});
      } else if (kind == 1) {
        r.Set("a", OwnedValue::String(std::string(1, static_cast<char>('x' + rng() % 3))));
      } else if (kind == 2) {
        r.Set("a", OwnedValue::Float(static_cast<double>(rng() % 4) / 2));
      } else if (kind == 3) {
        r.Set("a", OwnedValue::Int(rng() % 4));
      }  // kind 4: no `a` at all
      r.Set("b", OwnedValue::Int(rng() % 3));
      r.Set("id", OwnedValue::Int(static_cast<int64_t>(i)));
    }
    const bool a_desc = rng() % 2, b_desc = rng() % 2;
    const size_t limit = rng() % 70;
    const std::string sort = std::string("* | sort by (a") + (a_desc ? " desc" : "") + ", b" +
                             (b_desc ? " desc" : "") + ")";
    for (const std::string& q : {sort, sort + " | limit " + std::to_string(limit)}) {
      auto parsed = ParseVql(q);
      ASSERT_TRUE(parsed.ok()) << q;
      auto got = ApplyPipes(*parsed, 0, rows, QueryOptions{}, TimeRange{});
      ASSERT_TRUE(got.ok()) << q;
      std::vector<QueryRecord> want = rows;
      std::stable_sort(want.begin(), want.end(), [&](const QueryRecord& x, const QueryRecord& y) {
        for (auto [f, desc] : {std::pair{"a", a_desc}, std::pair{"b", b_desc}}) {
          const OwnedValue* px = x.Get(f);
          const OwnedValue* py = y.Get(f);
          Value vx = px ? px->view() : Value::Null();
          Value vy = py ? py->view() : Value::Null();
          int c = CompareValues(vx, vy);
          if (c != 0 && vx.type != ValueType::kNull && vy.type != ValueType::kNull && desc) c = -c;
          if (c != 0) return c < 0;
        }
        return false;
      });
      if (q != sort && want.size() > limit) want.resize(limit);
      ASSERT_EQ(got->size(), want.size()) << q;
      for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ((*got)[i].Get("id")->i, want[i].Get("id")->i) << q << " row " << i;
      }
    }
  }
}

}  // namespace
}  // namespace vigia

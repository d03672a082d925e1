#include "query/result_format.h"

#include <gtest/gtest.h>

#include "vql/vql_parser.h"

namespace vigia {
namespace {

std::vector<QueryRecord> Rows() {
  QueryRecord a;
  a.Set("ts", OwnedValue::Int(1'800'000'000'500'000'000));
  a.Set("msg", OwnedValue::String("hello, \"world\""));
  a.Set("n", OwnedValue::Int(7));
  QueryRecord b;
  b.Set("ts", OwnedValue::Int(1'800'000'001'000'000'000));
  b.Set("n", OwnedValue::Float(12.25));
  b.Set("extra", OwnedValue{});
  return {a, b};
}

TEST(ResultFormat, Json) {
  EXPECT_EQ(FormatRows(Rows(), OutputFormat::kJson),
            "[{\"ts\":\"2027-01-15T08:00:00.500Z\",\"msg\":\"hello, \\\"world\\\"\",\"n\":7},"
            "{\"ts\":\"2027-01-15T08:00:01Z\",\"n\":12.25,\"extra\":null}]\n");
}

TEST(ResultFormat, Ndjson) {
  EXPECT_EQ(FormatRows(Rows(), OutputFormat::kNdjson),
            "{\"ts\":\"2027-01-15T08:00:00.500Z\",\"msg\":\"hello, \\\"world\\\"\",\"n\":7}\n"
            "{\"ts\":\"2027-01-15T08:00:01Z\",\"n\":12.25,\"extra\":null}\n");
}

TEST(ResultFormat, Csv) {
  EXPECT_EQ(FormatRows(Rows(), OutputFormat::kCsv),
            "ts,msg,n,extra\r\n2027-01-15T08:00:00.500Z,\"hello, \"\"world\"\"\",7,\r\n"
            "2027-01-15T08:00:01Z,,12.25,\r\n");
}

TEST(ResultFormat, TableAlignsAndRightAlignsNumbers) {
  EXPECT_EQ(FormatRows(Rows(), OutputFormat::kTable),
            "ts                        msg                 n  extra\n"
            "------------------------  --------------  -----  -----\n"
            "2027-01-15T08:00:00.500Z  hello, \"world\"      7\n"
            "2027-01-15T08:00:01Z                      12.25\n");
}

TEST(ResultFormat, TableClipsLongCells) {
  QueryRecord r;
  r.Set("msg", OwnedValue::String(std::string(300, 'x') + "\nnext"));
  std::string t = FormatRows({r}, OutputFormat::kTable);
  EXPECT_NE(t.find(std::string(100, 'x') + "…"), std::string::npos);
  EXPECT_EQ(t.find(std::string(101, 'x')), std::string::npos);
}

TEST(ResultFormat, EmptyResultPrintsTheKnownHeaderOrNothing) {
  EXPECT_EQ(FormatRows({}, OutputFormat::kCsv), "");
  EXPECT_EQ(FormatRows({}, OutputFormat::kTable), "");
  EXPECT_EQ(FormatRows({}, OutputFormat::kCsv, {"route", "count()"}), "route,count()\r\n");
  EXPECT_EQ(FormatRows({}, OutputFormat::kTable, {"route", "n"}), "route  n\n-----  -\n");
  EXPECT_EQ(FormatRows({}, OutputFormat::kNdjson, {"route"}), "");
  EXPECT_EQ(FormatRows({}, OutputFormat::kJson, {"route"}), "[]\n");
  // Rows win over the fallback header.
  EXPECT_EQ(FormatRows(Rows(), OutputFormat::kCsv, {"x"}), FormatRows(Rows(), OutputFormat::kCsv));
}

TEST(ResultFormat, QueryColumnsFollowThePipesThatFixThem) {
  auto cols = [](std::string_view q) {
    auto parsed = ParseVql(q);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return parsed.ok() ? QueryColumns(*parsed) : std::vector<std::string>{"<error>"};
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(cols("level:error"), V{});
  EXPECT_EQ(cols("* | sort by (ts) | limit 3"), V{});
  EXPECT_EQ(cols("* | math a + 1 as b"), V{});
  EXPECT_EQ(cols("* | stats count(), p95(d) as p by (route, _time:1m) | where p > 1 | limit 2"),
            (V{"route", "_time", "count()", "p"}));
  EXPECT_EQ(cols("* | top 3 by (ip)"), (V{"ip", "hits"}));
  EXPECT_EQ(cols("* | stats count() as n, sum(x) as t by (k) | math n / t as r, n * 2 as n"),
            (V{"k", "n", "t", "r"}));
  EXPECT_EQ(cols("* | fields ts, msg"), (V{"ts", "msg"}));
  EXPECT_EQ(cols("* | stats count() by (k) | fields count()"), V{"count()"});
}

TEST(ResultFormat, ParseFormat) {
  EXPECT_EQ(*ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_FALSE(ParseOutputFormat("xml").ok());
}

}  // namespace
}  // namespace vigia

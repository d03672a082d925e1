#include "query/result_format.h"

#include <gtest/gtest.h>

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

TEST(ResultFormat, ParseFormat) {
  EXPECT_EQ(*ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_FALSE(ParseOutputFormat("xml").ok());
}

}  // namespace
}  // namespace vigia

// RowBinary round trip of every value type through the typed columns and `x`, rows split at
// every byte, and the superset SQL of typical filters (no server needed; the answers against a
// real ClickHouse are tests/clickhouse_it.cpp).
#include <gtest/gtest.h>

#include "clickhouse/clickhouse_client.h"
#include "clickhouse/clickhouse_row_codec.h"
#include "clickhouse/clickhouse_schema.h"
#include "clickhouse/clickhouse_sql.h"
#include "vql/vql_parser.h"

namespace vigia::clickhouse {
namespace {

EventBatch Sample() {
  EventBatch b;
  b.BeginEvent(1'763'805'600'123'456'789);
  b.AddField("kind", Value::String("request"));
  b.AddField("status", Value::Int(503));
  b.AddField("duration_ms", Value::Float(12.25));
  b.AddField("sensitive", Value::Bool(true));
  b.AddField("meta.k", Value::String("v\n\x01\xff"));
  b.BeginEvent(-5);
  b.AddField("status", Value::String("500"));  // canonical name, other type → x
  b.AddField("duration_ms", Value::Int(7));    // int where the column is float → x
  b.AddField("user_id", Value::Int(7));
  b.AddField("f", Value::Float(0.1 + 0.2));
  b.AddField("n", Value::Null());
  b.AddField("b", Value::Bool(false));
  b.AddField("msg", Value::String(""));
  return b;
}

TEST(ClickHouseCodec, RoundTripsEveryTypeSplitAnywhere) {
  EventBatch in = Sample();
  std::string bytes;
  EncodeRows(in, 100, &bytes);
  for (size_t step : {size_t{1}, size_t{3}, bytes.size()}) {
    std::vector<std::shared_ptr<EventBatch>> got;
    RowDecoder d(AllCanonicalColumnIndexes(), 1, [&](std::shared_ptr<EventBatch> b) {
      got.push_back(std::move(b));
      return Status::Ok();
    });
    for (size_t i = 0; i < bytes.size(); i += step) {
      ASSERT_TRUE(d.Feed(std::string_view(bytes).substr(i, step)).ok());
    }
    ASSERT_TRUE(d.Finish().ok());
    ASSERT_EQ(got.size(), 2u);
    for (size_t e = 0; e < 2; ++e) {
      const auto& want = in.events()[e];
      const auto& have = got[e]->events()[0];
      EXPECT_EQ(have.ts_ns, want.ts_ns);
      EXPECT_EQ(have.num_fields, want.num_fields);
      for (const Field& f : in.fields(want)) {
        const Value* v = got[e]->Find(have, f.name);
        ASSERT_NE(v, nullptr) << f.name;
        EXPECT_TRUE(*v == f.value) << f.name;
      }
    }
  }
}

TEST(ClickHouseCodec, TruncatedAnswerIsCorruption) {
  EventBatch in = Sample();
  std::string bytes;
  EncodeRows(in, 1, &bytes);
  RowDecoder d(AllCanonicalColumnIndexes(), 10,
               [](std::shared_ptr<EventBatch>) { return Status::Ok(); });
  ASSERT_TRUE(d.Feed(std::string_view(bytes).substr(0, bytes.size() - 1)).ok());
  EXPECT_EQ(d.Finish().code(), StatusCode::kCorruption);
}

std::string Sql(const std::string& vql) {
  auto q = ParseVql(vql);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  return FilterToSql(*q->filter, 1'000'000'000'000);
}

TEST(ClickHouseSql, NarrowsWithoutLosingRows) {
  EXPECT_EQ(Sql("*"), "1");
  EXPECT_EQ(Sql("kind:request"), "(`kind` = 'request' OR has(x.key, 'kind'))");
  EXPECT_EQ(Sql("status:>=500"), "(`status` >= 500 OR has(x.key, 'status'))");
  EXPECT_EQ(Sql("timeout"),
            "(position(`msg`, 'timeout') > 0 OR position(`error.message`, 'timeout') > 0 OR "
            "position(`error.type`, 'timeout') > 0 OR position(`error.stack`, 'timeout') > 0)");
  EXPECT_EQ(Sql("-service:a"), "1");     // negations are decided in vigia
  EXPECT_EQ(Sql("status != 200"), "1");  // a missing field satisfies !=
  EXPECT_EQ(Sql("meta.x:*"), "has(x.key, 'meta.x')");
  EXPECT_EQ(Sql("user_id:\"it's\""), "(`user_id` = 'it\\'s' OR has(x.key, 'user_id'))");
  EXPECT_EQ(Sql("_time:[1000, 2000)"), "(ts >= 1000000000000 AND ts < 2000000000000)");
  // A numeric literal on a string column: "5e2" equals 500 numerically, so no narrowing.
  EXPECT_EQ(Sql("path:>5"), "(isNotNull(`path`) OR has(x.key, 'path'))");
  // A list on a string column: one set lookup and one look at `x`, not one of each per value.
  EXPECT_EQ(Sql("fingerprint:in(a, b)"),
            "(`fingerprint` IN ('a', 'b') OR has(x.key, 'fingerprint'))");
}

TEST(ClickHouseSql, FieldsReadStopsAtTheFirstReducingPipe) {
  auto q = ParseVql(
      "kind:request timeout | stats count() if (status:>=500), p95(duration_ms) by (route)");
  ASSERT_TRUE(q.ok());
  auto f = FieldsRead(*q);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(*f, (std::set<std::string>{"kind", "msg", "error.message", "error.type", "error.stack",
                                       "status", "duration_ms", "route"}));
  auto plain = ParseVql("kind:request | limit 5");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(FieldsRead(*plain).has_value());
}

// A TabSeparated answer: rows split at newlines (empty lines skipped, the last newline
// optional), fields at tabs (empty ones kept); the first error a row returns stops the walk.
TEST(ClickHouseTsv, SplitsRowsAndFields) {
  std::vector<std::string> seen;
  Status st = ForEachTsvRow("a\t1\t\n\nb\t2\tx\nc", [&](std::string_view line, const auto& f) {
    std::string joined(line);
    for (std::string_view v : f) joined += "|" + std::string(v);
    seen.push_back(joined);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "a\t1\t|a|1|");
  EXPECT_EQ(seen[1], "b\t2\tx|b|2|x");
  EXPECT_EQ(seen[2], "c|c");
  int rows = 0;
  st = ForEachTsvRow("1\n2\n3\n", [&](std::string_view, const auto&) {
    return ++rows == 2 ? Status::Internal("second") : Status::Ok();
  });
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(rows, 2);
}

}  // namespace
}  // namespace vigia::clickhouse

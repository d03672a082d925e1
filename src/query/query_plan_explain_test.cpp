#include "query/query_plan_explain.h"

#include <gtest/gtest.h>

#include "common/time_format.h"
#include "query/tenant_scope.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

std::string Explain(const char* text, QueryOptions opt = {}) {
  Result<Query> q = ParseVql(text);
  EXPECT_TRUE(q.ok()) << text;
  Result<QueryPlan> plan = PlanQuery(*q, opt);
  EXPECT_TRUE(plan.ok()) << text;
  return ExplainColumnarPlan(*q, *plan);
}

TEST(QueryPlanExplainTest, StatsQueryNamesItsPruningColumnsAndFold) {
  std::string e =
      Explain("level:error service:in(api, web) | stats count() by (route) | sort by (route)");
  EXPECT_EQ(e.rfind("engine: embedded store, columnar engine", 0), 0u) << e;
  EXPECT_NE(e.find("\ntime: all events"), std::string::npos) << e;
  EXPECT_NE(e.find("blocks: read only where level may hold \"error\" (min/max, bloom)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("\n  and (service may hold \"api\" (min/max, bloom) or service may hold "
                   "\"web\" (min/max, bloom))"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("columns: level, service (the filter's"), std::string::npos) << e;
  EXPECT_NE(e.find("then route (only for blocks with a match)"), std::string::npos) << e;
  EXPECT_NE(e.find("scan: each matching row is folded into the first pipe (stats)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("then: sort (over the scan's result)"), std::string::npos) << e;
}

TEST(QueryPlanExplainTest, PlainFilterWithTimeRangeWordsAndALimit) {
  QueryOptions opt;
  opt.range.from_ns = *ParseRfc3339("2026-12-01T00:00:00Z");
  opt.row_limit = 10;
  std::string e = Explain("timeout duration_ms:>250", opt);
  EXPECT_NE(e.find("time: from 2026-12-01T00:00:00"), std::string::npos) << e;
  EXPECT_NE(e.find("may hold the words \"timeout\" (token bloom)"), std::string::npos) << e;
  EXPECT_NE(e.find("duration_ms overlaps [250"), std::string::npos) << e;
  EXPECT_NE(e.find("scan: matching rows in time order; stops after 10 rows"), std::string::npos)
      << e;
  EXPECT_EQ(e.find("then:"), std::string::npos) << e;
}

TEST(QueryPlanExplainTest, NoPruningAndATenantScope) {
  std::string all = Explain("* | stats count()");
  EXPECT_NE(all.find("blocks: no pruning condition"), std::string::npos) << all;
  Result<Query> q = ParseVql("-level:debug");
  ASSERT_TRUE(q.ok());
  Query scoped = ScopeQuery(*q, TenantScope::Only("acme"));
  Result<QueryPlan> plan = PlanQuery(scoped, QueryOptions{});
  ASSERT_TRUE(plan.ok());
  std::string e = ExplainColumnarPlan(scoped, *plan);
  EXPECT_NE(e.find("blocks: read only where tenant may hold \"acme\""), std::string::npos) << e;
  EXPECT_NE(e.find("scan: every matching row"), std::string::npos) << e;
}

}  // namespace
}  // namespace vigia

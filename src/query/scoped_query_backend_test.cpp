#include "query/scoped_query_backend.h"

#include <gtest/gtest.h>

#include <set>

#include "query/row_evaluator_backend.h"
#include "vql/vql_parser.h"

namespace vigia {
namespace {

Query Parse(const char* text) {
  Result<Query> q = ParseVql(text);
  EXPECT_TRUE(q.ok()) << text;
  return std::move(*q);
}

class ScopedQueryBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int64_t ts = 1'700'000'000'000'000'000;
    for (const char* t : {"acme", "acme", "globex", ""}) {
      batch_.BeginEvent(ts++);
      batch_.AddField("msg", Value::String("hello"));
      batch_.AddField("request_id", Value::String("r1"));
      if (*t) batch_.AddField("tenant", Value::String(t));
    }
    inner_ = std::make_unique<RowEvaluatorBackend>([this](const auto& add) { return add(batch_); });
    scoped_ = std::make_unique<ScopedQueryBackend>(inner_.get());
  }
  std::multiset<std::string> Tenants(const QueryResult& r) {
    std::multiset<std::string> out;
    for (const QueryRecord& row : r.rows) {
      const OwnedValue* t = row.Get("tenant");
      out.insert(t ? t->s : "-");
    }
    return out;
  }
  QueryOptions Scoped(std::optional<TenantScope> scope) {
    QueryOptions o;
    o.scope = std::move(scope);
    return o;
  }
  EventBatch batch_;
  std::unique_ptr<RowEvaluatorBackend> inner_;
  std::unique_ptr<ScopedQueryBackend> scoped_;
};

TEST_F(ScopedQueryBackendTest, WithoutAScopeNothingRuns) {
  Query q = Parse("*");
  EXPECT_EQ(scoped_->Run(q, QueryOptions{}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(scoped_->Trace("r1", QueryOptions{}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(scoped_->Backfill(q, 0, QueryOptions{}, {}).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(ScopedQueryBackendTest, OneTenantScopeFiltersEveryEntryPoint) {
  auto acme = Scoped(TenantScope::Only("acme"));
  Query q = Parse("* OR tenant:globex");
  EXPECT_EQ(Tenants(*scoped_->Run(q, acme)), (std::multiset<std::string>{"acme", "acme"}));
  EXPECT_EQ(Tenants(*scoped_->Trace("r1", acme)), (std::multiset<std::string>{"acme", "acme"}));
  EXPECT_EQ(Tenants(*scoped_->Backfill(Parse("*"), 0, acme, {})),
            (std::multiset<std::string>{"acme", "acme"}));
  auto stats = scoped_->Run(Parse("* | stats count() as n"), Scoped(TenantScope::Only("globex")));
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->rows.size(), 1u);
  EXPECT_EQ(stats->rows[0].Get("n")->i, 1);
  EXPECT_EQ(Tenants(*scoped_->Run(q, Scoped(TenantScope::All()))).size(), 4u);
}

// Explain's inner backend sees the scoped query: it names the tenant its filter starts with.
class TenantNamingBackend final : public QueryBackend {
 public:
  Result<QueryResult> Run(const Query&, const QueryOptions&, const QueryObserver&) override {
    return Status::Internal("not run by these tests");
  }
  Result<std::string> Explain(const Query& q, const QueryOptions&) override {
    if (q.filter->kind == FilterKind::kAnd && !q.filter->children.empty() &&
        q.filter->children[0]->field == "tenant") {
      return "tenant " + q.filter->children[0]->value;
    }
    return std::string("unscoped");
  }
};

TEST_F(ScopedQueryBackendTest, ExplainShowsTheScopedQuery) {
  TenantNamingBackend inner;
  ScopedQueryBackend scoped(&inner);
  Query q = Parse("level:error");
  EXPECT_EQ(scoped.Explain(q, QueryOptions{}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(*scoped.Explain(q, Scoped(TenantScope::Only("acme"))), "tenant acme");
  EXPECT_EQ(*scoped.Explain(q, Scoped(TenantScope::All())), "unscoped");
  // The base class refuses rather than guessing.
  EXPECT_EQ(inner.QueryBackend::Explain(q, QueryOptions{}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(TenantScopeTest, CloneIsDeepAndScopeDropsTheText) {
  Query q =
      Parse("level:error | stats count() if (status:>499) as n by (service) | sort by (n desc)");
  Query c = CloneQuery(q);
  EXPECT_EQ(c.text, q.text);
  ASSERT_EQ(c.pipes.size(), 2u);
  EXPECT_NE(c.pipes[0].aggregates[0].cond.get(), q.pipes[0].aggregates[0].cond.get());
  Query s = ScopeQuery(q, TenantScope::Only("acme"));
  EXPECT_TRUE(s.text.empty());
  EXPECT_EQ(s.filter->kind, FilterKind::kAnd);
  EXPECT_EQ(s.filter->children[0]->field, "tenant");
}

}  // namespace
}  // namespace vigia

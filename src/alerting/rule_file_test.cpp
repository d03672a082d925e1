#include "alerting/rule_file.h"

#include <gtest/gtest.h>

namespace vigia {
namespace {

constexpr const char* kGood = R"(groups:
  - name: http
    interval: 30s
    rules:
      - name: HighErrorRate
        query: 'kind:request _time:5m | stats count() as total, count() if (status:>=500) as errors by (route) | math errors / total as value'
        condition: value > 0.01
        for: 5m
        keep_firing_for: 1m
        labels:
          severity: page
        annotations:
          summary: '5xx share {{ $value | humanizePercentage }} on {{ $labels.route }}'
      - alert: WorkerSilent
        query: 'service:worker _time:2m | stats count() as n'
        condition: n > 0
        absent: true
        for: 1m
)";

TEST(RuleFileTest, ParsesGroupsAndRules) {
  auto groups = ParseRuleFile("a.yml", kGood);
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ(groups->size(), 1u);
  const RuleGroup& g = (*groups)[0];
  EXPECT_EQ(g.name, "http");
  EXPECT_EQ(g.interval_ns, 30'000'000'000);
  ASSERT_EQ(g.rules.size(), 2u);
  const AlertRule& r = g.rules[0];
  EXPECT_EQ(r.name, "HighErrorRate");
  ASSERT_TRUE(r.condition.has_value());
  EXPECT_EQ(r.condition->column, "value");
  EXPECT_EQ(r.condition->op, CmpOp::kGt);
  EXPECT_DOUBLE_EQ(r.condition->threshold, 0.01);
  EXPECT_EQ(r.for_ns, 300'000'000'000);
  EXPECT_EQ(r.keep_firing_for_ns, 60'000'000'000);
  EXPECT_EQ(r.labels.at("severity"), "page");
  EXPECT_EQ(r.label_columns, std::vector<std::string>{"route"});
  EXPECT_EQ(r.line, 5);
  EXPECT_EQ(g.rules[1].name, "WorkerSilent");
  EXPECT_TRUE(g.rules[1].absent);
}

TEST(RuleFileTest, ConditionColumnWithParentheses) {
  auto groups = ParseRuleFile("a.yml", R"(groups:
  - name: g
    rules:
      - name: SlowRoute
        query: 'kind:request _time:5m | stats p95(duration_ms) by (route)'
        condition: p95(duration_ms) >= 800
)");
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  EXPECT_EQ((*groups)[0].rules[0].condition->column, "p95(duration_ms)");
  EXPECT_EQ((*groups)[0].rules[0].condition->op, CmpOp::kGe);
  EXPECT_EQ((*groups)[0].interval_ns, 60'000'000'000);
}

std::string ErrorOf(const char* text) {
  auto groups = ParseRuleFile("r.yml", text);
  EXPECT_FALSE(groups.ok());
  return groups.ok() ? "" : groups.status().message();
}

TEST(RuleFileTest, UnknownFieldIsAnErrorWithItsPosition) {
  EXPECT_EQ(ErrorOf(R"(groups:
  - name: g
    rules:
      - name: A
        query: '* | stats count() as n'
        treshold: 5
)"),
            "r.yml:6:9: unknown field \"treshold\" in rule (expected one of name, alert, query, "
            "kpi, slo, condition, absent, for, keep_firing_for, labels, annotations)");
}

TEST(RuleFileTest, VqlErrorPointsIntoTheQuery) {
  std::string e = ErrorOf(R"(groups:
  - name: g
    rules:
      - name: A
        query: 'kind:request | stats cnt() as n'
)");
  EXPECT_EQ(e.rfind("r.yml:5:", 0), 0u) << e;
  EXPECT_NE(e.find("query: "), std::string::npos) << e;
}

TEST(RuleFileTest, TemplateAndConditionErrors) {
  std::string e = ErrorOf(R"(groups:
  - name: g
    rules:
      - name: A
        query: '* | stats count() as n'
        condition: m > 3
        annotations:
          summary: '{{ $labels.x | shout }}'
)");
  EXPECT_NE(e.find("r.yml:6:20: condition: the query has no column \"m\" (its columns: n)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("r.yml:8:21: annotations.summary: template error: unknown template function"),
            std::string::npos)
      << e;
}

TEST(RuleFileTest, OtherErrors) {
  EXPECT_NE(ErrorOf("groups: [\n").find("r.yml:"), std::string::npos);
  EXPECT_NE(ErrorOf(R"(groups:
  - name: g
    rules:
      - name: A
        query: 'level:error'
)")
                .find("must aggregate"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"(groups:
  - name: g
    interval: soon
    rules: []
)")
                .find("r.yml:3:15: interval: invalid duration"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"(groups:
  - name: g
  - name: g
)")
                .find("r.yml:3:11: group \"g\" is defined twice"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"(groups:
  - name: g
    rules:
      - name: A
        query: '* | stats count() as n'
        condition: n >> 3
)")
                .find("condition: expected"),
            std::string::npos);
}

TEST(RuleFileTest, EmptyFileHasNoGroups) {
  auto groups = ParseRuleFile("e.yml", "");
  ASSERT_TRUE(groups.ok());
  EXPECT_TRUE(groups->empty());
}

TEST(RuleFileTest, RulesOnKpisAndSlosByName) {
  auto groups = ParseRuleFile("k.yml", R"(groups:
  - name: monitor
    rules:
      - name: ErrorRateRed
        kpi: error_rate
      - name: ErrorRateYellow
        kpi: error_rate
        condition: color >= yellow
      - name: Budget
        slo: availability
        condition: budget_remaining < 0.1
      - name: FastBurn
        slo: availability
)");
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  const std::vector<AlertRule>& r = (*groups)[0].rules;
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].source, SignalKind::kKpi);
  EXPECT_EQ(r[0].signal_name, "error_rate");
  EXPECT_EQ(r[0].query_text, "kpi:error_rate");
  EXPECT_EQ(r[0].query, nullptr);
  ASSERT_TRUE(r[0].condition.has_value());  // the default: red
  EXPECT_EQ(r[0].condition->column, "color");
  EXPECT_EQ(r[0].condition->op, CmpOp::kGe);
  EXPECT_EQ(r[0].condition->threshold, 3);
  EXPECT_EQ(r[1].condition->threshold, 2);  // yellow
  EXPECT_EQ(r[2].source, SignalKind::kSlo);
  EXPECT_EQ(r[2].condition->column, "budget_remaining");
  EXPECT_EQ(r[3].condition->text, "fast_burn > 0");
}

TEST(RuleFileTest, KpiAndSloRuleErrors) {
  auto groups = ParseRuleFile("k.yml", R"(groups:
  - name: monitor
    rules:
      - name: Both
        kpi: error_rate
        query: 'kind:request | stats count()'
      - name: NoSuchColumn
        slo: availability
        condition: p95 > 3
      - name: ColourOnValue
        kpi: error_rate
        condition: value > red
)");
  ASSERT_FALSE(groups.ok());
  const std::string& m = groups.status().message();
  EXPECT_NE(m.find("k.yml:4:9: rule \"Both\": give one of query, kpi and slo"), std::string::npos)
      << m;
  EXPECT_NE(m.find("k.yml:9:20: condition: a slo rule has no column \"p95\""), std::string::npos)
      << m;
  EXPECT_NE(m.find("k.yml:12:20: condition: a colour (red) compares only with the column color"),
            std::string::npos)
      << m;
}

}  // namespace
}  // namespace vigia

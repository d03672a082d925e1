// The built-in error-group rules on the engine: a queued event fires its rule at the next
// evaluation (labels fingerprint/service/title/tenant, rendered annotations), keeps firing
// while events come and resolves keep_firing_for after the last; the feed passes KPI/SLO
// rules on, drops past its bound; a rule file may not take the built-in group's name, and
// kpi:/slo: names are checked against a definition lookup.
#include "alerting/error_group_alerts.h"

#include <gtest/gtest.h>

#include "alerting/alert_engine.h"
#include "alerting/alert_test_util.h"
#include "alerting/rule_file.h"
#include "common/limits.h"

namespace vigia {
namespace {

using testing::kSec;
using testing::kT0;

ErrorGroupEvent Event(ErrorGroupEventKind kind, std::string fp, uint64_t count, uint64_t rate = 0) {
  ErrorGroupEvent e;
  e.kind = kind;
  e.fingerprint = std::move(fp);
  e.title = "KeyError: 'sku'";
  e.service = "sales-api";
  e.count = count;
  e.rate_per_min = rate;
  return e;
}

class ErrorGroupAlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = events_.Backend();
    engine_ = std::make_unique<AlertEngine>(AlertEngineOptions{backend_.get(), nullptr, &feed_});
    auto set = std::make_shared<RuleSet>();
    set->groups.push_back(ErrorGroupRules({60 * kSec}));
    engine_->SetRules(set, kT0);
  }
  std::vector<AlertInstance> InState(AlertState st) {
    std::vector<AlertInstance> out;
    for (const AlertInstance& a : engine_->Instances()) {
      if (a.state == st) out.push_back(a);
    }
    return out;
  }

  testing::MemoryEvents events_;
  std::unique_ptr<QueryBackend> backend_;
  ErrorGroupFeed feed_{nullptr};
  std::unique_ptr<AlertEngine> engine_;
};

TEST_F(ErrorGroupAlertsTest, NewGroupFiresAtOnceAndResolvesAfterKeepFiringFor) {
  feed_.Push(Event(ErrorGroupEventKind::kNew, "3f2a", 1));
  std::vector<AlertTransition> t = engine_->Tick(kT0 + kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].from, AlertState::kInactive);
  const AlertInstance& a = t[0].instance;
  EXPECT_EQ(a.state, AlertState::kFiring);
  EXPECT_EQ(a.rule, "ErrorGroupNew");
  EXPECT_EQ(a.group, kErrorGroupRulesGroup);
  EXPECT_EQ(a.query, "error_group:new");
  EXPECT_EQ(a.labels.at("alertname"), "ErrorGroupNew");
  EXPECT_EQ(a.labels.at("fingerprint"), "3f2a");
  EXPECT_EQ(a.labels.at("service"), "sales-api");
  EXPECT_EQ(a.labels.at("title"), "KeyError: 'sku'");
  EXPECT_EQ(a.labels.at("severity"), "warning");
  EXPECT_EQ(a.labels.count("tenant"), 0u);
  EXPECT_EQ(a.value, 1);
  EXPECT_EQ(a.annotations.at("summary"), "New error in sales-api: KeyError: 'sku'");
  EXPECT_EQ(a.annotations.at("errors_url"), "/v1/errors/3f2a");
  // Nothing new: still firing within keep_firing_for, resolved after it.
  EXPECT_TRUE(engine_->Tick(kT0 + 30 * kSec).empty());
  EXPECT_EQ(InState(AlertState::kFiring).size(), 1u);
  t = engine_->Tick(kT0 + 61 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kResolved);
}

TEST_F(ErrorGroupAlertsTest, RegressionAndRateAreTheirOwnRules) {
  ErrorGroupEvent tenant_event = Event(ErrorGroupEventKind::kRegression, "aa", 40);
  tenant_event.tenant = "acme";
  feed_.Push(tenant_event);
  feed_.Push(Event(ErrorGroupEventKind::kRateAbove, "bb", 900, 120));
  std::vector<AlertTransition> t = engine_->Tick(kT0 + kSec);
  ASSERT_EQ(t.size(), 2u);
  std::map<std::string, AlertInstance> by_rule;
  for (const AlertTransition& x : t) by_rule[x.instance.rule] = x.instance;
  ASSERT_TRUE(by_rule.count("ErrorGroupRegression"));
  EXPECT_EQ(by_rule["ErrorGroupRegression"].labels.at("tenant"), "acme");
  EXPECT_EQ(by_rule["ErrorGroupRegression"].value, 40);
  ASSERT_TRUE(by_rule.count("ErrorGroupRateAbove"));
  EXPECT_EQ(by_rule["ErrorGroupRateAbove"].value, 120);
  EXPECT_EQ(by_rule["ErrorGroupRateAbove"].labels.at("severity"), "critical");
  EXPECT_EQ(by_rule["ErrorGroupRateAbove"].annotations.at("summary"),
            "120 errors a minute in sales-api: KeyError: 'sku'");
  // The rate keeps crossing every minute: the same instance stays firing, no transition.
  feed_.Push(Event(ErrorGroupEventKind::kRateAbove, "bb", 1100, 200));
  EXPECT_TRUE(engine_->Tick(kT0 + 50 * kSec).empty());
  t = engine_->Tick(kT0 + 100 * kSec);  // 60 s after the regression, 50 s after the rate
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.rule, "ErrorGroupRegression");
  EXPECT_EQ(t[0].instance.state, AlertState::kResolved);
}

TEST_F(ErrorGroupAlertsTest, EventsAreTakenOnceAndTheQueueIsBounded) {
  feed_.Push(Event(ErrorGroupEventKind::kNew, "x", 1));
  Result<std::vector<SignalRow>> rows = feed_.Rows(SignalKind::kErrorGroup, "regression", kT0);
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());  // another kind's event stays queued
  rows = feed_.Rows(SignalKind::kErrorGroup, "new", kT0);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 1u);
  EXPECT_TRUE(feed_.Rows(SignalKind::kErrorGroup, "new", kT0)->empty());
  for (size_t i = 0; i < limits::kMaxQueuedErrorGroupEvents + 5; ++i) {
    feed_.Push(Event(ErrorGroupEventKind::kNew, std::to_string(i), 1));
  }
  EXPECT_EQ(feed_.dropped(), 5u);
  // KPI and SLO rules need the wrapped signals.
  EXPECT_FALSE(feed_.Rows(SignalKind::kKpi, "rate_5xx", kT0).ok());
  EXPECT_FALSE(feed_.Has(SignalKind::kKpi, "rate_5xx"));
  EXPECT_TRUE(feed_.Has(SignalKind::kErrorGroup, "rate"));
}

TEST(ErrorGroupRuleNames, ReservedGroupAndUnknownSignalNames) {
  Result<std::vector<RuleGroup>> g = ParseRuleFile("r.yml", R"(groups:
  - name: vigia-error-groups
    rules: []
)");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("r.yml:2:11: group name \"vigia-error-groups\" is reserved"),
            std::string::npos)
      << g.status().message();

  g = ParseRuleFile("k.yml", R"(groups:
  - name: kpis
    rules:
      - name: Red
        kpi: rate_5xx
      - name: Typo
        kpi: eror_rate
      - name: Burn
        slo: availabilty
)");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  RuleSet set;
  set.groups = std::move(*g);
  Status st = CheckRuleSignalNames(
      set,
      [](SignalKind kind, std::string_view name) {
        return (kind == SignalKind::kKpi && name == "rate_5xx") ||
               (kind == SignalKind::kSlo && name == "availability");
      },
      "kpis.toml");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "k.yml:6:9: rule \"Typo\": kpi \"eror_rate\" is not defined (kpis.toml)\n"
            "k.yml:8:9: rule \"Burn\": slo \"availabilty\" is not defined (kpis.toml)");
}

}  // namespace
}  // namespace vigia

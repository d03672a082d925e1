#include "alerting/alert_state.h"

#include <gtest/gtest.h>

#include "alerting/alert_test_util.h"

namespace vigia {
namespace {

using testing::kSec;

AlertRule Rule(int64_t for_ns, int64_t keep_ns = 0) {
  AlertRule r;
  r.name = "HighErrors";
  r.for_ns = for_ns;
  r.keep_firing_for_ns = keep_ns;
  r.labels["severity"] = "page";
  r.annotations["summary"] = *AlertTemplate::Parse("{{ $labels.route }}: {{ $value }}");
  return r;
}

std::vector<AlertSample> One(double v, const std::string& route = "/pay") {
  return {AlertSample{{{"route", route}}, v}};
}

TEST(RuleStateMachineTest, PendingThenFiringAfterForThenResolved) {
  RuleStateMachine m;
  AlertRule r = Rule(60 * kSec);
  auto t = m.Update("g", r, One(5), 0);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].from, AlertState::kInactive);
  EXPECT_EQ(t[0].instance.state, AlertState::kPending);
  EXPECT_EQ(t[0].instance.labels.at("alertname"), "HighErrors");
  EXPECT_EQ(t[0].instance.labels.at("severity"), "page");
  EXPECT_EQ(t[0].instance.annotations.at("summary"), "/pay: 5");
  EXPECT_TRUE(m.Update("g", r, One(6), 30 * kSec).empty());  // still pending
  t = m.Update("g", r, One(7), 60 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kFiring);
  EXPECT_EQ(t[0].instance.active_at_ns, 0);
  EXPECT_EQ(t[0].instance.fired_at_ns, 60 * kSec);
  EXPECT_EQ(t[0].instance.value, 7);
  t = m.Update("g", r, {}, 90 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].from, AlertState::kFiring);
  EXPECT_EQ(t[0].instance.state, AlertState::kResolved);
  EXPECT_EQ(t[0].instance.resolved_at_ns, 90 * kSec);
  EXPECT_EQ(t[0].instance.value, 7);  // the last value it held with
  // Kept while recent, forgotten after the retention.
  EXPECT_EQ(m.instances().size(), 1u);
  EXPECT_TRUE(m.Update("g", r, {}, 90 * kSec + 15 * 60 * kSec).empty());
  EXPECT_TRUE(m.instances().empty());
}

TEST(RuleStateMachineTest, ZeroForFiresAtOnce) {
  RuleStateMachine m;
  auto t = m.Update("g", Rule(0), One(1), 10 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].from, AlertState::kInactive);
  EXPECT_EQ(t[0].instance.state, AlertState::kFiring);
}

TEST(RuleStateMachineTest, FlappingPendingStartsOver) {
  RuleStateMachine m;
  AlertRule r = Rule(60 * kSec);
  m.Update("g", r, One(1), 0);
  auto t = m.Update("g", r, {}, 30 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kInactive);
  EXPECT_TRUE(m.instances().empty());
  m.Update("g", r, One(1), 45 * kSec);
  EXPECT_TRUE(m.Update("g", r, One(1), 90 * kSec).empty());  // 45 s pending, not 90
  t = m.Update("g", r, One(1), 105 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kFiring);
  EXPECT_EQ(t[0].instance.active_at_ns, 45 * kSec);
}

TEST(RuleStateMachineTest, KeepFiringForBridgesGaps) {
  RuleStateMachine m;
  AlertRule r = Rule(0, 60 * kSec);
  m.Update("g", r, One(1), 0);
  EXPECT_TRUE(m.Update("g", r, {}, 30 * kSec).empty());  // still firing
  EXPECT_TRUE(m.Update("g", r, One(2), 45 * kSec).empty());
  EXPECT_TRUE(m.Update("g", r, {}, 100 * kSec).empty());  // 55 s since last active
  auto t = m.Update("g", r, {}, 105 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kResolved);
}

TEST(RuleStateMachineTest, ResolvedAlertFiresAgainAsNew) {
  RuleStateMachine m;
  AlertRule r = Rule(0);
  m.Update("g", r, One(1), 0);
  m.Update("g", r, {}, 10 * kSec);
  auto t = m.Update("g", r, One(3), 20 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].from, AlertState::kResolved);
  EXPECT_EQ(t[0].instance.state, AlertState::kFiring);
  EXPECT_EQ(t[0].instance.active_at_ns, 20 * kSec);
  EXPECT_EQ(t[0].instance.resolved_at_ns, 0);
}

TEST(RuleStateMachineTest, OneInstancePerLabelSet) {
  RuleStateMachine m;
  AlertRule r = Rule(0);
  std::vector<AlertSample> two = {AlertSample{{{"route", "/a"}}, 1},
                                  AlertSample{{{"route", "/b"}}, 2}};
  auto t = m.Update("g", r, two, 0);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_NE(t[0].instance.fingerprint, t[1].instance.fingerprint);
  t = m.Update("g", r, One(1, "/a"), 10 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.labels.at("route"), "/b");
  EXPECT_EQ(t[0].instance.state, AlertState::kResolved);
}

}  // namespace
}  // namespace vigia

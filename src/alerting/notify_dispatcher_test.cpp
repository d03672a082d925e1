#include "alerting/notify_dispatcher.h"

#include <gtest/gtest.h>

#include "alerting/alert_test_util.h"

namespace vigia {
namespace {

using testing::kSec;

AlertInstance Firing(const std::string& rule, const std::string& route, int64_t at) {
  AlertInstance a;
  a.group = "g";
  a.rule = rule;
  a.labels = {{"alertname", rule}, {"route", route}};
  a.fingerprint = LabelsFingerprint(a.labels);
  a.state = AlertState::kFiring;
  a.active_at_ns = at;
  a.fired_at_ns = at;
  return a;
}

AlertInstance Resolved(AlertInstance a, int64_t at) {
  a.state = AlertState::kResolved;
  a.resolved_at_ns = at;
  return a;
}

NotifyConfig Config() {
  auto c = ParseNotifyConfig("n.yml", R"(receivers:
  - name: hook
    webhook: {url: 'http://127.0.0.1:1/x'}
  - name: pager
    webhook: {url: 'http://127.0.0.1:1/y'}
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 10s
  group_interval: 60s
  repeat_interval: 1h
  routes:
    - matchers: ['route=~/pay.*']
      receiver: pager
      continue: true
)");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

const auto kNoSilence = [](const LabelSet&) { return false; };

TEST(NotifyDispatcherTest, GroupWaitIntervalRepeatAndResolved) {
  NotifyConfig cfg = Config();
  NotifyDispatcher d(&cfg);
  AlertInstance a = Firing("Errors", "/home", 0);
  EXPECT_TRUE(d.Update({a}, kNoSilence, 0).empty());  // group_wait
  auto n = d.Update({a}, kNoSilence, 10 * kSec);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].receiver, "hook");
  EXPECT_EQ(n[0].group_labels, (LabelSet{{"alertname", "Errors"}}));
  ASSERT_EQ(n[0].alerts.size(), 1u);
  EXPECT_FALSE(n[0].alerts[0].resolved);
  // Another alert joins: notified after group_interval, with both.
  AlertInstance b = Firing("Errors", "/cart", 15 * kSec);
  EXPECT_TRUE(d.Update({a, b}, kNoSilence, 20 * kSec).empty());
  n = d.Update({a, b}, kNoSilence, 70 * kSec);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].alerts.size(), 2u);
  // Unchanged: nothing until repeat_interval.
  EXPECT_TRUE(d.Update({a, b}, kNoSilence, 200 * kSec).empty());
  n = d.Update({a, b}, kNoSilence, 70 * kSec + 3600 * kSec);
  ASSERT_EQ(n.size(), 1u);
  // One resolves: sent once as resolved, then gone.
  const int64_t t = 70 * kSec + 3700 * kSec;
  n = d.Update({a, Resolved(b, t)}, kNoSilence, t);
  ASSERT_EQ(n.size(), 1u);
  ASSERT_EQ(n[0].alerts.size(), 2u);
  int resolved = 0;
  for (const auto& x : n[0].alerts) resolved += x.resolved;
  EXPECT_EQ(resolved, 1);
  EXPECT_TRUE(d.Update({a, Resolved(b, t)}, kNoSilence, t + 100 * kSec).empty());
  n = d.Update({Resolved(a, t + 200 * kSec)}, kNoSilence, t + 200 * kSec);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_TRUE(n[0].AllResolved());
  // The group ends once nothing is owed (the resolved instance is still listed a while).
  EXPECT_TRUE(d.Update({Resolved(a, t + 200 * kSec)}, kNoSilence, t + 201 * kSec).empty());
  EXPECT_TRUE(d.Export().empty());
}

TEST(NotifyDispatcherTest, RoutesWithContinueAndSilences) {
  NotifyConfig cfg = Config();
  NotifyDispatcher d(&cfg);
  AlertInstance a = Firing("Slow", "/pay/1", 0);
  EXPECT_TRUE(d.Update({a}, kNoSilence, 0).empty());
  auto n = d.Update({a}, kNoSilence, 10 * kSec);
  ASSERT_EQ(n.size(), 1u);  // continue: true, but no sibling matches: only pager
  EXPECT_EQ(n[0].receiver, "pager");
  // A silenced alert is not notified, and not reported resolved either.
  NotifyDispatcher d2(&cfg);
  auto silenced = [](const LabelSet& l) { return l.at("alertname") == "Slow"; };
  EXPECT_TRUE(d2.Update({a}, silenced, 0).empty());
  EXPECT_TRUE(d2.Update({a}, silenced, 10 * kSec).empty());
  EXPECT_TRUE(d2.Update({a}, silenced, 100 * kSec).empty());
}

TEST(NotifyDispatcherTest, RestoredGroupsDoNotRenotify) {
  NotifyConfig cfg = Config();
  AlertInstance a = Firing("Errors", "/home", 0);
  std::vector<NotifiedGroup> saved;
  {
    NotifyDispatcher d(&cfg);
    EXPECT_TRUE(d.Update({a}, kNoSilence, 0).empty());
    ASSERT_EQ(d.Update({a}, kNoSilence, 10 * kSec).size(), 1u);
    saved = d.Export();
  }
  NotifyDispatcher d(&cfg);
  d.Restore(saved);
  EXPECT_TRUE(d.Update({a}, kNoSilence, 20 * kSec).empty());
  EXPECT_TRUE(d.Update({a}, kNoSilence, 100 * kSec).empty());
  // Its resolution is still owed and sent.
  auto n = d.Update({Resolved(a, 200 * kSec)}, kNoSilence, 200 * kSec);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_TRUE(n[0].AllResolved());
}

TEST(NotifyConfigTest, Errors) {
  auto c = ParseNotifyConfig("n.yml", R"(receivers:
  - name: a
    webhok: {url: 'http://x'}
route:
  receiver: b
)");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("n.yml:3:5: unknown field \"webhok\" in receiver"),
            std::string::npos)
      << c.status().message();
  auto d = ParseNotifyConfig("n.yml", R"(receivers:
  - name: a
    webhook: {url: 'http://x'}
route:
  receiver: b
)");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("unknown receiver \"b\""), std::string::npos)
      << d.status().message();
}

}  // namespace
}  // namespace vigia

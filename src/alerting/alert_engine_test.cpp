#include "alerting/alert_engine.h"

#include <gtest/gtest.h>

#include "alerting/alert_test_util.h"
#include "alerting/rule_file.h"

namespace vigia {
namespace {

using testing::MemoryEvents;
using testing::TestEvent;

using testing::kSec;
// A round start time (2026-12-01T00:00:00Z), so interval slots fall on whole seconds.
using testing::kT0;

std::shared_ptr<const RuleSet> Rules(const char* yaml) {
  auto groups = ParseRuleFile("t.yml", yaml);
  EXPECT_TRUE(groups.ok()) << groups.status().ToString();
  auto set = std::make_shared<RuleSet>();
  if (groups.ok()) set->groups = std::move(*groups);
  return set;
}

void AddRequests(MemoryEvents* ev, int64_t ts, int ok, int failed,
                 const std::string& route = "/pay") {
  for (int i = 0; i < ok + failed; ++i) {
    ev->Add(TestEvent{ts,
                      {{"kind", std::string("request")},
                       {"route", route},
                       {"status", int64_t{i < failed ? 500 : 200}}}});
  }
}

constexpr const char* kErrorRule = R"(groups:
  - name: http
    interval: 10s
    rules:
      - name: HighErrorRate
        query: 'kind:request _time:1m | stats count() as total, count() if (status:>=500) as errors by (route) | math errors / total as value'
        condition: value > 0.01
        for: 20s
        annotations:
          summary: '{{ $labels.route }} {{ $value | humanizePercentage }}'
)";

TEST(AlertEngineTest, EvaluatesOnAlignedSlotsThroughPendingFiringResolved) {
  MemoryEvents events;
  auto backend = events.Backend();
  AlertEngine engine({backend.get(), nullptr});
  engine.SetRules(Rules(kErrorRule), kT0 + 3 * kSec);
  EXPECT_EQ(engine.NextEvalNs("http"), kT0 + 10 * kSec);
  EXPECT_TRUE(engine.Tick(kT0 + 9 * kSec).empty());  // not due yet

  AddRequests(&events, kT0 + 5 * kSec, 90, 10);
  auto t = engine.Tick(kT0 + 10 * kSec + 300'000'000);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kPending);
  EXPECT_EQ(t[0].instance.active_at_ns, kT0 + 10 * kSec);  // the slot, not the tick time
  EXPECT_DOUBLE_EQ(t[0].instance.value, 0.1);
  EXPECT_EQ(t[0].instance.labels.at("route"), "/pay");
  EXPECT_EQ(t[0].instance.annotations.at("summary"), "/pay 10%");
  EXPECT_EQ(engine.NextEvalNs("http"), kT0 + 20 * kSec);

  EXPECT_TRUE(engine.Tick(kT0 + 20 * kSec).empty());
  t = engine.Tick(kT0 + 30 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kFiring);
  EXPECT_EQ(t[0].instance.query.rfind("kind:request", 0), 0u);

  // Events older than the query's minute: the share is gone, the alert resolves.
  t = engine.Tick(kT0 + 70 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kResolved);
  auto health = engine.Health();
  ASSERT_EQ(health.size(), 1u);
  EXPECT_EQ(health[0].evaluations, 4u);
  EXPECT_EQ(health[0].last_eval_ns, kT0 + 70 * kSec);
  EXPECT_TRUE(health[0].last_error.empty());
}

TEST(AlertEngineTest, MissedSlotsAreSkippedNotCaughtUp) {
  MemoryEvents events;
  auto backend = events.Backend();
  AlertEngine engine({backend.get(), nullptr});
  engine.SetRules(Rules(kErrorRule), kT0);
  engine.Tick(kT0 + 10 * kSec);
  engine.Tick(kT0 + 55 * kSec);
  EXPECT_EQ(engine.Health()[0].evaluations, 2u);
  EXPECT_EQ(engine.Health()[0].last_eval_ns, kT0 + 50 * kSec);
  EXPECT_EQ(engine.NextEvalNs("http"), kT0 + 60 * kSec);
}

TEST(AlertEngineTest, AbsenceRuleFiresWhenTheQueryFindsNothing) {
  MemoryEvents events;
  auto backend = events.Backend();
  AlertEngine engine({backend.get(), nullptr});
  engine.SetRules(Rules(R"(groups:
  - name: heartbeat
    interval: 10s
    rules:
      - name: WorkerSilent
        query: 'service:worker _time:30s | stats count() as n'
        condition: n > 0
        absent: true
        for: 20s
        labels: {service: worker}
)"),
                  kT0);
  events.Add(TestEvent{kT0 + 5 * kSec, {{"service", std::string("worker")}}});
  EXPECT_TRUE(engine.Tick(kT0 + 10 * kSec).empty());
  EXPECT_TRUE(engine.Tick(kT0 + 30 * kSec).empty());
  auto t = engine.Tick(kT0 + 40 * kSec);  // the heartbeat at 5 s left the 30 s window
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kPending);
  EXPECT_EQ(t[0].instance.labels.at("service"), "worker");
  t = engine.Tick(kT0 + 60 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kFiring);
  events.Add(TestEvent{kT0 + 65 * kSec, {{"service", std::string("worker")}}});
  t = engine.Tick(kT0 + 70 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kResolved);
}

TEST(AlertEngineTest, ReloadKeepsStateOfKeptRulesAndResolvesRemovedOnes) {
  MemoryEvents events;
  auto backend = events.Backend();
  AlertEngine engine({backend.get(), nullptr});
  engine.SetRules(Rules(R"(groups:
  - name: g
    interval: 10s
    rules:
      - name: A
        query: '* | stats count() as n'
        condition: n > 0
      - name: B
        query: '* | stats count() as n'
        condition: n > 0
)"),
                  kT0);
  events.Add(TestEvent{kT0, {{"x", int64_t{1}}}});
  EXPECT_EQ(engine.Tick(kT0 + 10 * kSec).size(), 2u);
  auto t = engine.SetRules(Rules(R"(groups:
  - name: g
    interval: 10s
    rules:
      - name: A
        query: '* | stats count() as n'
        condition: n > 0
)"),
                           kT0 + 12 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.rule, "B");
  EXPECT_EQ(t[0].instance.state, AlertState::kResolved);
  EXPECT_TRUE(engine.Tick(kT0 + 20 * kSec).empty());  // A still firing, no new transition
  ASSERT_EQ(engine.Instances().size(), 1u);
  EXPECT_EQ(engine.Instances()[0].state, AlertState::kFiring);
}

TEST(AlertEngineTest, FailingRuleIsReportedAndChangesNoState) {
  auto failing = std::make_unique<RowEvaluatorBackend>(
      [](const std::function<Status(const EventBatch&)>&) { return Status::Unavailable("down"); });
  AlertEngine broken({failing.get(), nullptr});
  broken.SetRules(Rules(kErrorRule), kT0);
  EXPECT_TRUE(broken.Tick(kT0 + 10 * kSec).empty());
  auto h = broken.Health();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].failures, 1u);
  EXPECT_NE(h[0].last_error.find("down"), std::string::npos);
}

}  // namespace
}  // namespace vigia

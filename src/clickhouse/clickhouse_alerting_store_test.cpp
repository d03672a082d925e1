// The shared alert state and silences of a cluster (ClickHouseAlertStateStore,
// ClickHouseSilenceStore) on an in-memory versioned-row table that two or three "nodes" share,
// each with its own clock: what one holder saved another loads whole (a pending timer
// continues there, a firing alert and what was notified stay known); a save writes only what
// changed and a tombstone for what is gone; a new holder whose clock is behind still wins; a
// failed write is written again by the next save; a damaged row is skipped. Silences created
// through one node are seen, and expired through another, by every node's SilenceSet.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>

#include "alerting/alert_state.h"
#include "alerting/silences.h"
#include "clickhouse/clickhouse_alert_state_store.h"
#include "clickhouse/clickhouse_silence_store.h"
#include "common/fake_clock_env.h"

namespace vigia::clickhouse {
namespace {

using testing::FakeClockEnv;

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1'800'000'000 * kSec;

// ReplacingMergeTree read as argMax(version): the highest version of each key wins.
class MemoryRowTable {
 public:
  Status Write(const std::vector<VersionedRow>& rows) {
    std::lock_guard lock(mu_);
    if (fail_writes_) return Status::Unavailable("injected write failure");
    ++writes_;
    for (const VersionedRow& r : rows) {
      written_rows_.push_back(r);
      auto it = latest_.find(r.key);
      if (it == latest_.end() || r.version >= it->second.version) latest_[r.key] = r;
    }
    return Status::Ok();
  }
  Result<std::vector<VersionedRow>> Read() {
    std::lock_guard lock(mu_);
    std::vector<VersionedRow> out;
    for (const auto& [k, r] : latest_) out.push_back(r);
    return out;
  }
  std::mutex mu_;
  std::map<std::string, VersionedRow> latest_;
  std::vector<VersionedRow> written_rows_;
  int writes_ = 0;
  bool fail_writes_ = false;
};

// One node's handle on the shared table.
class NodeTable final : public VersionedRowTable {
 public:
  explicit NodeTable(MemoryRowTable* t) : t_(t) {}
  Status Write(const std::vector<VersionedRow>& rows) override { return t_->Write(rows); }
  Result<std::vector<VersionedRow>> Read() override { return t_->Read(); }

 private:
  MemoryRowTable* t_;
};

AlertRule Rule(int64_t for_ns) {
  AlertRule r;
  r.name = "HighErrors";
  r.for_ns = for_ns;
  r.labels["severity"] = "page";
  return r;
}

std::vector<AlertSample> Route(const std::string& route) {
  return {AlertSample{{{"route", route}}, 5}};
}

AlertStateSnapshot Snapshot(const RuleStateMachine& m, std::vector<NotifiedGroup> groups = {}) {
  AlertStateSnapshot s;
  for (const auto& [fp, inst] : m.instances()) s.instances.push_back(inst);
  s.groups = std::move(groups);
  return s;
}

TEST(ClickHouseAlertStateStoreTest, ANewHolderContinuesTheTimersAndKnowsWhatWasSent) {
  MemoryRowTable shared;
  FakeClockEnv clock_a(Env::Default(), kT0), clock_b(Env::Default(), kT0);
  ClickHouseAlertStateStore a(std::make_unique<NodeTable>(&shared), &clock_a);
  ASSERT_TRUE(a.Load().ok());  // a takes the lease: nothing yet

  // On a (for: 60 s): /pay pending, then firing; /login pending, gone, pending again.
  RuleStateMachine ma;
  const AlertRule rule = Rule(60 * kSec);
  ma.Update("g", rule, {Route("/pay")[0], Route("/login")[0]}, kT0 - 60 * kSec);
  ma.Update("g", rule, Route("/pay"), kT0);  // /pay firing, /login pending ended → gone
  ma.Update("g", rule, {Route("/pay")[0], Route("/login")[0]}, kT0 + 10 * kSec);  // /login pending
  ASSERT_EQ(ma.instances().size(), 2u);
  NotifiedGroup sent{"web:{}", "web", kT0, kT0, {}};
  for (const auto& [fp, inst] : ma.instances()) {
    if (inst.state == AlertState::kFiring) sent.sent[fp] = "firing";
  }
  ASSERT_EQ(sent.sent.size(), 1u);
  ASSERT_TRUE(a.Save(Snapshot(ma, {sent})).ok());
  EXPECT_EQ(shared.writes_, 1);
  EXPECT_EQ(shared.written_rows_.size(), 3u);  // two instances and one group, one INSERT
  // Nothing changed: nothing written.
  ASSERT_TRUE(a.Save(Snapshot(ma, {sent})).ok());
  EXPECT_EQ(shared.writes_, 1);

  // a dies; b takes over with a clock one hour behind a's.
  clock_b.SetNow(kT0 - 3600 * kSec);
  ClickHouseAlertStateStore b(std::make_unique<NodeTable>(&shared), &clock_b);
  Result<AlertStateSnapshot> loaded = b.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->instances.size(), 2u);
  ASSERT_EQ(loaded->groups.size(), 1u);
  EXPECT_EQ(loaded->groups[0].sent, sent.sent);
  EXPECT_EQ(loaded->groups[0].last_notify_ns, kT0);
  RuleStateMachine mb;
  for (AlertInstance& inst : loaded->instances) mb.Restore(std::move(inst));
  // The pending /login continues its timer: firing 60 s after a saw it start, not 60 s after b
  // took over; /pay, firing, causes no transition.
  auto t = mb.Update("g", rule, {Route("/pay")[0], Route("/login")[0]}, kT0 + 70 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].from, AlertState::kPending);
  EXPECT_EQ(t[0].instance.state, AlertState::kFiring);
  EXPECT_EQ(t[0].instance.labels.at("route"), "/login");
  EXPECT_EQ(t[0].instance.active_at_ns, kT0 + 10 * kSec);

  // b's saves win over a's rows though its clock is behind: /pay resolved, the group gone.
  t = mb.Update("g", rule, Route("/login"), kT0 + 80 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].instance.state, AlertState::kResolved);
  ASSERT_TRUE(b.Save(Snapshot(mb)).ok());
  ClickHouseAlertStateStore c(std::make_unique<NodeTable>(&shared), &clock_a);
  loaded = c.Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->groups.empty()) << "the tombstone of the group lost to a's row";
  ASSERT_EQ(loaded->instances.size(), 2u);
  for (const AlertInstance& inst : loaded->instances) {
    EXPECT_EQ(inst.state,
              inst.labels.at("route") == "/pay" ? AlertState::kResolved : AlertState::kFiring);
  }
}

TEST(ClickHouseAlertStateStoreTest, AFailedWriteIsWrittenByTheNextSave) {
  MemoryRowTable shared;
  FakeClockEnv clock(Env::Default(), kT0);
  ClickHouseAlertStateStore a(std::make_unique<NodeTable>(&shared), &clock);
  RuleStateMachine m;
  m.Update("g", Rule(0), Route("/pay"), kT0);
  shared.fail_writes_ = true;
  EXPECT_FALSE(a.Save(Snapshot(m)).ok());
  shared.fail_writes_ = false;
  ASSERT_TRUE(a.Save(Snapshot(m)).ok());
  ClickHouseAlertStateStore b(std::make_unique<NodeTable>(&shared), &clock);
  Result<AlertStateSnapshot> loaded = b.Load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->instances.size(), 1u);
  EXPECT_EQ(loaded->instances[0].state, AlertState::kFiring);
}

TEST(ClickHouseAlertStateStoreTest, ADamagedRowIsSkipped) {
  MemoryRowTable shared;
  FakeClockEnv clock(Env::Default(), kT0);
  ASSERT_TRUE(shared
                  .Write({VersionedRow{"i\x1fg\x1fr\x1f"
                                       "x",
                                       5, false, "{not json"}})
                  .ok());
  ClickHouseAlertStateStore a(std::make_unique<NodeTable>(&shared), &clock);
  RuleStateMachine m;
  m.Update("g", Rule(0), Route("/pay"), kT0);
  ASSERT_TRUE(a.Load().ok());
  EXPECT_EQ(a.skipped_rows(), 1u);
  ASSERT_TRUE(a.Save(Snapshot(m)).ok());
  Result<AlertStateSnapshot> loaded = a.Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->instances.size(), 1u);
}

Silence MakeSilence(const std::string& matcher, int64_t now_ns) {
  return *ParseSilenceRequest(
      R"({"matchers":[")" + matcher + R"("],"duration":"1h","comment":"deploy"})", now_ns);
}

TEST(ClickHouseSilenceStoreTest, ASilenceCreatedOnOneNodeIsSeenAndExpiredByTheOthers) {
  MemoryRowTable shared;
  FakeClockEnv clock_a(Env::Default(), kT0), clock_b(Env::Default(), kT0 - 60 * kSec);
  SilenceSet a(
      std::make_unique<ClickHouseSilenceStore>(std::make_unique<NodeTable>(&shared), &clock_a));
  SilenceSet b(
      std::make_unique<ClickHouseSilenceStore>(std::make_unique<NodeTable>(&shared), &clock_b));
  EXPECT_TRUE(a.shared());
  ASSERT_TRUE(a.Load().ok());
  ASSERT_TRUE(b.Load().ok());
  Result<std::string> id = a.Add(MakeSilence("alertname=A", kT0), kT0);
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(b.Matching({{"alertname", "A"}}, kT0 + kSec).empty());  // not read yet
  ASSERT_TRUE(b.Refresh().ok());
  EXPECT_EQ(b.Matching({{"alertname", "A"}}, kT0 + kSec), std::vector<std::string>{*id});
  ASSERT_EQ(b.List().size(), 1u);
  EXPECT_EQ(b.List()[0].comment, "deploy");

  // b expires it with a clock a minute behind a's: the expiry still wins over the create.
  ASSERT_TRUE(b.Expire(*id, kT0 + 2 * kSec).ok());
  ASSERT_TRUE(a.Refresh().ok());
  EXPECT_TRUE(a.Matching({{"alertname", "A"}}, kT0 + 3 * kSec).empty());
  ASSERT_EQ(a.List().size(), 1u);
  EXPECT_EQ(a.List()[0].StatusAt(kT0 + 3 * kSec), "expired");

  // A day after it ended it is forgotten by every node that reads the table.
  clock_a.SetNow(kT0 + 2 * kSec + 86'401 * kSec);
  ASSERT_TRUE(a.Refresh().ok());
  EXPECT_TRUE(a.List().empty());
}

TEST(ClickHouseSilenceStoreTest, ASilenceThatCouldNotBeWrittenIsNotCreated) {
  MemoryRowTable shared;
  FakeClockEnv clock(Env::Default(), kT0);
  SilenceSet a(
      std::make_unique<ClickHouseSilenceStore>(std::make_unique<NodeTable>(&shared), &clock));
  shared.fail_writes_ = true;
  EXPECT_FALSE(a.Add(MakeSilence("alertname=A", kT0), kT0).ok());
  EXPECT_TRUE(a.List().empty());
  EXPECT_TRUE(a.Matching({{"alertname", "A"}}, kT0).empty());
}

}  // namespace
}  // namespace vigia::clickhouse

// LeaseKeeper: the lease state machine on an in-memory heartbeat table and fake clocks —
// warm-up, one holder among live nodes, takeover after the holder's death within TTL + one
// renew interval and never before its heartbeat ran out, a holder that cannot renew stopping
// on its own clock, a restarted former holder not taking the lease back, two claimers after a
// partition healing to the lower id within one round, and a graceful release.
#include "clickhouse/lease_keeper.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>

#include "common/fake_clock_env.h"

namespace vigia::clickhouse {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kTtl = 10 * kSec;
constexpr int64_t kRenew = 2 * kSec;
constexpr int64_t kT0 = 1'800'000'000 * kSec;

class MemoryLeaseTable final : public LeaseTable {
 public:
  Status Write(std::string_view lease, const LeaseRow& row) override {
    std::lock_guard lock(mu_);
    if (fail_writes_from_ == row.node) return Status::Unavailable("injected write failure");
    LeaseRow& latest = rows_[std::string(lease)][row.node];
    if (row.heartbeat_ns >= latest.heartbeat_ns) latest = row;
    return Status::Ok();
  }
  Result<std::vector<LeaseRow>> Read(std::string_view lease) override {
    std::lock_guard lock(mu_);
    std::vector<LeaseRow> out;
    for (const auto& [node, row] : rows_[std::string(lease)]) out.push_back(row);
    return out;
  }
  void FailWritesFrom(std::string node) {
    std::lock_guard lock(mu_);
    fail_writes_from_ = std::move(node);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::map<std::string, LeaseRow>> rows_;
  std::string fail_writes_from_;
};

// A table whose backend can be switched (a partition, then the partition heals).
class SwitchTable final : public LeaseTable {
 public:
  explicit SwitchTable(LeaseTable* t) : t_(t) {}
  void Set(LeaseTable* t) { t_ = t; }
  Status Write(std::string_view l, const LeaseRow& r) override { return t_->Write(l, r); }
  Result<std::vector<LeaseRow>> Read(std::string_view l) override { return t_->Read(l); }

 private:
  LeaseTable* t_;
};

std::unique_ptr<LeaseKeeper> Node(const std::string& id, Env* env, LeaseTable* table) {
  LeaseOptions o;
  o.node_id = id;
  o.ttl_ns = kTtl;
  o.renew_ns = kRenew;
  o.env = env;
  o.table = table;
  return std::make_unique<LeaseKeeper>(o);
}

// `rounds` renew rounds in which every node ticks once, in order; false at the first failed
// Tick (the caller ASSERTs on it).
bool TickRounds(int rounds, testing::FakeClockEnv* clock,
                std::initializer_list<LeaseKeeper*> nodes) {
  for (int round = 0; round < rounds; ++round) {
    for (LeaseKeeper* n : nodes) {
      if (!n->Tick().ok()) return false;
    }
    clock->Advance(kRenew);
  }
  return true;
}

TEST(LeaseKeeper, ANodeAloneTakesTheLeaseAfterOneTtlOfHeartbeats) {
  testing::FakeClockEnv clock(Env::Default(), kT0);
  MemoryLeaseTable table;
  auto a = Node("a", &clock, &table);
  for (int64_t t = 0; t < kTtl; t += kRenew) {
    ASSERT_TRUE(a->Tick().ok());
    EXPECT_FALSE(a->Held()) << "held during the warm-up at +" << t / kSec << " s";
    clock.Advance(kRenew);
  }
  ASSERT_TRUE(a->Tick().ok());  // +10 s: warmed up
  EXPECT_TRUE(a->Held());
  EXPECT_EQ(a->status().holder, "a");
  EXPECT_EQ(a->status().acquired, 1u);
}

TEST(LeaseKeeper, OfTwoLiveNodesOnlyTheLowestIdHoldsAndKeepsIt) {
  testing::FakeClockEnv clock(Env::Default(), kT0);
  MemoryLeaseTable table;
  auto b = Node("b", &clock, &table);  // starts first: must not take it from "a" either
  auto a = Node("a", &clock, &table);
  int a_held_rounds = 0;
  for (int round = 0; round < 30; ++round) {
    ASSERT_TRUE(b->Tick().ok());
    ASSERT_TRUE(a->Tick().ok());
    EXPECT_FALSE(a->Held() && b->Held()) << "both hold at round " << round;
    EXPECT_FALSE(b->Held()) << "round " << round;
    if (a->Held()) ++a_held_rounds;
    clock.Advance(kRenew);
  }
  EXPECT_GE(a_held_rounds, 24);  // from the end of the warm-up (round 5) on
  EXPECT_EQ(b->status().holder, "a");
  EXPECT_EQ(b->status().live, (std::vector<std::string>{"a", "b"}));
}

TEST(LeaseKeeper, WhenTheHolderDiesTheOtherTakesOverAfterTtlAndWithinTtlPlusOneRenew) {
  testing::FakeClockEnv clock(Env::Default(), kT0);
  MemoryLeaseTable table;
  auto a = Node("a", &clock, &table);
  auto b = Node("b", &clock, &table);
  for (int round = 0; round < 8; ++round) {
    ASSERT_TRUE(a->Tick().ok());
    clock.Advance(kSec);  // b ticks half-way between a's rounds
    ASSERT_TRUE(b->Tick().ok());
    clock.Advance(kSec);
  }
  ASSERT_TRUE(a->Held());
  ASSERT_TRUE(a->Tick().ok());  // a's last heartbeat (it is killed right after)
  const int64_t death = clock.NowNanos();
  int64_t taken_at = -1;
  for (int64_t t = 0; t <= 2 * kTtl; t += kSec / 2) {
    if ((t / (kSec / 2)) % 4 == 1) {  // b ticks every 2 s, from +0.5 s
      ASSERT_TRUE(b->Tick().ok());
    }
    EXPECT_FALSE(a->Held() && b->Held()) << "overlap at +" << t << " ns";
    if (b->Held() && taken_at < 0) taken_at = clock.NowNanos() - death;
    clock.Advance(kSec / 2);
  }
  ASSERT_GE(taken_at, 0) << "b never took over";
  EXPECT_GE(taken_at, kTtl);
  EXPECT_LE(taken_at, kTtl + kRenew);
  EXPECT_EQ(b->status().acquired, 1u);
}

TEST(LeaseKeeper, AHolderThatCannotRenewStopsWhenItsHeartbeatRunsOut) {
  testing::FakeClockEnv clock(Env::Default(), kT0);
  MemoryLeaseTable table;
  auto a = Node("a", &clock, &table);
  auto b = Node("b", &clock, &table);
  ASSERT_TRUE(TickRounds(8, &clock, {a.get(), b.get()}));
  ASSERT_TRUE(a->Held());
  const int64_t last_heartbeat = clock.NowNanos() - kRenew;
  table.FailWritesFrom("a");  // a is cut off from ClickHouse's writes
  for (int round = 0; round < 10; ++round) {
    const int64_t now = clock.NowNanos();
    EXPECT_FALSE(a->Tick().ok());
    EXPECT_EQ(a->Held(), now < last_heartbeat + kTtl) << "+" << (now - last_heartbeat) / kSec;
    ASSERT_TRUE(b->Tick().ok());
    EXPECT_FALSE(a->Held() && b->Held()) << "overlap at round " << round;
    clock.Advance(kRenew);
  }
  EXPECT_TRUE(b->Held());
  EXPECT_GE(a->status().renew_failures, 10u);
  EXPECT_NE(a->status().last_error.find("injected"), std::string::npos);
  EXPECT_EQ(a->status().lost, 1u);
}

TEST(LeaseKeeper, ARestartedFormerHolderWithALowerIdDoesNotTakeItBack) {
  testing::FakeClockEnv clock(Env::Default(), kT0);
  MemoryLeaseTable table;
  auto a = Node("a", &clock, &table);
  auto b = Node("b", &clock, &table);
  ASSERT_TRUE(TickRounds(8, &clock, {a.get(), b.get()}));
  ASSERT_TRUE(a->Held());
  a.reset();  // killed
  for (int round = 0; round < 7; ++round) {
    ASSERT_TRUE(b->Tick().ok());
    clock.Advance(kRenew);
  }
  ASSERT_TRUE(b->Held());
  a = Node("a", &clock, &table);  // back, same id
  for (int round = 0; round < 15; ++round) {
    ASSERT_TRUE(a->Tick().ok());
    ASSERT_TRUE(b->Tick().ok());
    EXPECT_FALSE(a->Held()) << "round " << round;
    EXPECT_TRUE(b->Held()) << "round " << round;
    clock.Advance(kRenew);
  }
  EXPECT_EQ(a->status().holder, "b");
}

TEST(LeaseKeeper, TwoHoldersAfterAPartitionHealToTheLowerIdWithinOneRound) {
  testing::FakeClockEnv clock(Env::Default(), kT0);
  MemoryLeaseTable left, right, healed;
  SwitchTable ta(&left), tb(&right);
  auto a = Node("a", &clock, &ta);
  auto b = Node("b", &clock, &tb);
  ASSERT_TRUE(TickRounds(8, &clock, {a.get(), b.get()}));
  ASSERT_TRUE(a->Held() && b->Held());  // each alone on its side
  ta.Set(&healed);
  tb.Set(&healed);
  ASSERT_TRUE(b->Tick().ok());  // sees no claimer yet: keeps it for this round
  ASSERT_TRUE(a->Tick().ok());  // sees b claiming, but a is lower: keeps it
  clock.Advance(kRenew);
  ASSERT_TRUE(b->Tick().ok());  // sees a, lower, claiming: yields
  EXPECT_TRUE(a->Held());
  EXPECT_FALSE(b->Held());
  EXPECT_EQ(b->status().holder, "a");
  EXPECT_EQ(b->status().lost, 1u);
}

TEST(LeaseKeeper, AReleasedLeaseGoesToTheNextNodeAtItsNextRenew) {
  testing::FakeClockEnv clock(Env::Default(), kT0);
  MemoryLeaseTable table;
  auto a = Node("a", &clock, &table);
  auto b = Node("b", &clock, &table);
  ASSERT_TRUE(TickRounds(8, &clock, {a.get(), b.get()}));
  ASSERT_TRUE(a->Held());
  ASSERT_TRUE(a->Release().ok());
  EXPECT_FALSE(a->Held());
  ASSERT_TRUE(b->Tick().ok());
  EXPECT_TRUE(b->Held()) << "waited out the TTL of a released lease";
}

}  // namespace
}  // namespace vigia::clickhouse

// Store::Erase (the right to erasure): the value leaves parts, the WAL and the memtable — no
// file of the data directory holds it afterwards — while every other event stays, in its
// tenant; a reopen does not bring it back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/fake_clock_env.h"
#include "common/time_units.h"
#include "store/store_impl.h"
#include "store/store_snapshot.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kTs = 1'796'040'000'000'000'000;  // 2026-11-30T12:00:00Z

std::shared_ptr<EventBatch> Batch(int64_t ts, const std::string& tenant, int n, int first_id) {
  auto b = std::make_shared<EventBatch>();
  for (int i = 0; i < n; ++i) {
    const int id = first_id + i;
    b->BeginEvent(ts + i);
    b->AddField("kind", Value::String(i % 2 ? "request" : "log"));
    b->AddField("service", Value::String("sales-api"));
    if (!tenant.empty()) b->AddField("tenant", Value::String(b->arena().Copy(tenant)));
    // Every fifth event is the person's; the others are other users'.
    std::string user = id % 5 == 0 ? "user-erase-me-4711" : "user-" + std::to_string(id);
    b->AddField("user_id", Value::String(b->arena().Copy(user)));
    b->AddField("msg", Value::String(b->arena().Copy("event " + std::to_string(id))));
  }
  return b;
}

bool DirContains(const fs::path& dir, const std::string& needle) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) return true;
  }
  return false;
}

// Events of the snapshot per tenant, and how many hold the erased user.
std::map<std::string, std::pair<int, int>> Census(const StoreImpl& s) {
  std::map<std::string, std::pair<int, int>> out;
  StoreSnapshot snap = s.GetSnapshot();
  std::vector<std::shared_ptr<const EventBatch>> batches = snap.memtable;
  for (const auto& p : snap.parts->parts) {
    auto b = p->reader->ReadAllEvents();
    EXPECT_TRUE(b.ok());
    batches.push_back(std::make_shared<EventBatch>(std::move(*b)));
  }
  for (const auto& b : batches) {
    for (const auto& e : b->events()) {
      const Value* t = b->Find(e, "tenant");
      const Value* u = b->Find(e, "user_id");
      auto& c = out[t ? std::string(t->s) : ""];
      ++c.first;
      if (u && u->s == "user-erase-me-4711") ++c.second;
    }
  }
  return out;
}

class StoreEraseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigia_store_erase_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  StoreOptions Options() {
    StoreOptions o;
    o.data_dir = dir_.string();
    o.fsync = FsyncPolicy::kNever;
    o.memtable_flush_age_ms = 1 << 30;  // flushes only when the test asks
    o.background_merges = false;
    o.wal_segment_bytes = 4096;  // several segments
    return o;
  }
  fs::path dir_;
};

TEST_F(StoreEraseTest, ValueLeavesPartsWalAndMemtableOfItsTenantOnly) {
  {
    auto s = StoreImpl::OpenImpl(Options());
    ASSERT_TRUE(s.ok());
    // In parts (two days, two tenants), then more in the WAL + memtable only.
    ASSERT_TRUE((*s)->Append(Batch(kTs, "acme", 100, 0)).ok());
    ASSERT_TRUE((*s)->Append(Batch(kTs - kNanosPerDay, "acme", 100, 100)).ok());
    ASSERT_TRUE((*s)->Append(Batch(kTs, "other", 50, 200)).ok());
    ASSERT_TRUE((*s)->Flush().ok());
    ASSERT_TRUE((*s)->Append(Batch(kTs + 1000, "acme", 50, 300)).ok());
    auto before = Census(**s);
    EXPECT_EQ(before["acme"], std::make_pair(250, 50));
    EXPECT_EQ(before["other"], std::make_pair(50, 10));
    ASSERT_TRUE(DirContains(dir_ / "wal", "user-erase-me-4711"));

    auto r = (*s)->Erase({"acme", "user_id", "user-erase-me-4711"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->events, 50u);
    EXPECT_GE(r->parts_rewritten, 2u);
    auto after = Census(**s);
    EXPECT_EQ(after["acme"], std::make_pair(200, 0));
    EXPECT_EQ(after["other"], std::make_pair(50, 10));  // another tenant's: untouched

    // Only `other`'s parts still hold the string.
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      if (!e.is_regular_file()) continue;
      if (e.path().string().find(".other") != std::string::npos) continue;
      std::ifstream f(e.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      EXPECT_EQ(bytes.find("user-erase-me-4711"), std::string::npos) << e.path();
    }
    // Ingest goes on after an erase; a second erase of the other tenant empties the disk of it.
    ASSERT_TRUE((*s)->Append(Batch(kTs + 5000, "acme", 10, 400)).ok());
    ASSERT_TRUE((*s)->Erase({"other", "user_id", "user-erase-me-4711"}).ok());
    ASSERT_TRUE((*s)->Erase({"acme", "user_id", "user-erase-me-4711"}).ok());
    EXPECT_FALSE(DirContains(dir_, "user-erase-me-4711"));
    ASSERT_TRUE((*s)->Close().ok());
  }
  auto s = StoreImpl::OpenImpl(Options());
  ASSERT_TRUE(s.ok());
  auto reopened = Census(**s);
  EXPECT_EQ(reopened["acme"], std::make_pair(208, 0));
  EXPECT_EQ(reopened["other"], std::make_pair(40, 0));
  EXPECT_FALSE(DirContains(dir_, "user-erase-me-4711"));
}

TEST_F(StoreEraseTest, MatchesIntegersByTextAndRefusesWithoutFlushing) {
  auto s = StoreImpl::OpenImpl(Options());
  ASSERT_TRUE(s.ok());
  auto b = std::make_shared<EventBatch>();
  for (int i = 0; i < 10; ++i) {
    b->BeginEvent(kTs + i);
    b->AddField("customer", Value::Int(i % 2 ? 90417 : 1));
  }
  ASSERT_TRUE((*s)->Append(b).ok());
  auto r = (*s)->Erase({"", "customer", "90417"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events, 5u);
  EXPECT_EQ(Census(**s)[""].first, 5);
  ASSERT_TRUE((*s)->Close().ok());

  StoreOptions o = Options();
  o.memtable_flush_bytes = 0;
  auto nf = StoreImpl::OpenImpl(o);
  ASSERT_TRUE(nf.ok());
  EXPECT_EQ((*nf)->Erase({"", "customer", "1"}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigia

namespace vigia {
namespace {

// Retention per tenant, kind and level (retention.rules), by the fake wall clock.
class RetentionRulesTest : public StoreEraseTest {
 protected:
  testing::FakeClockEnv clock_{Env::Default(), kTs, testing::FakeClockEnv::kRealMonotonic};
};

// One event of each kind/level mix per day offset and tenant.
std::shared_ptr<EventBatch> Mix(int64_t ts, const std::string& tenant) {
  auto b = std::make_shared<EventBatch>();
  const char* kMix[][2] = {{"request", "info"},
                           {"audit", "info"},
                           {"log", "debug"},
                           {"log", "info"},
                           {"error", "error"}};
  for (int i = 0; i < 5; ++i) {
    b->BeginEvent(ts + i);
    b->AddField("kind", Value::String(kMix[i][0]));
    b->AddField("level", Value::String(kMix[i][1]));
    if (!tenant.empty()) b->AddField("tenant", Value::String(b->arena().Copy(tenant)));
  }
  return b;
}

// kind/level counts per tenant, as "tenant:kind/level" -> n.
std::map<std::string, int> Kinds(const StoreImpl& s) {
  std::map<std::string, int> out;
  StoreSnapshot snap = s.GetSnapshot();
  std::vector<std::shared_ptr<const EventBatch>> batches = snap.memtable;
  for (const auto& p : snap.parts->parts) {
    auto b = p->reader->ReadAllEvents();
    EXPECT_TRUE(b.ok());
    batches.push_back(std::make_shared<EventBatch>(std::move(*b)));
  }
  for (const auto& b : batches) {
    for (const auto& e : b->events()) {
      const Value* t = b->Find(e, "tenant");
      out[std::string(t ? t->s : "") + ":" + std::string(b->Find(e, "kind")->s) + "/" +
          std::string(b->Find(e, "level")->s)]++;
    }
  }
  return out;
}

TEST(RetentionRulesParseTest, RulesParseAndResolve) {
  auto rules = ParseRetentionRules(
      "kind=audit:forever, level=debug:3, tenant=acme kind=request:90, kind=request:30, "
      "tenant=lab:1");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 5u);
  RetentionPolicy p;
  p.days = 7;
  p.rules = *rules;
  EXPECT_EQ(p.DaysFor("", "audit", "info"), 0);
  EXPECT_EQ(p.DaysFor("", "log", "debug"), 3);
  EXPECT_EQ(p.DaysFor("acme", "request", "info"), 90);
  EXPECT_EQ(p.DaysFor("", "request", "info"), 30);
  EXPECT_EQ(p.DaysFor("", "log", "info"), 7);
  EXPECT_EQ(p.DaysFor("lab", "log", "info"), 1);
  EXPECT_EQ(p.DaysFor("lab", "audit", "info"), 0);  // the first match wins
  EXPECT_EQ(p.MaxDaysFor("lab"), 0);                // audit of lab is kept forever
  EXPECT_EQ(p.MaxDays(), 0);
  p.rules.erase(p.rules.begin());  // without the audit rule
  EXPECT_EQ(p.MaxDaysFor("acme"), 90);
  EXPECT_EQ(p.MaxDaysFor(""), 30);
  EXPECT_EQ(p.MaxDaysFor("lab"), 30);  // debug 3 and request 30 come before lab's rule
  p.rules = {RetentionRule{std::string("lab"), "", "", 1}};
  EXPECT_EQ(p.MaxDaysFor("lab"), 1);  // a whole-tenant rule shadows the default
  for (const char* bad :
       {"kind=debug", "debug:3", "kind=debug:x", "color=red:3", ":3", "kind=debug:-1"}) {
    EXPECT_FALSE(ParseRetentionRules(bad).ok()) << bad;
  }
}

TEST_F(RetentionRulesTest, KindsAndLevelsExpireOnTheirOwnAsTheClockMoves) {
  StoreOptions o = Options();
  o.env = &clock_;
  o.retention.days = 7;
  auto rules = ParseRetentionRules(
      "kind=audit:forever, level=debug:3, kind=request:30, "
      "tenant=acme:2");
  ASSERT_TRUE(rules.ok());
  o.retention.rules = *rules;
  auto s = StoreImpl::OpenImpl(o);
  ASSERT_TRUE(s.ok());
  // Today, and 2 days ago, for the default tenant and acme.
  for (int d : {0, -2}) {
    ASSERT_TRUE((*s)->Append(Mix(kTs + d * kNanosPerDay, "")).ok());
    ASSERT_TRUE((*s)->Append(Mix(kTs + d * kNanosPerDay, "acme")).ok());
  }
  ASSERT_TRUE((*s)->Flush().ok());
  ASSERT_TRUE((*s)->RunRetention().ok());
  auto k = Kinds(**s);
  EXPECT_EQ(k[":log/debug"], 2);
  EXPECT_EQ(k["acme:log/info"], 1);    // acme keeps 2 days: day -2 went
  EXPECT_EQ(k["acme:audit/info"], 2);  // audit is kept forever, in every tenant

  clock_.Advance(2 * kNanosPerDay);  // day -2 is now 4 days old: its debug event expires
  ASSERT_TRUE((*s)->RunRetention().ok());
  k = Kinds(**s);
  EXPECT_EQ(k[":log/debug"], 1);
  EXPECT_EQ(k[":log/info"], 2);
  EXPECT_EQ(k[":request/info"], 2);
  EXPECT_EQ(k["acme:audit/info"], 2);
  EXPECT_EQ(k["acme:request/info"], 2);  // kind=request:30 comes before acme's rule
  EXPECT_EQ(k["acme:log/info"], 0);      // acme's 2 days: today's went too
  const uint64_t removed = (*s)->Stats().expired_rows_removed;
  EXPECT_GT(removed, 0u);
  ASSERT_TRUE((*s)->RunRetention().ok());  // the same day again: nothing more to do
  EXPECT_EQ((*s)->Stats().expired_rows_removed, removed);

  clock_.Advance(10 * kNanosPerDay);  // day -2 is 12 days old, today's events 10
  ASSERT_TRUE((*s)->RunRetention().ok());
  k = Kinds(**s);
  EXPECT_EQ(k[":log/info"], 0);  // 7 days
  EXPECT_EQ(k[":error/error"], 0);
  EXPECT_EQ(k[":log/debug"], 0);
  EXPECT_EQ(k[":request/info"], 2);  // 30 days
  EXPECT_EQ(k[":audit/info"], 2);    // forever
  EXPECT_EQ(k["acme:audit/info"], 2);
  EXPECT_EQ((*s)->Stats().partitions_dropped, 0u);  // audit forever keeps every partition

  // Events of expired kinds still in the memtable are dropped at the flush.
  ASSERT_TRUE((*s)->Append(Mix(clock_.NowNanos() - 5 * kNanosPerDay, "")).ok());
  ASSERT_TRUE((*s)->Flush().ok());
  k = Kinds(**s);
  EXPECT_EQ(k[":log/debug"], 0);
  EXPECT_EQ(k[":log/info"], 1);
  ASSERT_TRUE((*s)->Close().ok());
}

TEST_F(RetentionRulesTest, TenantRulesDropWholePartitions) {
  StoreOptions o = Options();
  o.env = &clock_;
  o.retention.days = 30;
  auto rules = ParseRetentionRules("tenant=short:2, tenant=long:90");
  ASSERT_TRUE(rules.ok());
  o.retention.rules = *rules;
  {
    StoreOptions w = Options();  // written without retention
    auto s = StoreImpl::OpenImpl(w);
    ASSERT_TRUE(s.ok());
    for (const char* t : {"short", "long", ""}) {
      for (int d : {0, -5, -60}) ASSERT_TRUE((*s)->Append(Mix(kTs + d * kNanosPerDay, t)).ok());
    }
    ASSERT_TRUE((*s)->Close().ok());
  }
  auto s = StoreImpl::OpenImpl(o);  // retention runs at Open
  ASSERT_TRUE(s.ok());
  auto k = Kinds(**s);
  EXPECT_EQ(k["short:log/info"], 1);  // today only
  EXPECT_EQ(k["long:log/info"], 3);
  EXPECT_EQ(k[":log/info"], 2);
  EXPECT_EQ((*s)->Stats().partitions_dropped, 3u);    // short -5, short -60, default -60
  EXPECT_EQ((*s)->Stats().expired_rows_removed, 0u);  // whole partitions, no rewrite
}

}  // namespace
}  // namespace vigia

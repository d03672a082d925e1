// PartitionSet, merges and retention: round trips through flush and merge, crash at every
// step (FaultEnv), exact retention, snapshot consistency under concurrent change.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <random>
#include <span>
#include <thread>

#include "common/env_wrapper.h"
#include "common/fault_env.h"
#include "common/limits.h"
#include "common/query_priority.h"
#include "store/format/file_names.h"
#include "store/format/merge.h"
#include "store/format/part_testing.h"
#include "store/format/store_check.h"
#include "store/partition_set.h"
#include "store/retention.h"

namespace vigia {
namespace {

constexpr int64_t kDay = kNanosPerDay;
constexpr int64_t kBase = 20400 * kDay;  // 2025-11-08 00:00 UTC

class PartitionSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigia_pset_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A set whose flushes wait for merges at 3 parts, at most `wait_ms`; its merges and
  // flushes give way to the queries of `priority`.
  std::unique_ptr<PartitionSet> OpenDelayingFlushes(QueryPriority* priority, int wait_ms) {
    PartitionSetOptions o = Options();
    o.priority = priority;
    o.parts_to_delay_flush = 3;
    o.flush_merge_wait_max_ms = wait_ms;
    auto set = PartitionSet::Open(o);
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    return set.ok() ? std::move(*set) : nullptr;
  }

  // A set over `env` whose small merge lane takes merges of at most 1,000 rows.
  std::unique_ptr<PartitionSet> OpenWithSmallLane(Env* env) {
    PartitionSetOptions o = Options(env);
    o.small_merge_max_rows = 1000;
    auto set = PartitionSet::Open(o);
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    return set.ok() ? std::move(*set) : nullptr;
  }
  // Flushes each batch as a part of its own.
  static void FlushEach(PartitionSet* set, std::span<const EventBatch> batches) {
    for (const EventBatch& b : batches) {
      const EventBatch* one[] = {&b};
      ASSERT_TRUE(set->AddEvents(one, 1).ok());
    }
  }

  PartitionSetOptions Options(Env* env = nullptr) {
    PartitionSetOptions o;
    o.data_dir = dir_;
    o.env = env;
    o.block_rows = 500;
    o.merge_min_parts = 3;
    return o;
  }

  // Every row of every part, canonical and sorted.
  static std::vector<std::string> AllRows(const PartSnapshot& snap) {
    std::vector<EventBatch> batches;
    for (const auto& p : snap.parts) {
      auto b = p->reader->ReadAllEvents();
      EXPECT_TRUE(b.ok()) << b.status().ToString();
      if (b.ok()) batches.push_back(std::move(*b));
    }
    std::vector<const EventBatch*> ptrs;
    for (auto& b : batches) ptrs.push_back(&b);
    return testing::CanonicalRows(ptrs);
  }

  std::filesystem::path dir_;
};

EventBatch RandomBatch(uint64_t seed, size_t n, int64_t base) {
  std::mt19937_64 rng(seed);
  EventBatch b;
  testing::AddRandomEvents(&b, rng, n, base);
  return b;
}

// The merge-lane tests' parts: three batches of 600 rows at kBase (a merge of 1,800 rows: too
// big for OpenWithSmallLane's lane), then three of 100 at `small_ts` (seeds seed.., seed+10..).
std::vector<EventBatch> BigThenSmallBatches(uint64_t seed, int64_t small_ts) {
  std::vector<EventBatch> batches;
  for (uint64_t i = 0; i < 3; ++i) batches.push_back(RandomBatch(seed + i, 600, kBase));
  for (uint64_t i = 0; i < 3; ++i) batches.push_back(RandomBatch(seed + 10 + i, 100, small_ts));
  return batches;
}

std::vector<const EventBatch*> Pointers(const std::vector<EventBatch>& batches) {
  std::vector<const EventBatch*> ptrs;
  for (const auto& b : batches) ptrs.push_back(&b);
  return ptrs;
}

TEST(PartitionKeyTest, DirNamesRoundTrip) {
  PartitionKey k{DayOf(kBase + 5), ""};
  EXPECT_EQ(PartitionDirName(k), "20251108");
  EXPECT_EQ(ParsePartitionDirName("20251108"), k);
  PartitionKey t{DayOf(kBase), "acme/ünï.x"};
  std::string name = PartitionDirName(t);
  EXPECT_EQ(name.find('/'), std::string::npos);
  EXPECT_EQ(name.find('.', 9), std::string::npos);
  EXPECT_EQ(ParsePartitionDirName(name), t);
  EXPECT_EQ(DayOf(-1), -1);
  EXPECT_FALSE(ParsePartitionDirName("20250230"));
  EXPECT_FALSE(ParsePartitionDirName("2025110x"));
  EXPECT_FALSE(ParsePartitionDirName("20251108."));
  EXPECT_FALSE(ParsePartitionDirName("20251108.a%2"));
}

TEST(RetentionTest, DropsExactlyTheExpectedPartitions) {
  const int64_t now = kBase + 10 * kDay + 3600'000'000'000;  // day kBase+10, 01:00
  std::vector<PartitionUsage> parts;
  for (int d = 0; d <= 10; ++d) {
    parts.push_back({{DayOf(kBase) + d, ""}, 100});
    parts.push_back({{DayOf(kBase) + d, "t"}, 50});
  }
  RetentionPolicy days{7, 0, {}};
  auto drop = PlanRetention(parts, days, now);
  // Keep days +4..+10 (7 days incl. today): drop +0..+3, both tenants.
  ASSERT_EQ(drop.size(), 8u);
  for (const auto& k : drop) EXPECT_LE(k.day, DayOf(kBase) + 3);
  EXPECT_EQ(drop.front(), (PartitionKey{DayOf(kBase), ""}));

  RetentionPolicy bytes{0, 1000, {}};  // 11 days x 150 = 1650: drop oldest until <= 1000
  drop = PlanRetention(parts, bytes, now);
  // Dropping (d0,""),(d0,t),(d1,""),(d1,t),(d2,"") = 100+50+100+50+100 = 400 -> 1250; then
  // (d2,t) 50 -> 1200, (d3,"") -> 1100, (d3,t) -> 1050, (d4,"") -> 950.
  ASSERT_EQ(drop.size(), 9u);
  EXPECT_EQ(drop.back(), (PartitionKey{DayOf(kBase) + 4, ""}));

  RetentionPolicy tiny{0, 1, {}};  // never drops the newest day
  drop = PlanRetention(parts, tiny, now);
  EXPECT_EQ(drop.size(), 20u);
  RetentionPolicy none{0, 0, {}};
  EXPECT_TRUE(PlanRetention(parts, none, now).empty());
}

TEST(RetentionTest, TenantRulesSetEachTenantsPartitionAge) {
  const int64_t now = kBase + 10 * kDay;
  std::vector<PartitionUsage> parts;
  for (int d = 0; d <= 10; ++d) {
    for (const char* t : {"", "short", "long"}) parts.push_back({{DayOf(kBase) + d, t}, 10});
  }
  RetentionPolicy p{5, 0, {}};
  p.rules = {RetentionRule{std::string("short"), "", "", 2},
             RetentionRule{std::string("long"), "", "", 9}, RetentionRule{{}, "debug", "", 1}};
  std::map<std::string, int> dropped;
  for (const PartitionKey& k : PlanRetention(parts, p, now)) dropped[k.tenant]++;
  EXPECT_EQ(dropped[""], 6);       // days 0..5: keep the 5 most recent
  EXPECT_EQ(dropped["short"], 9);  // keep 2
  EXPECT_EQ(dropped["long"], 2);   // keep 9
}

TEST_F(PartitionSetTest, FlushPartitionsByDayAndTenantAndReopens) {
  EventBatch b = RandomBatch(1, 3000, kBase);  // spans one day
  EventBatch c = RandomBatch(2, 2000, kBase + kDay);
  // Tenants on some events of c.
  EventBatch t;
  for (int i = 0; i < 100; ++i) {
    t.BeginEvent(kBase + i);
    t.AddField("kind", Value::String("log"));
    t.AddField("tenant", Value::String(i % 2 ? "acme" : "globex"));
  }
  std::vector<std::string> expected;
  {
    auto set = PartitionSet::Open(Options());
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    const EventBatch* bs[] = {&b, &c, &t};
    ASSERT_TRUE((*set)->AddEvents(bs, 7).ok());
    auto snap = (*set)->Snapshot();
    expected = testing::CanonicalRows({&b, &c, &t});
    EXPECT_EQ(AllRows(*snap), expected);
    auto parts = (*set)->Partitions();
    ASSERT_GE(parts.size(), 4u);  // 2+ days x default tenant, 2 tenants
    EXPECT_EQ((*set)->CoveredWalSeq({DayOf(kBase), "acme"}), 7u);
    EXPECT_TRUE((*set)->IsCovered(kBase, "globex", 7));
    EXPECT_FALSE((*set)->IsCovered(kBase, "globex", 8));
    EXPECT_FALSE((*set)->IsCovered(kBase, "initech", 1));
  }
  auto set = PartitionSet::Open(Options());
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(AllRows(*(*set)->Snapshot()), expected);
  auto check = CheckStore(nullptr, dir_);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok()) << check->ToText();
  EXPECT_EQ(check->rows, expected.size());
}

TEST_F(PartitionSetTest, MergeKeepsEveryRowExactly) {
  auto set = PartitionSet::Open(Options());
  ASSERT_TRUE(set.ok());
  std::vector<EventBatch> batches;
  for (int i = 0; i < 6; ++i) batches.push_back(RandomBatch(10 + i, 700 + i * 50, kBase));
  std::vector<const EventBatch*> ptrs;
  for (int i = 0; i < 6; ++i) {
    const EventBatch* one[] = {&batches[i]};
    ASSERT_TRUE((*set)->AddEvents(one, i + 1).ok());
    ptrs.push_back(&batches[i]);
  }
  const auto expected = testing::CanonicalRows(ptrs);
  auto before = (*set)->Snapshot();
  EXPECT_EQ(before->parts.size(), 6u);
  auto merged = (*set)->MergeOnce();
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_TRUE(*merged);
  auto after = (*set)->Snapshot();
  EXPECT_EQ(after->parts.size(), 1u);
  EXPECT_EQ(after->parts[0]->reader->meta().wal_seq, 6u);
  EXPECT_EQ(AllRows(*after), expected);
  // The old snapshot still reads although its directories are gone.
  EXPECT_FALSE(std::filesystem::exists(before->parts[0]->reader->dir()));
  EXPECT_EQ(AllRows(*before), expected);
  EXPECT_FALSE(*(*set)->MergeOnce());
  set->reset();
  auto again = PartitionSet::Open(Options());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(AllRows(*(*again)->Snapshot()), expected);
}

// Merges give way to queries: while one runs, a merge pauses before its blocks (until the
// query ends, within limits::kMergeQueryYieldBudgetMs), and its rows are the same.
TEST_F(PartitionSetTest, AMergePausesWhileAQueryRuns) {
  QueryPriority priority;
  PartitionSetOptions o = Options();
  o.priority = &priority;
  auto set = PartitionSet::Open(o);
  ASSERT_TRUE(set.ok());
  std::vector<EventBatch> batches;
  std::vector<const EventBatch*> ptrs;
  for (int i = 0; i < 3; ++i) batches.push_back(RandomBatch(80 + i, 600, kBase));
  for (auto& b : batches) {
    const EventBatch* one[] = {&b};
    ASSERT_TRUE((*set)->AddEvents(one, 1).ok());
    ptrs.push_back(&b);
  }
  auto query = std::make_unique<QueryPriority::Scope>(&priority);
  std::atomic<bool> done{false};
  auto merge = std::async(std::launch::async, [&] {
    auto r = (*set)->MergeOnce();
    done = true;
    return r;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(done.load()) << "the merge ran on while a query was running";
  query.reset();
  auto merged = merge.get();
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_TRUE(*merged);
  EXPECT_GE(priority.stats().background_waits, 1u);
  EXPECT_EQ(AllRows(*(*set)->Snapshot()), testing::CanonicalRows(ptrs));
}

// Merges behind (limits::kPartsToDelayFlush): a flush into a partition holding
// parts_to_delay_flush parts a merge could take waits until a merge lowers the count — only
// while the background merges run. Here the merge first pauses for a query, so the flush is
// seen waiting.
TEST_F(PartitionSetTest, AFlushWaitsForMergesWhenPartsPileUp) {
  QueryPriority priority;
  std::unique_ptr<PartitionSet> set = OpenDelayingFlushes(&priority, 20'000);
  ASSERT_NE(set, nullptr);
  std::vector<EventBatch> batches;
  std::vector<const EventBatch*> ptrs;
  for (int i = 0; i < 5; ++i) batches.push_back(RandomBatch(90 + i, 600, kBase));
  for (auto& b : batches) ptrs.push_back(&b);
  auto add = [&](int i) {
    const EventBatch* one[] = {&batches[static_cast<size_t>(i)]};
    return set->AddEvents(one, 1);
  };
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(add(i).ok());  // no merge thread: no wait
  ASSERT_EQ(set->Stats().parts, 3u);
  EXPECT_EQ(set->Stats().flush_merge_waits, 0u);

  auto query = std::make_unique<QueryPriority::Scope>(&priority);
  set->StartBackgroundMerges();
  std::atomic<bool> flushed{false};
  auto flush = std::async(std::launch::async, [&] {
    Status st = add(3);
    flushed = true;
    return st;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(flushed.load()) << "the flush did not wait for the merge";
  EXPECT_EQ(set->Stats().parts, 3u);
  query.reset();  // the merge goes on, publishes, and the flush follows
  ASSERT_TRUE(flush.get().ok());
  PartitionSetStats st = set->Stats();
  EXPECT_EQ(st.flush_merge_waits, 1u);
  EXPECT_GE(st.flush_merge_wait_ms, 250u);
  EXPECT_LT(st.flush_merge_wait_ms, 15'000u) << "the wait ran to its bound, not to the merge";
  EXPECT_GE(st.merges, 1u);
  EXPECT_EQ(st.parts, 2u);  // the merged part and the flush's

  ASSERT_TRUE(add(4).ok());  // under the bound again: no wait
  EXPECT_EQ(set->Stats().flush_merge_waits, 1u);
  set->StopBackgroundMerges();
  EXPECT_EQ(AllRows(*set->Snapshot()), testing::CanonicalRows(ptrs));
}

// The wait is bounded (flush_merge_wait_max_ms): a merge held back longer does not hold the
// flush, hence the memtable, beyond it.
TEST_F(PartitionSetTest, AFlushWaitsForMergesAtMostItsBound) {
  QueryPriority priority;
  std::unique_ptr<PartitionSet> set = OpenDelayingFlushes(&priority, 200);
  ASSERT_NE(set, nullptr);
  std::vector<EventBatch> batches;
  for (int i = 0; i < 4; ++i) batches.push_back(RandomBatch(95 + i, 600, kBase));
  for (int i = 0; i < 3; ++i) {
    const EventBatch* one[] = {&batches[static_cast<size_t>(i)]};
    ASSERT_TRUE(set->AddEvents(one, 1).ok());
  }
  auto query = std::make_unique<QueryPriority::Scope>(&priority);
  set->StartBackgroundMerges();
  auto flush = std::async(std::launch::async, [&] {
    const EventBatch* one[] = {&batches[3]};
    return set->AddEvents(one, 1);
  });
  // The flush's own pauses for the query add up to kFlushQueryYieldBudgetMs after its wait.
  const auto bound = std::chrono::milliseconds(200 + limits::kFlushQueryYieldBudgetMs + 2000);
  ASSERT_EQ(flush.wait_for(bound), std::future_status::ready) << "the flush waited past its bound";
  ASSERT_TRUE(flush.get().ok());
  PartitionSetStats st = set->Stats();
  EXPECT_EQ(st.flush_merge_waits, 1u);
  EXPECT_GE(st.flush_merge_wait_ms, 150u);
  EXPECT_LT(st.flush_merge_wait_ms, 2'000u);
  EXPECT_EQ(st.merges, 0u);  // still paused for the query
  query.reset();
  set->StopBackgroundMerges();
}

// The default Env, except that while armed a rename into a directory whose path contains
// `watch` (a part published there) waits until Release().
class GateEnv final : public EnvWrapper {
 public:
  explicit GateEnv(std::string watch) : EnvWrapper(Env::Default()), watch_(std::move(watch)) {}

  void Arm() { armed_ = true; }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    armed_ = false;
    cv_.notify_all();
  }
  // True once `n` renames are held (in all), within `timeout`.
  bool WaitHeld(int n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [&] { return held_ >= n; });
  }

  Status RenameFile(const std::string& f, const std::string& t) override {
    if (armed_.load() && t.find(watch_) != std::string::npos) {
      std::unique_lock<std::mutex> l(mu_);
      ++held_;
      cv_.notify_all();
      cv_.wait(l, [&] { return !armed_.load(); });
    }
    return EnvWrapper::RenameFile(f, t);
  }
  // The disk's free bytes as `n` (a real disk otherwise).
  void SetFreeDiskBytes(uint64_t n) { free_bytes_ = static_cast<int64_t>(n); }
  Result<DiskSpace> GetDiskSpace(const std::string& p) override {
    if (free_bytes_.load() < 0) return EnvWrapper::GetDiskSpace(p);
    return DiskSpace{static_cast<uint64_t>(free_bytes_.load()), uint64_t{1} << 40};
  }

 private:
  std::atomic<int64_t> free_bytes_{-1};
  const std::string watch_;
  std::atomic<bool> armed_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  int held_ = 0;
};

// Parts of `day`'s partition in the set now.
size_t PartsOfDay(const PartitionSet& set, int64_t day_ts) {
  size_t n = 0;
  // Held: a range-for's temporary shared_ptr would die before the loop, and a merge thread may
  // publish a new snapshot (freeing this one) meanwhile.
  const auto snap = set.Snapshot();
  for (const auto& p : snap->parts) n += p->partition.day == DayOf(day_ts);
  return n;
}

// The small lane (small_merge_max_rows): while a merge of big parts cannot finish, another
// partition's small parts are merged beside it — with one merge thread they would wait
// behind it, and the flushes behind them (a 100M ingest stalled ~40 s so at a day boundary).
TEST_F(PartitionSetTest, SmallMergesRunBesideALongMerge) {
  GateEnv env(PartitionDirName(PartitionKeyOf(kBase, "")) + "/");
  std::unique_ptr<PartitionSet> set = OpenWithSmallLane(&env);
  ASSERT_NE(set, nullptr);
  // Day 0: three parts of 600 rows (a merge of 1,800 rows: not the small lane's); day 1:
  // three of 100. Day 0 sorts first, so a single merge thread would take it first.
  const std::vector<EventBatch> batches = BigThenSmallBatches(120, kBase + kDay);
  ASSERT_NO_FATAL_FAILURE(FlushEach(set.get(), batches));
  ASSERT_EQ(PartsOfDay(*set, kBase), 3u);
  ASSERT_EQ(PartsOfDay(*set, kBase + kDay), 3u);

  env.Arm();
  set->StartBackgroundMerges();
  ASSERT_TRUE(env.WaitHeld(1, std::chrono::seconds(20))) << "day 0's merge did not start";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (PartsOfDay(*set, kBase + kDay) != 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(PartsOfDay(*set, kBase + kDay), 1u) << "the small merge waited behind the long one";
  EXPECT_EQ(PartsOfDay(*set, kBase), 3u);  // still held
  EXPECT_EQ(set->Stats().merges_running, 1u);
  env.Release();
  set->StopBackgroundMerges();
  EXPECT_EQ(PartsOfDay(*set, kBase), 1u);
  EXPECT_EQ(set->Stats().merges, 2u);
  EXPECT_EQ(AllRows(*set->Snapshot()), testing::CanonicalRows(Pointers(batches)));
}

// The small lane takes only merges of at most small_merge_max_rows rows, and never parts
// the other lane is merging: two merges at once rewrite disjoint parts.
TEST_F(PartitionSetTest, TheSmallLaneTakesOnlySmallMergesOfFreeParts) {
  GateEnv env(PartitionDirName(PartitionKeyOf(kBase, "")) + "/");
  std::unique_ptr<PartitionSet> set = OpenWithSmallLane(&env);
  ASSERT_NE(set, nullptr);
  const std::vector<EventBatch> batches = BigThenSmallBatches(140, kBase);
  // Only the 600-row parts: a merge of 1,800 rows, too big for the lane.
  ASSERT_NO_FATAL_FAILURE(FlushEach(set.get(), std::span(batches).first(3)));
  auto none = set->MergeOnce(PartitionSet::MergeLane::kSmall);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  EXPECT_EQ(set->Stats().parts, 3u);
  ASSERT_NO_FATAL_FAILURE(FlushEach(set.get(), std::span(batches).subspan(3)));
  // One partition, two tiers: the small lane takes the 100-row parts (the lowest tier) and
  // is held publishing; the other lane, meanwhile, finds only the 600-row parts free.
  env.Arm();
  auto small = std::async(std::launch::async,
                          [&] { return set->MergeOnce(PartitionSet::MergeLane::kSmall); });
  ASSERT_TRUE(env.WaitHeld(1, std::chrono::seconds(20)));
  auto any = std::async(std::launch::async, [&] { return set->MergeOnce(); });
  ASSERT_TRUE(env.WaitHeld(2, std::chrono::seconds(20))) << "the lanes did not merge together";
  EXPECT_EQ(set->Stats().merges_running, 2u);
  env.Release();
  auto s = small.get();
  auto a = any.get();
  ASSERT_TRUE(s.ok() && a.ok()) << s.status().ToString() << " " << a.status().ToString();
  EXPECT_TRUE(*s);
  EXPECT_TRUE(*a);
  auto snap = set->Snapshot();
  ASSERT_EQ(snap->parts.size(), 2u);
  std::vector<uint64_t> rows;
  for (const auto& p : snap->parts) rows.push_back(p->reader->meta().rows);
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<uint64_t>{300, 1800}));
  EXPECT_EQ(AllRows(*snap), testing::CanonicalRows(Pointers(batches)));
  // Nothing is left to merge, and nothing is marked as being merged.
  EXPECT_FALSE(*set->MergeOnce(PartitionSet::MergeLane::kSmall));
  EXPECT_FALSE(*set->MergeOnce());
}

// A merge needs room for its output beside the one running on the other lane: with free
// space for either merge but not for both, the second waits (counted as skipped) and runs
// once the first has ended.
TEST_F(PartitionSetTest, TwoMergesAtOnceNeedRoomForBothOutputs) {
  GateEnv env(PartitionDirName(PartitionKeyOf(kBase, "")) + "/");
  std::unique_ptr<PartitionSet> set = OpenWithSmallLane(&env);
  ASSERT_NE(set, nullptr);
  const std::vector<EventBatch> batches = BigThenSmallBatches(160, kBase + kDay);
  ASSERT_NO_FATAL_FAILURE(FlushEach(set.get(), batches));
  uint64_t day0 = 0, day1 = 0;
  const auto snap = set->Snapshot();
  for (const auto& p : snap->parts) {
    (p->partition.day == DayOf(kBase) ? day0 : day1) += p->reader->disk_bytes();
  }
  ASSERT_GT(day0, 0u);
  ASSERT_GT(day1, 0u);
  // Room for either merge alone (1.1x its inputs), not for both.
  env.SetFreeDiskBytes(
      static_cast<uint64_t>(static_cast<double>(day0 + day1) * limits::kMergeDiskSpaceFactor) - 1);
  env.Arm();
  auto big = std::async(std::launch::async, [&] { return set->MergeOnce(); });  // day 0
  ASSERT_TRUE(env.WaitHeld(1, std::chrono::seconds(20)));
  auto small = set->MergeOnce(PartitionSet::MergeLane::kSmall);
  ASSERT_TRUE(small.ok());
  EXPECT_FALSE(*small) << "the second merge counted on the bytes the first one needs";
  EXPECT_EQ(set->Stats().merges_skipped_no_space, 1u);
  env.Release();
  auto b = big.get();
  ASSERT_TRUE(b.ok() && *b) << b.status().ToString();
  small = set->MergeOnce(PartitionSet::MergeLane::kSmall);
  ASSERT_TRUE(small.ok());
  EXPECT_TRUE(*small);
  EXPECT_EQ(set->Stats().parts, 2u);
}

// A flush (AddEvents) pauses too, but only up to limits::kFlushQueryYieldBudgetMs in all:
// the memtable, hence memory, must drain however many queries run.
// Records FreshDataListener calls, and whether the part was already published at PartWritten.
class RecordingListener final : public FreshDataListener {
 public:
  void BatchAppending(const std::shared_ptr<const EventBatch>&) override {}
  void PartWritten(const PartReader& part) override {
    bool published = false;
    const auto snap = set->Snapshot();
    for (const auto& p : snap->parts) published |= p->reader->dir() == part.dir();
    written.push_back(part.dir());
    written_after_publish += published;
    written_rows += part.meta().rows;
  }
  void PartRetired(const std::string& part_dir) override { retired.push_back(part_dir); }

  PartitionSet* set = nullptr;
  std::vector<std::string> written, retired;
  size_t written_after_publish = 0;
  uint64_t written_rows = 0;
};

TEST_F(PartitionSetTest, FlushesAndMergesTellTheListenerBeforePublishing) {
  auto listener = std::make_shared<RecordingListener>();
  PartitionSetOptions o = Options();
  o.fresh_data = listener;
  auto set = PartitionSet::Open(o);
  ASSERT_TRUE(set.ok());
  listener->set = set->get();
  std::vector<EventBatch> batches;
  for (int i = 0; i < 3; ++i) batches.push_back(RandomBatch(90 + i, 600, kBase));
  for (auto& b : batches) {
    const EventBatch* one[] = {&b};
    ASSERT_TRUE((*set)->AddEvents(one, 1).ok());
  }
  std::vector<std::string> inputs;
  const auto before = (*set)->Snapshot();
  for (const auto& p : before->parts) inputs.push_back(p->reader->dir());
  EXPECT_EQ(listener->written, inputs);
  EXPECT_EQ(listener->written_rows, 1800u);
  EXPECT_TRUE(listener->retired.empty());

  auto merged = (*set)->MergeOnce();
  ASSERT_TRUE(merged.ok() && *merged) << merged.status().ToString();
  auto snap = (*set)->Snapshot();
  ASSERT_EQ(snap->parts.size(), 1u);
  ASSERT_EQ(listener->written.size(), 4u);
  EXPECT_EQ(listener->written.back(), snap->parts[0]->reader->dir());
  EXPECT_EQ(listener->written_rows, 3600u);
  EXPECT_EQ(listener->written_after_publish, 0u);  // every part was told of before publishing
  EXPECT_EQ(listener->retired, inputs);
}

TEST_F(PartitionSetTest, AFlushYieldsToQueriesForABoundedTime) {
  QueryPriority priority;
  PartitionSetOptions o = Options();
  o.priority = &priority;
  auto set = PartitionSet::Open(o);
  ASSERT_TRUE(set.ok());
  EventBatch b = RandomBatch(90, 3000, kBase);  // 6 blocks of 500 rows
  QueryPriority::Scope forever(&priority);
  const auto start = std::chrono::steady_clock::now();
  const EventBatch* one[] = {&b};
  ASSERT_TRUE((*set)->AddEvents(one, 1).ok());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(limits::kFlushQueryYieldBudgetMs));
  EXPECT_LT(took, std::chrono::milliseconds(limits::kFlushQueryYieldBudgetMs + 20'000));
  EXPECT_EQ((*set)->Snapshot()->parts.size(), 1u);
}

// A merge that fails (here its first write, as on a full disk) is counted, keeps its inputs
// and is retried; merges_running is back at 0 either way.
TEST_F(PartitionSetTest, AFailedMergeIsCountedKeepsItsInputsAndIsRetried) {
  FaultEnv fe(Env::Default());
  auto set = PartitionSet::Open(Options(&fe));
  ASSERT_TRUE(set.ok());
  std::vector<EventBatch> batches;
  for (int i = 0; i < 4; ++i) batches.push_back(RandomBatch(60 + i, 300, kBase));
  for (auto& b : batches) {
    const EventBatch* one[] = {&b};
    ASSERT_TRUE((*set)->AddEvents(one, 1).ok());
  }
  fe.FailWriteAt(1);
  EXPECT_FALSE((*set)->MergeOnce().ok());
  PartitionSetStats st = (*set)->Stats();
  EXPECT_EQ(st.merges_failed, 1u);
  EXPECT_EQ(st.merges, 0u);
  EXPECT_EQ(st.merges_running, 0u);
  EXPECT_EQ(st.parts, 4u);
  auto merged = (*set)->MergeOnce();
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_TRUE(*merged);
  st = (*set)->Stats();
  EXPECT_EQ(st.merges_failed, 1u);
  EXPECT_EQ(st.merges, 1u);
  EXPECT_EQ(st.merges_running, 0u);
  EXPECT_EQ(st.parts, 1u);
}

// A merge needs 1.1x its inputs' bytes free: on a fuller disk it is not started (no temp
// output, nothing failed, counted as skipped) and runs once the space is back.
TEST_F(PartitionSetTest, AMergeWaitsForRoomForItsOutput) {
  FaultEnv fe(Env::Default());
  auto set = PartitionSet::Open(Options(&fe));
  ASSERT_TRUE(set.ok());
  std::vector<EventBatch> batches;
  for (int i = 0; i < 4; ++i) batches.push_back(RandomBatch(70 + i, 300, kBase));
  for (auto& b : batches) {
    const EventBatch* one[] = {&b};
    ASSERT_TRUE((*set)->AddEvents(one, 1).ok());
  }
  const uint64_t inputs = (*set)->Stats().disk_bytes;
  ASSERT_GT(inputs, 0u);
  fe.SetFreeDiskBytes(inputs);  // less than 1.1x
  auto merged = (*set)->MergeOnce();
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_FALSE(*merged);
  PartitionSetStats st = (*set)->Stats();
  EXPECT_EQ(st.merges_skipped_no_space, 1u);
  EXPECT_EQ(st.merges_failed, 0u);
  EXPECT_EQ(st.merges, 0u);
  EXPECT_EQ(st.parts, 4u);
  fe.SetFreeDiskBytes(inputs * 2);
  merged = (*set)->MergeOnce();
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_TRUE(*merged);
  st = (*set)->Stats();
  EXPECT_EQ(st.merges_skipped_no_space, 1u);
  EXPECT_EQ(st.merges, 1u);
  EXPECT_EQ(st.parts, 1u);
}

// Runs `op` against a FaultEnv that crashes at the n-th write / sync, or fails the n-th
// rename, for every n until the operation completes; after each crash, reopens on the real
// Env and checks with `verify`.
template <typename Setup, typename Op, typename Verify>
void CrashSweep(const std::filesystem::path& dir, Setup setup, Op op, Verify verify) {
  for (int mode = 0; mode < 3; ++mode) {
    for (uint64_t n = 1;; ++n) {
      std::filesystem::remove_all(dir);
      std::filesystem::create_directories(dir);
      setup();
      FaultEnv fe(Env::Default());
      if (mode == 0) fe.CrashAtWrite(n);
      if (mode == 1) fe.CrashAtSync(n);
      if (mode == 2) fe.FailRenameAt(n);
      Status s = op(&fe);
      const bool faulted = fe.crashed() || !s.ok();
      ASSERT_TRUE(fe.DropUnsyncedData().ok());
      verify(mode, n);
      if (!faulted) break;
      ASSERT_LT(n, 1000u) << "operation never completes";
    }
  }
}

TEST_F(PartitionSetTest, CrashAtEveryStepOfAFlushLosesOrDuplicatesNothing) {
  EventBatch b = RandomBatch(5, 1200, kBase);
  EventBatch c = RandomBatch(6, 300, kBase + kDay);
  const auto all = testing::CanonicalRows({&b, &c});
  CrashSweep(
      dir_, [] {},
      [&](Env* env) {
        auto set = PartitionSet::Open(Options(env));
        if (!set.ok()) return set.status();
        const EventBatch* bs[] = {&b, &c};
        return (*set)->AddEvents(bs, 1);
      },
      [&](int mode, uint64_t n) {
        auto set = PartitionSet::Open(Options());
        ASSERT_TRUE(set.ok()) << set.status().ToString();
        auto snap = (*set)->Snapshot();
        // Each partition's part is all-or-nothing; the WAL replays what is not covered.
        std::vector<std::string> rows = AllRows(*snap);
        EventBatch replay;
        for (const EventBatch* src : {&b, &c}) {
          for (const auto& e : src->events()) {
            if ((*set)->IsCovered(e.ts_ns, "", 1)) continue;
            replay.BeginEvent(e.ts_ns);
            for (const Field& f : src->fields(e)) replay.AddField(f.name, f.value);
          }
        }
        auto replayed = testing::CanonicalRows({&replay});
        rows.insert(rows.end(), replayed.begin(), replayed.end());
        std::sort(rows.begin(), rows.end());
        EXPECT_EQ(rows, all) << "mode " << mode << " step " << n;
        for (auto& p : std::filesystem::recursive_directory_iterator(dir_)) {
          EXPECT_FALSE(p.path().filename().string().starts_with("tmp-")) << p.path();
        }
      });
}

TEST_F(PartitionSetTest, CrashAtEveryStepOfAMergeLosesOrDuplicatesNothing) {
  std::vector<EventBatch> batches;
  for (int i = 0; i < 3; ++i) batches.push_back(RandomBatch(20 + i, 600, kBase));
  const auto all = testing::CanonicalRows({&batches[0], &batches[1], &batches[2]});
  CrashSweep(
      dir_,
      [&] {
        auto set = PartitionSet::Open(Options());
        ASSERT_TRUE(set.ok());
        for (auto& b : batches) {
          const EventBatch* one[] = {&b};
          ASSERT_TRUE((*set)->AddEvents(one, 1).ok());
        }
      },
      [&](Env* env) {
        auto set = PartitionSet::Open(Options(env));
        if (!set.ok()) return set.status();
        auto merged = (*set)->MergeOnce();
        if (!merged.ok()) return merged.status();
        return *merged ? Status::Ok() : Status::Internal("nothing merged");
      },
      [&](int mode, uint64_t n) {
        auto set = PartitionSet::Open(Options());
        ASSERT_TRUE(set.ok()) << set.status().ToString();
        auto snap = (*set)->Snapshot();
        EXPECT_TRUE(snap->parts.size() == 1 || snap->parts.size() == 3)
            << "mode " << mode << " step " << n;
        EXPECT_EQ(AllRows(*snap), all) << "mode " << mode << " step " << n;
      });
}

// Erasure and retention by kind rewrite parts without some rows: a crash at any step leaves,
// per part, the old part or the new one — never both, never half a part — so the rows after
// reopening are all the kept rows plus a subset of the doomed ones, each exactly once.
TEST_F(PartitionSetTest, CrashAtEveryStepOfARowDeletionLeavesOldOrNewParts) {
  std::vector<EventBatch> batches;
  for (int i = 0; i < 3; ++i) batches.push_back(RandomBatch(40 + i, 400, kBase + (i % 2) * kDay));
  RowPredicate doomed = [](int64_t, std::span<const Field> fields) {
    for (const Field& f : fields) {
      if (f.name == "kind") return f.value.s == "audit";
    }
    return false;
  };
  // A part whose rows are all doomed is removed, not rewritten.
  EventBatch all_audit;
  for (int i = 0; i < 50; ++i) {
    all_audit.BeginEvent(kBase + 2 * kDay + i);
    all_audit.AddField("kind", Value::String("audit"));
  }
  std::vector<const EventBatch*> ptrs = {&batches[0], &batches[1], &batches[2], &all_audit};
  const auto all = testing::CanonicalRows(ptrs);
  EventBatch kept_only;
  for (const EventBatch* b : ptrs) {
    for (const auto& e : b->events()) {
      if (doomed(e.ts_ns, b->fields(e))) continue;
      kept_only.BeginEvent(e.ts_ns);
      for (const Field& f : b->fields(e)) kept_only.AddField(f.name, f.value);
    }
  }
  const auto kept = testing::CanonicalRows({&kept_only});
  ASSERT_LT(kept.size(), all.size() - 50);
  CrashSweep(
      dir_,
      [&] {
        auto set = PartitionSet::Open(Options());
        ASSERT_TRUE(set.ok());
        for (const EventBatch* b : ptrs) {
          const EventBatch* one[] = {b};
          ASSERT_TRUE((*set)->AddEvents(one, 1).ok());
        }
      },
      [&](Env* env) -> Status {
        auto set = PartitionSet::Open(Options(env));
        if (!set.ok()) return set.status();
        auto st = (*set)->DeleteRows([](const PartitionKey&) { return true; }, doomed);
        if (!st.ok()) return st.status();
        EXPECT_EQ(st->parts_removed, 1u);
        EXPECT_EQ(st->rows_deleted, all.size() - kept.size());
        return Status::Ok();
      },
      [&](int mode, uint64_t n) {
        auto set = PartitionSet::Open(Options());
        ASSERT_TRUE(set.ok()) << set.status().ToString();
        auto snap = (*set)->Snapshot();
        EXPECT_TRUE(snap->broken->empty()) << "mode " << mode << " step " << n;
        std::vector<std::string> rows = AllRows(*snap);
        // Every kept row exactly once; every other row one of the doomed ones, at most once.
        std::vector<std::string> kept_seen;
        std::set_intersection(rows.begin(), rows.end(), kept.begin(), kept.end(),
                              std::back_inserter(kept_seen));
        EXPECT_EQ(kept_seen, kept) << "mode " << mode << " step " << n;
        std::vector<std::string> extra;
        std::set_difference(rows.begin(), rows.end(), all.begin(), all.end(),
                            std::back_inserter(extra));
        EXPECT_TRUE(extra.empty()) << "mode " << mode << " step " << n;
        EXPECT_EQ(std::adjacent_find(rows.begin(), rows.end()), rows.end())
            << "a row twice: mode " << mode << " step " << n;
        for (auto& p : std::filesystem::recursive_directory_iterator(dir_)) {
          EXPECT_FALSE(p.path().filename().string().starts_with("tmp-")) << p.path();
        }
        // Running the deletion again (the operator reruns the erase) finishes the job.
        auto again = (*set)->DeleteRows([](const PartitionKey&) { return true; }, doomed);
        ASSERT_TRUE(again.ok()) << again.status().ToString();
        EXPECT_EQ(AllRows(*(*set)->Snapshot()), kept) << "mode " << mode << " step " << n;
      });
}

TEST_F(PartitionSetTest, RetentionDropsPartitionsOnDiskAndInSnapshots) {
  auto set = PartitionSet::Open(Options());
  ASSERT_TRUE(set.ok());
  std::vector<EventBatch> days;
  for (int d = 0; d < 5; ++d) {
    EventBatch b;
    for (int i = 0; i < 50; ++i) {
      b.BeginEvent(kBase + d * kDay + i);
      b.AddField("kind", Value::String("log"));
    }
    days.push_back(std::move(b));
  }
  for (auto& b : days) {
    const EventBatch* one[] = {&b};
    ASSERT_TRUE((*set)->AddEvents(one, 1).ok());
  }
  auto old_snap = (*set)->Snapshot();
  auto dropped = (*set)->ApplyRetention({2, 0, {}}, kBase + 4 * kDay + 1);
  ASSERT_TRUE(dropped.ok());
  ASSERT_EQ(dropped->size(), 3u);
  auto parts = (*set)->Partitions();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].key.day, DayOf(kBase) + 3);
  for (int d = 0; d < 5; ++d) {
    EXPECT_EQ(std::filesystem::exists(dir_ / "parts" / PartitionDirName({DayOf(kBase) + d, ""})),
              d >= 3);
  }
  EXPECT_EQ(old_snap->rows(), 250u);
  EXPECT_EQ(AllRows(*old_snap).size(), 250u);  // still readable
  EXPECT_EQ((*set)->Snapshot()->rows(), 100u);
}

TEST_F(PartitionSetTest, SnapshotsStayConsistentUnderConcurrentIngestMergeRetention) {
  auto opened = PartitionSet::Open(Options());
  ASSERT_TRUE(opened.ok());
  PartitionSet* set = opened->get();
  set->StartBackgroundMerges();
  constexpr size_t kBatch = 200;
  constexpr int kFlushes = 30;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> snapshots{0};
  auto writer = std::thread([&] {
    for (int i = 0; i < kFlushes; ++i) {
      // One batch for "today" (kept) and one for an old day (dropped by retention).
      EventBatch keep = RandomBatch(100 + i, kBatch, kBase + 5 * kDay);
      EventBatch old = RandomBatch(500 + i, kBatch, kBase);
      const EventBatch* bs[] = {&keep, &old};
      Status s = set->AddEvents(bs, i + 1);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    done = true;
  });
  auto retention = std::thread([&] {
    while (!done) {
      auto r = set->ApplyRetention({3, 0, {}}, kBase + 6 * kDay);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      uint64_t last = 0;
      while (!done) {
        auto snap = set->Snapshot();
        ScanSpec spec;
        spec.min_ts = kBase + 5 * kDay;
        spec.columns = {"kind"};
        uint64_t rows = 0;
        ASSERT_TRUE(ScanSnapshot(
                        *snap, spec,
                        [&](ColumnBatch& b) {
                          rows += b.num_rows;
                          return Status::Ok();
                        },
                        nullptr)
                        .ok());
        // Whole flushes only, never fewer than before: no row lost or doubled by a merge.
        EXPECT_EQ(rows % kBatch, 0u);
        EXPECT_GE(rows, last);
        last = rows;
        ++snapshots;
      }
    });
  }
  writer.join();
  retention.join();
  for (auto& t : readers) t.join();
  set->StopBackgroundMerges();
  while (*set->MergeOnce()) {
  }
  ASSERT_TRUE(set->ApplyRetention({3, 0, {}}, kBase + 6 * kDay).ok());
  auto snap = set->Snapshot();
  EXPECT_EQ(snap->rows(), kBatch * kFlushes);
  EXPECT_LT(snap->parts.size(), static_cast<size_t>(kFlushes));
  EXPECT_GT(set->Stats().merges, 0u);
  EXPECT_GT(snapshots.load(), 0u);
}

}  // namespace
}  // namespace vigia

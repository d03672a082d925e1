#include "store/store_snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "common/fault_env.h"
#include "store/format/file_names.h"
#include "store/store_snapshot_testing.h"
#include "store/wal/batch_codec.h"
#include "store/wal/batch_codec_testing.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigia_store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Store> Open(FsyncPolicy policy = FsyncPolicy::kInterval, Env* env = nullptr) {
    StoreOptions o;
    o.data_dir = dir_.string();
    o.fsync = policy;
    o.sync_interval_ms = 5;
    o.wal_segment_bytes = 256 << 10;
    o.env = env;
    // These tests check the WAL and memtable: batches must come back as written, so no
    // flush at close, and the random events (from 2025) must not expire.
    o.flush_on_close = false;
    o.retention.days = 0;
    auto s = Store::Open(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  static std::vector<std::shared_ptr<const EventBatch>> Collect(const Store& s) {
    std::vector<std::shared_ptr<const EventBatch>> out;
    vigia::testing::ForEachBatch(GetSnapshot(s), [&](const EventBatch& b) {
      // Re-encode to own a copy independent of the store's lifetime.
      std::string enc;
      batch_codec::Encode(b, &enc);
      auto copy = std::make_shared<EventBatch>();
      EXPECT_TRUE(batch_codec::Decode(enc, copy.get()).ok());
      out.push_back(copy);
    });
    return out;
  }

  fs::path dir_;
};

TEST_F(StoreTest, ReopenReturnsTheSameEvents) {
  std::mt19937_64 rng(1);
  std::vector<std::shared_ptr<EventBatch>> written;
  {
    auto s = Open();
    ASSERT_NE(s, nullptr);
    for (int i = 0; i < 30; ++i) {
      written.push_back(testing::MakeRandomBatch(rng, 1 + rng() % 200));
      ASSERT_TRUE(s->Append(written.back()).ok());
    }
    StoreStats st = s->Stats();
    EXPECT_EQ(st.batches, 30u);
    EXPECT_GT(st.wal_bytes, 0u);
    EXPECT_TRUE(s->Health().ok());
    ASSERT_TRUE(s->Close().ok());
    EXPECT_EQ(s->Append(written.back()).code(), StatusCode::kUnavailable);
    EXPECT_FALSE(s->Health().ok());
  }
  auto s = Open();
  ASSERT_NE(s, nullptr);
  auto got = Collect(*s);
  ASSERT_EQ(got.size(), written.size());
  uint64_t events = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_TRUE(testing::BatchesEqual(*written[i], *got[i])) << "batch " << i;
    events += written[i]->size();
  }
  StoreStats st = s->Stats();
  EXPECT_EQ(st.events, events);
  EXPECT_EQ(st.wal_records_replayed, written.size());
  EXPECT_EQ(st.wal_corrupt_records, 0u);

  // A third generation appends after the replayed ones.
  auto more = testing::MakeRandomBatch(rng, 5);
  ASSERT_TRUE(s->Append(more).ok());
  ASSERT_TRUE(s->Close().ok());
  s = Open();
  auto again = Collect(*s);
  ASSERT_EQ(again.size(), written.size() + 1);
  EXPECT_TRUE(testing::BatchesEqual(*more, *again.back()));
}

TEST_F(StoreTest, FailedSyncFailsAppendAndHealthUntilAWriteWorks) {
  FaultEnv env(Env::Default());
  std::mt19937_64 rng(2);
  std::vector<std::shared_ptr<EventBatch>> acked;
  {
    auto s = Open(FsyncPolicy::kAlways, &env);
    ASSERT_NE(s, nullptr);
    acked.push_back(testing::MakeRandomBatch(rng, 10));
    ASSERT_TRUE(s->Append(acked.back()).ok());
    env.FailSyncAt(1);
    auto rejected = testing::MakeRandomBatch(rng, 10);
    EXPECT_EQ(s->Append(rejected).code(), StatusCode::kIOError);
    Status h = s->Health();
    EXPECT_EQ(h.code(), StatusCode::kUnavailable);
    EXPECT_NE(h.message().find("WAL"), std::string::npos) << h.ToString();
    // The rejected batch is not readable: it was never acknowledged.
    EXPECT_EQ(Collect(*s).size(), 1u);
    acked.push_back(testing::MakeRandomBatch(rng, 10));
    ASSERT_TRUE(s->Append(acked.back()).ok());
    EXPECT_TRUE(s->Health().ok());
  }
  // Power loss after an always-synced store: everything acknowledged survives.
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  auto s = Open();
  auto got = Collect(*s);
  // The batch whose sync failed may or may not be on disk (it was written, never
  // acknowledged); the acknowledged ones must all be there, in order.
  size_t j = 0;
  for (const auto& b : got) {
    if (j < acked.size() && testing::BatchesEqual(*acked[j], *b)) ++j;
  }
  EXPECT_EQ(j, acked.size());
}

TEST_F(StoreTest, FailedWriteNeverAcknowledgesData) {
  FaultEnv env(Env::Default());
  std::mt19937_64 rng(3);
  std::vector<std::shared_ptr<EventBatch>> acked;
  {
    auto s = Open(FsyncPolicy::kInterval, &env);
    ASSERT_NE(s, nullptr);
    for (int i = 0; i < 20; ++i) {
      if (i % 5 == 2) env.FailWriteAt(1);
      auto b = testing::MakeRandomBatch(rng, 20);
      Status st = s->Append(b);
      if (i % 5 == 2) {
        EXPECT_FALSE(st.ok());
        EXPECT_FALSE(s->Health().ok());
      } else {
        ASSERT_TRUE(st.ok()) << st.ToString();
        acked.push_back(b);
      }
    }
    EXPECT_TRUE(s->Health().ok());
  }
  auto s = Open();
  auto got = Collect(*s);
  ASSERT_EQ(got.size(), acked.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(testing::BatchesEqual(*acked[i], *got[i]));
}

TEST_F(StoreTest, UnwritableDataDirMakesHealthFail) {
  FaultEnv env(Env::Default());
  auto s = Open(FsyncPolicy::kInterval, &env);
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->Health().ok());
  env.SetReadOnly(true);
  // The probe result is cached for a second; wait it out.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  Status h = s->Health();
  EXPECT_EQ(h.code(), StatusCode::kUnavailable);
  EXPECT_NE(h.message().find("not writable"), std::string::npos) << h.ToString();
  env.SetReadOnly(false);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_TRUE(s->Health().ok());
}

TEST_F(StoreTest, CloseMakesNeverPolicyDurable) {
  FaultEnv env(Env::Default());
  std::mt19937_64 rng(4);
  {
    auto s = Open(FsyncPolicy::kNever, &env);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(s->Append(testing::MakeRandomBatch(rng, 50)).ok());
    ASSERT_TRUE(s->Close().ok());
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  auto s = Open();
  EXPECT_EQ(s->Stats().batches, 10u);
}

TEST_F(StoreTest, CorruptWalIsReportedNotFatal) {
  std::mt19937_64 rng(5);
  {
    auto s = Open();
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(s->Append(testing::MakeRandomBatch(rng, 30)).ok());
  }
  fs::path seg = dir_ / "wal" / file_names::WalSegmentName(1);
  auto size = fs::file_size(seg);
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.write("GARBAGE-GARBAGE-GARBAGE", 23);
  }
  auto s = Open();
  ASSERT_NE(s, nullptr);
  StoreStats st = s->Stats();
  EXPECT_EQ(st.wal_corrupt_records, 1u);
  EXPECT_EQ(st.batches, 9u);
  EXPECT_TRUE(s->Health().ok());
}

TEST_F(StoreTest, ConcurrentAppendsAndReaders) {
  auto s = Open(FsyncPolicy::kInterval);
  ASSERT_NE(s, nullptr);
  constexpr int kThreads = 4;
  constexpr int kBatches = 40;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) {
      uint64_t events = 0;
      vigia::testing::ForEachBatch(GetSnapshot(*s),
                                   [&](const EventBatch& b) { events += b.size(); });
      ASSERT_EQ(events % 10, 0u);  // whole batches only
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      std::mt19937_64 rng(100 + t);
      for (int i = 0; i < kBatches; ++i) {
        ASSERT_TRUE(s->Append(testing::MakeRandomBatch(rng, 10)).ok());
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  EXPECT_EQ(s->Stats().events, static_cast<uint64_t>(kThreads * kBatches * 10));
  ASSERT_TRUE(s->Close().ok());
  s = Open();
  EXPECT_EQ(s->Stats().events, static_cast<uint64_t>(kThreads * kBatches * 10));
}

// A random batch whose events all fall on one UTC day and carry unique timestamps, so that
// flushes write few partitions and tests can check for loss and duplication by ts.
std::shared_ptr<EventBatch> DayBatch(std::mt19937_64& rng, size_t n, int64_t* next_ts) {
  auto b = testing::MakeRandomBatch(rng, n);
  for (auto& e : b->mutable_events()) e.ts_ns = (*next_ts)++;
  return b;
}

std::multiset<int64_t> AllTimestamps(const Store& s) {
  std::multiset<int64_t> ts;
  vigia::testing::ForEachBatch(GetSnapshot(s), [&](const EventBatch& b) {
    for (const auto& e : b.events()) ts.insert(e.ts_ns);
  });
  return ts;
}

TEST_F(StoreTest, FlushMovesEventsToPartsAndReplaySkipsCoveredRecords) {
  std::mt19937_64 rng(7);
  int64_t next_ts = 1763769600000000000;  // 2025-11-22T00:00:00Z
  std::multiset<int64_t> expected;
  {
    auto s = Open();
    ASSERT_NE(s, nullptr);
    for (int i = 0; i < 10; ++i) {
      auto b = DayBatch(rng, 100, &next_ts);
      for (const auto& e : b->events()) expected.insert(e.ts_ns);
      ASSERT_TRUE(s->Append(b).ok());
    }
    ASSERT_TRUE(s->Flush().ok());
    StoreStats st = s->Stats();
    EXPECT_EQ(st.flushes, 1u);
    EXPECT_GE(st.parts, 1u);
    EXPECT_EQ(st.part_rows, 1000u);
    EXPECT_EQ(st.memtable_events, 0u);
    EXPECT_EQ(st.events, 1000u);
    EXPECT_EQ(AllTimestamps(*s), expected);
    StoreSnapshot snap = GetSnapshot(*s);
    EXPECT_EQ(snap.parts->rows(), 1000u);
    EXPECT_TRUE(snap.memtable.empty());
    // More events after the flush stay in the memtable, in the same WAL segment.
    for (int i = 0; i < 3; ++i) {
      auto b = DayBatch(rng, 50, &next_ts);
      for (const auto& e : b->events()) expected.insert(e.ts_ns);
      ASSERT_TRUE(s->Append(b).ok());
    }
    EXPECT_EQ(GetSnapshot(*s).memtable.size(), 3u);
  }
  // The WAL still holds the flushed records (the active segment is never deleted): replay
  // must skip them instead of duplicating the events.
  auto s = Open();
  ASSERT_NE(s, nullptr);
  StoreStats st = s->Stats();
  EXPECT_EQ(st.wal_records_skipped_covered, 10u);
  EXPECT_EQ(st.memtable_events, 150u);
  EXPECT_EQ(st.events, 1150u);
  EXPECT_EQ(AllTimestamps(*s), expected);
}

TEST_F(StoreTest, FlushDeletesCoveredWalSegments) {
  std::mt19937_64 rng(8);
  int64_t next_ts = 1763769600000000000;
  auto s = Open();  // 256 KiB segments
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(s->Append(DayBatch(rng, 100, &next_ts)).ok());
  uint64_t before = s->Stats().wal_segments;
  ASSERT_GE(before, 2u);
  ASSERT_TRUE(s->Flush().ok());
  EXPECT_EQ(s->Stats().wal_segments, 1u);
  EXPECT_EQ(s->Stats().events, 4000u);
  ASSERT_TRUE(s->Close().ok());
  s = Open();
  EXPECT_EQ(s->Stats().events, 4000u);
}

TEST_F(StoreTest, BackgroundFlushByAge) {
  StoreOptions o;
  o.data_dir = dir_.string();
  o.memtable_flush_age_ms = 50;
  o.retention.days = 0;  // the events are from 2025
  auto s = Store::Open(o);
  ASSERT_TRUE(s.ok());
  std::mt19937_64 rng(9);
  int64_t next_ts = 1763769600000000000;
  ASSERT_TRUE((*s)->Append(DayBatch(rng, 10, &next_ts)).ok());
  for (int i = 0; i < 200 && (*s)->Stats().flushes == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE((*s)->Stats().flushes, 1u);
  EXPECT_EQ((*s)->Stats().events, 10u);
}

TEST_F(StoreTest, ReadersSeeEveryEventExactlyOnceWhileFlushing) {
  auto s = Open();
  ASSERT_NE(s, nullptr);
  constexpr int kThreads = 3;
  constexpr int kBatches = 30;
  std::atomic<int64_t> next_ts{1763769600000000000};
  std::atomic<uint64_t> acked{0};
  std::atomic<bool> done{false};
  std::thread flusher([&] {
    while (!done) {
      ASSERT_TRUE(s->Flush().ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  });
  std::thread reader([&] {
    uint64_t last = 0;
    while (!done) {
      uint64_t before = acked.load();
      StoreSnapshot snap = GetSnapshot(*s);
      uint64_t n = snap.parts->rows();
      for (const auto& b : snap.memtable) n += b->size();
      uint64_t after = acked.load();
      // Never a duplicate (n <= acked after), never a loss (n >= acked before), monotonic.
      ASSERT_GE(n, before);
      ASSERT_LE(n, after + kThreads * 10);  // + batches written but not yet acknowledged
      ASSERT_GE(n, last);
      last = n;
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      std::mt19937_64 rng(200 + t);
      for (int i = 0; i < kBatches; ++i) {
        auto b = testing::MakeRandomBatch(rng, 10);
        for (auto& e : b->mutable_events()) e.ts_ns = next_ts++;
        ASSERT_TRUE(s->Append(b).ok());
        acked += 10;
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  flusher.join();
  reader.join();
  std::multiset<int64_t> ts = AllTimestamps(*s);
  EXPECT_EQ(ts.size(), static_cast<size_t>(kThreads * kBatches * 10));
  EXPECT_EQ(std::set<int64_t>(ts.begin(), ts.end()).size(), ts.size());
  ASSERT_TRUE(s->Close().ok());
  s = Open();
  EXPECT_EQ(AllTimestamps(*s), ts);
}

}  // namespace
}  // namespace vigia

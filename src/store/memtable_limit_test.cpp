// The memtable's hard memory limit (store.memtable_max_bytes): MemtableAdmission alone
// (order, oversize batches, timeout on the Env's clock, close), then through the Store with
// concurrent appenders, a blocked append released by a flush and a refusal after the timeout.
// The clocks are FakeClockEnv's: nothing here waits for seconds of real time, and the
// timeouts only fire when a test moves the clock.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "common/fake_clock_env.h"
#include "common/fault_env.h"
#include "store/memtable_admission.h"
#include "store/store_impl.h"
#include "store/store_snapshot.h"

namespace vigia {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kNow = 1'796'040'000'000'000'000;  // 2026-11-30T12:00:00Z
constexpr int64_t kMaxWait = 10 * kSec;

// Polls `pred` (a hang guard, not a speed requirement: fails only after a minute).
bool WaitUntil(const std::function<bool()>& pred) {
  for (int i = 0; i < 60'000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pred();
}

// Runs `fn` on a thread; done() tells whether it returned, status() what.
class Async {
 public:
  explicit Async(std::function<Status()> fn)
      : thread_([this, fn = std::move(fn)] {
          status_ = fn();
          done_.store(true);
        }) {}
  ~Async() {
    if (thread_.joinable()) thread_.join();
  }
  bool done() const { return done_.load(); }
  Status Wait() {
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  std::atomic<bool> done_{false};
  Status status_;
  std::thread thread_;
};

class AdmissionTest : public ::testing::Test {
 protected:
  testing::FakeClockEnv clock_{Env::Default(), kNow, kSec};
};

TEST_F(AdmissionTest, AdmitsUpToTheLimitThenWaitsForARelease) {
  MemtableAdmission a(100, kMaxWait, &clock_);
  int stalls_seen = 0;
  ASSERT_TRUE(a.Admit(60, [&] { ++stalls_seen; }).ok());
  ASSERT_TRUE(a.Admit(40, nullptr).ok());  // exactly at the limit
  EXPECT_EQ(a.stats().admitted_bytes, 100u);
  Async blocked([&] { return a.Admit(1, [&] { ++stalls_seen; }); });
  ASSERT_TRUE(WaitUntil([&] { return a.stats().waiting == 1; }));
  EXPECT_FALSE(blocked.done());
  EXPECT_TRUE(a.has_waiters());
  a.Release(60);  // a flush
  EXPECT_TRUE(blocked.Wait().ok());
  const MemtableAdmission::Stats s = a.stats();
  EXPECT_EQ(s.admitted_bytes, 41u);
  EXPECT_EQ(s.waiting, 0u);
  EXPECT_EQ(s.stalls, 1u);
  EXPECT_EQ(s.refusals, 0u);
  EXPECT_EQ(stalls_seen, 1);
}

TEST_F(AdmissionTest, ABatchLargerThanTheLimitGoesIntoAnEmptyMemtableOnly) {
  MemtableAdmission a(100, kMaxWait, &clock_);
  ASSERT_TRUE(a.Admit(500, nullptr).ok());  // nothing admitted: no wait, no deadlock
  EXPECT_EQ(a.stats().stalls, 0u);
  Async second([&] { return a.Admit(500, nullptr); });
  ASSERT_TRUE(WaitUntil([&] { return a.stats().waiting == 1; }));
  a.Release(400);  // 100 left: still not empty
  ASSERT_TRUE(WaitUntil([&] { return a.stats().admitted_bytes == 100; }));
  EXPECT_FALSE(second.done());
  a.Release(100);
  EXPECT_TRUE(second.Wait().ok());
  EXPECT_EQ(a.stats().admitted_bytes, 500u);
}

TEST_F(AdmissionTest, WaitersAreServedInArrivalOrder) {
  MemtableAdmission a(100, kMaxWait, &clock_);
  ASSERT_TRUE(a.Admit(90, nullptr).ok());
  Async big([&] { return a.Admit(50, nullptr); });
  ASSERT_TRUE(WaitUntil([&] { return a.stats().waiting == 1; }));
  // 90 + 5 would fit, but the waiting batch came first: the small one queues behind it.
  Async small([&] { return a.Admit(5, nullptr); });
  ASSERT_TRUE(WaitUntil([&] { return a.stats().waiting == 2; }));
  EXPECT_FALSE(small.done());
  a.Release(90);
  EXPECT_TRUE(big.Wait().ok());
  EXPECT_TRUE(small.Wait().ok());
  EXPECT_EQ(a.stats().admitted_bytes, 55u);
  EXPECT_EQ(a.stats().stalls, 2u);
}

TEST_F(AdmissionTest, RefusedAfterTheTimeoutOnTheEnvClock) {
  MemtableAdmission a(100, kMaxWait, &clock_);
  ASSERT_TRUE(a.Admit(80, nullptr).ok());
  Async first([&] { return a.Admit(50, nullptr); });
  ASSERT_TRUE(WaitUntil([&] { return a.stats().waiting == 1; }));
  clock_.Advance(kMaxWait - kSec);  // 9 s: still within its wait
  Async second([&] { return a.Admit(30, nullptr); });
  ASSERT_TRUE(WaitUntil([&] { return a.stats().waiting == 2; }));
  clock_.Advance(kSec);  // 10 s for the first, 1 s for the second
  Status st = first.Wait();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("memtable full"), std::string::npos) << st.ToString();
  EXPECT_FALSE(second.done());  // its own deadline has not passed
  EXPECT_EQ(a.stats().refusals, 1u);
  a.Release(80);
  EXPECT_TRUE(second.Wait().ok());
  const MemtableAdmission::Stats s = a.stats();
  EXPECT_EQ(s.admitted_bytes, 30u);
  EXPECT_EQ(s.stalls, 2u);
  EXPECT_EQ(s.refusals, 1u);
}

TEST_F(AdmissionTest, CloseWakesWaitersWithUnavailable) {
  MemtableAdmission a(100, kMaxWait, &clock_);
  ASSERT_TRUE(a.Admit(100, nullptr).ok());
  Async blocked([&] { return a.Admit(10, nullptr); });
  ASSERT_TRUE(WaitUntil([&] { return a.stats().waiting == 1; }));
  a.Close();
  EXPECT_EQ(blocked.Wait().code(), StatusCode::kUnavailable);
  EXPECT_EQ(a.Admit(1, nullptr).code(), StatusCode::kUnavailable);
  EXPECT_EQ(a.stats().refusals, 0u);  // closing is not a refusal for want of room
}

TEST_F(AdmissionTest, NoLimitNeverWaits) {
  MemtableAdmission a(0, kMaxWait, &clock_);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(a.Admit(uint64_t{1} << 40, nullptr).ok());
  EXPECT_EQ(a.stats().stalls, 0u);
}

// `n` events of about 100 bytes each.
std::shared_ptr<EventBatch> Events(int64_t ts, int n) {
  auto b = std::make_shared<EventBatch>();
  for (int i = 0; i < n; ++i) {
    b->BeginEvent(ts + i);
    b->AddField("level", Value::String("info"));
    b->AddField("msg", Value::String(b->arena().Copy("request done id " + std::to_string(i))));
    b->AddField("service", Value::String("sales-api"));
  }
  return b;
}

uint64_t CountRows(const Store& s) {
  StoreSnapshot snap = GetSnapshot(s);
  uint64_t n = snap.parts->rows();
  for (const auto& b : snap.memtable) n += b->size();
  return n;
}

class MemtableLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigia_memtable_limit_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    batch_bytes_ = Events(kNow, kBatchEvents)->MemoryUsage();
  }
  void TearDown() override { fs::remove_all(dir_); }

  StoreOptions Options(uint64_t max_batches) {
    StoreOptions o;
    o.data_dir = dir_.string();
    o.env = &faults_;
    o.fsync = FsyncPolicy::kNever;
    o.retention.days = 0;
    o.background_merges = false;
    o.memtable_flush_age_ms = 1 << 30;
    o.memtable_flush_bytes = uint64_t{1} << 40;  // only appends waiting for room flush
    o.memtable_max_bytes = max_batches * batch_bytes_;
    o.memtable_stall_max_ms = static_cast<int>(kMaxWait / 1'000'000);
    return o;
  }
  std::unique_ptr<StoreImpl> Open(const StoreOptions& o) {
    auto s = StoreImpl::OpenImpl(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  static constexpr int kBatchEvents = 50;
  testing::FakeClockEnv clock_{Env::Default(), kNow, kSec};
  FaultEnv faults_{&clock_};
  fs::path dir_;
  uint64_t batch_bytes_ = 0;
};

// Appenders racing on both cores (and the flush thread making room) never take the memtable
// past its limit by more than one batch, and every acknowledged event is there. The clock
// never moves, so no append can time out.
TEST_F(MemtableLimitTest, ConcurrentAppendersNeverExceedTheLimitByMoreThanOneBatch) {
  StoreOptions o = Options(6);
  o.memtable_flush_bytes = 3 * batch_bytes_;  // flushes start at half the limit
  auto s = Open(o);
  ASSERT_NE(s, nullptr);
  constexpr int kThreads = 6;
  constexpr int kPerThread = 40;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int64_t ts = kNow + (int64_t{t} * kPerThread + i) * kBatchEvents;
        if (!s->Append(Events(ts, kBatchEvents)).ok()) failed.fetch_add(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  const StoreStats st = s->Stats();
  EXPECT_EQ(st.memtable_max_bytes, o.memtable_max_bytes);
  EXPECT_LE(st.memtable_peak_bytes, o.memtable_max_bytes + batch_bytes_)
      << "batch " << batch_bytes_ << " stalls " << st.memtable_stalls;
  EXPECT_EQ(st.memtable_refusals, 0u);
  EXPECT_GE(st.flushes, 1u);
  EXPECT_EQ(CountRows(*s), uint64_t{kThreads} * kPerThread * kBatchEvents);
}

// An append that does not fit waits; a flush that fails makes no room, the one that works
// lets it in.
TEST_F(MemtableLimitTest, ABlockedAppendProceedsAfterAFlush) {
  auto s = Open(Options(2));
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->Append(Events(kNow, kBatchEvents)).ok());
  ASSERT_TRUE(s->Append(Events(kNow + kBatchEvents, kBatchEvents)).ok());
  faults_.SetReadOnly(true);  // the flushes the waiting append triggers fail
  Async blocked([&] { return s->Append(Events(kNow + 2 * kBatchEvents, kBatchEvents)); });
  ASSERT_TRUE(WaitUntil([&] { return s->Stats().memtable_stalls == 1; }));
  EXPECT_FALSE(blocked.done());
  faults_.SetReadOnly(false);
  ASSERT_TRUE(s->Flush().ok());
  EXPECT_TRUE(blocked.Wait().ok());
  const StoreStats st = s->Stats();
  EXPECT_EQ(st.memtable_stalls, 1u);
  EXPECT_EQ(st.memtable_refusals, 0u);
  EXPECT_EQ(CountRows(*s), 3u * kBatchEvents);
}

TEST_F(MemtableLimitTest, AnAppendStillBlockedAfterTheTimeoutIsRefused) {
  auto s = Open(Options(1));
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->Append(Events(kNow, kBatchEvents)).ok());
  faults_.SetReadOnly(true);
  Async blocked([&] { return s->Append(Events(kNow + kBatchEvents, kBatchEvents)); });
  ASSERT_TRUE(WaitUntil([&] { return s->Stats().memtable_stalls == 1; }));
  clock_.Advance(kMaxWait);
  const Status st = blocked.Wait();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();  // 503 + Retry-After
  EXPECT_EQ(s->Stats().memtable_refusals, 1u);
  EXPECT_EQ(CountRows(*s), uint64_t{kBatchEvents});  // nothing of the refused batch
  // Once the flush works again, appends go through.
  faults_.SetReadOnly(false);
  EXPECT_TRUE(s->Append(Events(kNow + 2 * kBatchEvents, kBatchEvents)).ok());
  EXPECT_EQ(CountRows(*s), 2u * kBatchEvents);
}

TEST_F(MemtableLimitTest, ABatchLargerThanTheLimitIsAcceptedIntoAnEmptyMemtable) {
  StoreOptions o = Options(1);
  o.memtable_max_bytes = batch_bytes_ / 4;
  auto s = Open(o);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->Append(Events(kNow, kBatchEvents)).ok());
  EXPECT_EQ(s->Stats().memtable_stalls, 0u);
  // The next one waits for the flush of the first (the flush thread sees it waiting).
  ASSERT_TRUE(s->Append(Events(kNow + kBatchEvents, kBatchEvents)).ok());
  const StoreStats st = s->Stats();
  EXPECT_EQ(st.memtable_stalls, 1u);
  EXPECT_GE(st.flushes, 1u);
  EXPECT_EQ(CountRows(*s), 2u * kBatchEvents);
}

// A flush that ends with the memtable due again (appends filled it while it ran, as under
// full ingest) is followed by the next one at once. The append's wake-up came while the
// flush thread was busy and found nobody waiting: the thread used to sleep until another
// append or its check interval (200 ms, here 10 min) while appends stalled at the limit.
TEST_F(MemtableLimitTest, AFlushThatEndsWithTheMemtableDueIsFollowedByTheNextAtOnce) {
  StoreOptions o = Options(0);              // no memory limit: only the flush size matters
  o.memtable_flush_bytes = batch_bytes_;    // every batch makes the memtable due
  o.maintenance_check_ms = 600'000;         // only wake-ups and due memtables flush
  faults_.SetSyncDelayMicros(100'000);      // a flush takes a few 100 ms (its part's syncs)
  auto s = Open(o);
  ASSERT_NE(s, nullptr);
  const uint64_t syncs_before = faults_.syncs();
  ASSERT_TRUE(s->Append(Events(kNow, kBatchEvents)).ok());  // wakes the flush thread
  // The flush is writing its part (more syncs follow the first), so the next append's
  // wake-up finds the thread busy.
  ASSERT_TRUE(WaitUntil([&] { return faults_.syncs() > syncs_before + 1; }));
  ASSERT_EQ(s->Stats().flushes, 0u);
  ASSERT_TRUE(s->Append(Events(kNow + kBatchEvents, kBatchEvents)).ok());
  ASSERT_TRUE(WaitUntil([&] { return s->Stats().flushes >= 2; }))
      << "flushes " << s->Stats().flushes << ": the second waited for a wake-up";
  EXPECT_EQ(s->Stats().memtable_events, 0u);
  EXPECT_EQ(CountRows(*s), 2u * kBatchEvents);
}

// Events replayed from the WAL at Open count against the limit.
TEST_F(MemtableLimitTest, ReplayedEventsCountAgainstTheLimit) {
  {
    StoreOptions o = Options(2);
    o.flush_on_close = false;
    auto s = Open(o);
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->Append(Events(kNow, kBatchEvents)).ok());
    ASSERT_TRUE(s->Append(Events(kNow + kBatchEvents, kBatchEvents)).ok());
    ASSERT_TRUE(s->Close().ok());
  }
  auto s = Open(Options(1));  // the two replayed batches are already over it
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->Stats().memtable_events, 2u * kBatchEvents);
  ASSERT_TRUE(s->Append(Events(kNow + 2 * kBatchEvents, kBatchEvents)).ok());
  EXPECT_EQ(s->Stats().memtable_stalls, 1u);
  EXPECT_EQ(CountRows(*s), 3u * kBatchEvents);
}

}  // namespace
}  // namespace vigia

// Scheduler on a fake clock: tasks run when the clock reaches their time and not before,
// never overlap themselves, skip missed runs, count failures, and Stop joins. No sleep
// decides an assertion: Settle() is the point where everything due has run.
#include "common/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "common/fake_clock_env.h"

namespace vigia {
namespace {

constexpr int64_t kSec = 1'000'000'000;

class SchedulerTest : public ::testing::Test {
 protected:
  testing::FakeClockEnv clock_{Env::Default(), 1'700'000'000 * kSec, 1000 * kSec};
  SchedulerOptions Options(int threads = 2) {
    SchedulerOptions o;
    o.env = &clock_;
    o.threads = threads;
    return o;
  }
};

// Waits (up to a minute, for loaded machines) until `pred` holds.
bool WaitFor(const std::function<bool()>& pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

ScheduledTask Counting(std::string name, int64_t interval, std::atomic<int>* runs) {
  ScheduledTask t;
  t.name = std::move(name);
  t.interval_ns = interval;
  t.run = [runs] {
    runs->fetch_add(1);
    return Status::Ok();
  };
  return t;
}

TEST_F(SchedulerTest, RunsEachTaskWhenTheClockReachesItsTime) {
  Scheduler s(Options());
  std::atomic<int> fast{0}, slow{0};
  s.AddTask(Counting("fast", 10 * kSec, &fast));
  s.AddTask(Counting("slow", 60 * kSec, &slow));
  s.Start();
  s.Settle();
  EXPECT_EQ(fast.load(), 0);  // the first run is one interval after Start
  clock_.Advance(9 * kSec);
  s.Settle();
  EXPECT_EQ(fast.load(), 0);
  clock_.Advance(1 * kSec);
  s.Settle();
  EXPECT_EQ(fast.load(), 1);
  EXPECT_EQ(slow.load(), 0);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(10 * kSec);
    s.Settle();
  }
  EXPECT_EQ(fast.load(), 6);
  EXPECT_EQ(slow.load(), 1);
  std::vector<ScheduledTaskStats> stats = s.Stats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].name, "fast");
  EXPECT_EQ(stats[0].runs, 6u);
  EXPECT_EQ(stats[0].next_run_ns, clock_.MonotonicNanos() + 10 * kSec);
  s.Stop();
}

TEST_F(SchedulerTest, FirstDelayAndMissedRunsAreSkippedNotBurst) {
  Scheduler s(Options());
  std::atomic<int> runs{0};
  ScheduledTask t = Counting("retention", 10 * kSec, &runs);
  t.first_delay_ns = 0;
  s.AddTask(std::move(t));
  s.Start();
  s.Settle();
  EXPECT_EQ(runs.load(), 1);  // at once
  clock_.Advance(95 * kSec);  // nine slots passed: one run, not nine
  s.Settle();
  EXPECT_EQ(runs.load(), 2);
  // Planned on the original grid: slots at 0, 10, ..., the next one after 95 is 100.
  EXPECT_EQ(s.Stats()[0].next_run_ns, clock_.MonotonicNanos() + 5 * kSec);
  clock_.Advance(5 * kSec);
  s.Settle();
  EXPECT_EQ(runs.load(), 3);
}

TEST_F(SchedulerTest, JitterDelaysARunWithinItsBound) {
  Scheduler s(Options());
  std::atomic<int> runs{0};
  ScheduledTask t = Counting("probe", 10 * kSec, &runs);
  t.first_delay_ns = 0;
  t.jitter_ns = 2 * kSec;
  s.AddTask(std::move(t));
  s.Start();
  s.Settle();
  ASSERT_EQ(runs.load(), 1);
  const int64_t start = clock_.MonotonicNanos();
  std::set<int64_t> offsets;
  for (int i = 0; i < 20; ++i) {
    // Each run is planned on the 10 s grid from Start, up to 2 s late.
    int64_t offset = (s.Stats()[0].next_run_ns - start) % (10 * kSec);
    EXPECT_LT(offset, 2 * kSec);
    offsets.insert(offset);
    clock_.Advance(10 * kSec);
    clock_.Advance(2 * kSec - (clock_.MonotonicNanos() - start) % (10 * kSec));  // past it
    s.Settle();
  }
  EXPECT_GT(offsets.size(), 1u);
  EXPECT_EQ(runs.load(), 21);
}

TEST_F(SchedulerTest, FailuresAreCountedAndTheTaskRunsAgain) {
  Scheduler s(Options());
  std::atomic<int> calls{0};
  ScheduledTask t;
  t.name = "flaky";
  t.interval_ns = kSec;
  t.run = [&calls]() -> Status {
    int n = calls.fetch_add(1);
    if (n == 0) return Status::IOError("disk gone");
    if (n == 1) throw std::runtime_error("bug");
    return Status::Ok();
  };
  s.AddTask(std::move(t));
  s.Start();
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(kSec);
    s.Settle();
  }
  EXPECT_EQ(calls.load(), 3);
  ScheduledTaskStats st = s.Stats()[0];
  EXPECT_EQ(st.runs, 3u);
  EXPECT_EQ(st.failures, 2u);
  EXPECT_NE(st.last_error.find("bug"), std::string::npos) << st.last_error;
}

// A run that takes longer than its interval: the task does not start again while it runs,
// while another task keeps its own schedule on the other thread.
TEST_F(SchedulerTest, ATaskNeverOverlapsItselfAndDoesNotBlockOthers) {
  Scheduler s(Options(/*threads=*/2));
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  bool slow_started = false;
  std::atomic<int> slow_runs{0}, slow_active{0}, max_active{0}, other{0};
  ScheduledTask slow;
  slow.name = "backup";
  slow.interval_ns = kSec;
  slow.run = [&] {
    int active = slow_active.fetch_add(1) + 1;
    max_active.store(std::max(max_active.load(), active));
    std::unique_lock<std::mutex> lock(mu);
    slow_started = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    slow_active.fetch_sub(1);
    slow_runs.fetch_add(1);
    return Status::Ok();
  };
  s.AddTask(std::move(slow));
  s.AddTask(Counting("alerts", kSec, &other));
  s.Start();
  clock_.Advance(kSec);
  s.Wake();
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return slow_started; });
  }
  // The backup is still running: three more slots pass; the alerts run in each, the backup
  // does not start a second time. (Settle would wait for the backup: wait for the count.)
  for (int want = 1; want <= 4; ++want) {
    ASSERT_TRUE(WaitFor([&] { return other.load() >= want; })) << want;
    EXPECT_EQ(other.load(), want);
    if (want < 4) {
      clock_.Advance(kSec);
      s.Wake();
    }
  }
  EXPECT_EQ(slow_runs.load(), 0);
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  s.Settle();
  // It ran up to its 4 s slot, so it runs once more at once; the slots it ran through are
  // skipped.
  EXPECT_EQ(slow_runs.load(), 2);
  EXPECT_EQ(max_active.load(), 1);
  EXPECT_EQ(other.load(), 4);
}

TEST_F(SchedulerTest, StopJoinsAndNothingRunsAfterIt) {
  std::atomic<int> runs{0};
  {
    Scheduler s(Options());
    s.AddTask(Counting("t", kSec, &runs));
    s.Start();
    clock_.Advance(kSec);
    s.Settle();
    EXPECT_EQ(runs.load(), 1);
    s.Stop();
    EXPECT_TRUE(s.stopping());
    clock_.Advance(10 * kSec);
    s.Stop();  // idempotent
  }            // and the destructor after it
  EXPECT_EQ(runs.load(), 1);
}

TEST_F(SchedulerTest, RunsOnTheRealClockToo) {
  SchedulerOptions o;  // Env::Default()
  Scheduler s(o);
  std::mutex mu;
  std::condition_variable cv;
  int runs = 0;
  ScheduledTask t;
  t.name = "tick";
  t.interval_ns = 1'000'000;  // 1 ms
  t.run = [&] {
    std::lock_guard<std::mutex> lock(mu);
    ++runs;
    cv.notify_all();
    return Status::Ok();
  };
  s.AddTask(std::move(t));
  s.Start();
  std::unique_lock<std::mutex> lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return runs >= 3; }));
}

}  // namespace
}  // namespace vigia

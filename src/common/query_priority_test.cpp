// QueryPriority: background work and ingest give way to running queries, and every wait is
// bounded (a query that never ends slows them, never stops them).
#include "common/query_priority.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace vigia {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TEST(QueryPriorityTest, NoWaitWithoutQueries) {
  QueryPriority p;
  EXPECT_EQ(p.queries_running(), 0);
  EXPECT_EQ(p.WaitWhileQueriesRun(milliseconds(5'000)), std::chrono::nanoseconds::zero());
  EXPECT_EQ(p.stats().background_waits, 0u);
}

TEST(QueryPriorityTest, DisabledNeverWaits) {
  QueryPriority p(false);
  QueryPriority::Scope query(&p);
  EXPECT_EQ(p.queries_running(), 0);
  EXPECT_EQ(p.WaitWhileQueriesRun(milliseconds(5'000)), std::chrono::nanoseconds::zero());
  QueryPriority::IngestTurn a(&p, milliseconds(5'000));
  QueryPriority::IngestTurn b(&p, milliseconds(5'000));
  EXPECT_FALSE(b.waited());
  EXPECT_EQ(p.stats().queries, 1u);
}

TEST(QueryPriorityTest, BackgroundWaitsUntilTheQueryEnds) {
  QueryPriority p;
  auto scope = std::make_unique<QueryPriority::Scope>(&p);
  EXPECT_EQ(p.queries_running(), 1);
  std::atomic<bool> started{false}, done{false};
  Clock::time_point called;
  auto waiter = std::async(std::launch::async, [&] {
    called = Clock::now();
    started = true;
    auto w = p.WaitWhileQueriesRun(milliseconds(30'000));
    done = true;
    return w;
  });
  // Timed from the waiter's call, not from std::async: under load (ASan, two tests at once)
  // its thread may start tens of milliseconds late.
  while (!started.load()) std::this_thread::sleep_for(milliseconds(1));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(done.load()) << "the background job ran on while a query was running";
  const auto ended = Clock::now();
  scope.reset();
  const auto waited = waiter.get();
  // It waited until the query ended (a few milliseconds of slack for entering the call).
  EXPECT_GE(waited, std::chrono::duration_cast<milliseconds>(ended - called) - milliseconds(5));
  EXPECT_GE(waited, milliseconds(90));
  EXPECT_LT(waited, milliseconds(20'000));  // woken by the query's end, not the bound
  EXPECT_EQ(p.stats().background_waits, 1u);
  EXPECT_EQ(p.stats().queries, 1u);
}

TEST(QueryPriorityTest, BackgroundWaitIsBounded) {
  QueryPriority p;
  QueryPriority::Scope forever(&p);
  const auto start = Clock::now();
  p.WaitWhileQueriesRun(milliseconds(50));
  EXPECT_GE(Clock::now() - start, milliseconds(50));
  EXPECT_LT(Clock::now() - start, milliseconds(10'000));
}

TEST(QueryPriorityTest, BackgroundYieldSpendsItsBudgetThenRunsOn) {
  QueryPriority p;
  QueryPriority::Scope forever(&p);
  BackgroundYield y(&p, milliseconds(120));
  const auto start = Clock::now();
  for (int i = 0; i < 50; ++i) y.Yield();  // a job of 50 blocks
  const auto took = Clock::now() - start;
  EXPECT_GE(y.waited(), milliseconds(120));
  // The budget is for the whole job, not per block: 50 blocks do not wait 50 x 120 ms.
  EXPECT_LT(took, milliseconds(3'000));
  const auto before = Clock::now();
  y.Yield();
  EXPECT_LT(Clock::now() - before, milliseconds(20));
}

TEST(QueryPriorityTest, IngestBatchesRunInParallelWithoutQueries) {
  QueryPriority p;
  QueryPriority::IngestTurn a(&p, milliseconds(5'000));
  QueryPriority::IngestTurn b(&p, milliseconds(5'000));
  EXPECT_FALSE(a.waited());
  EXPECT_FALSE(b.waited());
  EXPECT_EQ(p.ingest_batches_active(), 2);
}

TEST(QueryPriorityTest, OneIngestBatchAtATimeWhileAQueryRuns) {
  QueryPriority p;
  QueryPriority::Scope query(&p);
  auto first = std::make_unique<QueryPriority::IngestTurn>(&p, milliseconds(5'000));
  EXPECT_FALSE(first->waited()) << "the only batch must not wait";
  std::atomic<bool> started{false};
  auto second = std::async(std::launch::async, [&] {
    QueryPriority::IngestTurn t(&p, milliseconds(30'000));
    started = true;
    return t.waited();
  });
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(started.load()) << "a second batch decoded beside the first during a query";
  EXPECT_EQ(p.ingest_batches_active(), 1);
  first.reset();
  EXPECT_TRUE(second.get());
  EXPECT_EQ(p.stats().ingest_waits, 1u);
}

TEST(QueryPriorityTest, TheIngestWaitEndsWithTheQuery) {
  QueryPriority p;
  auto query = std::make_unique<QueryPriority::Scope>(&p);
  QueryPriority::IngestTurn first(&p, milliseconds(5'000));
  auto second = std::async(std::launch::async, [&] {
    const auto start = Clock::now();
    QueryPriority::IngestTurn t(&p, milliseconds(30'000));
    return Clock::now() - start;
  });
  std::this_thread::sleep_for(milliseconds(50));
  query.reset();
  EXPECT_LT(second.get(), milliseconds(20'000));
  EXPECT_EQ(p.ingest_batches_active(), 1);
}

TEST(QueryPriorityTest, IngestWaitIsBounded) {
  QueryPriority p;
  QueryPriority::Scope forever(&p);
  QueryPriority::IngestTurn first(&p, milliseconds(5'000));
  const auto start = Clock::now();
  QueryPriority::IngestTurn second(&p, milliseconds(50));
  EXPECT_TRUE(second.waited());
  EXPECT_GE(Clock::now() - start, milliseconds(50));
  EXPECT_EQ(p.ingest_batches_active(), 2);  // past the bound it decodes anyway
}

// A batch already under way when a query starts steps aside at its next checkpoint while
// another batch goes on: the gate at a batch's start alone was hardly ever reached while a
// 5-30 ms query ran (issue 20, round twelve).
TEST(QueryPriorityTest, ABatchUnderWayStepsAsideWhenAQueryStarts) {
  QueryPriority p;
  QueryPriority::IngestTurn mine(&p, milliseconds(30'000));
  std::atomic<bool> other_started{false}, other_resumed{false};
  std::promise<void> query_started;
  auto other = std::async(std::launch::async, [&] {
    QueryPriority::IngestTurn t(&p, milliseconds(30'000));
    other_started = true;
    query_started.get_future().wait();
    t.Checkpoint();
    other_resumed = true;
    return t.waited();
  });
  while (!other_started.load()) std::this_thread::sleep_for(milliseconds(1));
  EXPECT_EQ(p.ingest_batches_active(), 2);
  mine.Checkpoint();  // no query: goes on
  EXPECT_FALSE(mine.waited());
  auto query = std::make_unique<QueryPriority::Scope>(&p);
  query_started.set_value();
  // The other batch steps aside (one active); this one, the only one left, goes on.
  for (int i = 0; i < 2000 && p.ingest_batches_active() != 1; ++i) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_EQ(p.ingest_batches_active(), 1);
  mine.Checkpoint();
  EXPECT_FALSE(mine.waited()) << "the one batch left stepped aside too";
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(other_resumed.load()) << "a second batch went on beside the first during a query";
  query.reset();
  EXPECT_TRUE(other.get());
  EXPECT_EQ(p.ingest_batches_active(), 1);  // the other batch ended
  EXPECT_EQ(p.stats().ingest_waits, 1u);
}

// The batch that stepped aside goes on when the other batch ends, the query still running.
TEST(QueryPriorityTest, ACheckpointWaitEndsWithTheOtherBatch) {
  QueryPriority p;
  QueryPriority::Scope query(&p);
  auto first = std::make_unique<QueryPriority::IngestTurn>(&p, milliseconds(30'000));
  // No time to wait: starts beside the first, and its checkpoint goes on.
  auto second = std::make_unique<QueryPriority::IngestTurn>(&p, milliseconds(0));
  second->Checkpoint();
  EXPECT_FALSE(second->waited());
  EXPECT_EQ(p.ingest_batches_active(), 2);
  auto first_aside = std::async(std::launch::async, [&] {
    const auto start = Clock::now();
    first->Checkpoint();
    return Clock::now() - start;
  });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(first_aside.wait_for(milliseconds(0)), std::future_status::timeout)
      << "a second batch went on beside the first during a query";
  EXPECT_EQ(p.ingest_batches_active(), 1);
  second.reset();
  EXPECT_LT(first_aside.get(), milliseconds(20'000));
  EXPECT_TRUE(first->waited());
  EXPECT_EQ(p.ingest_batches_active(), 1);
}

// All the waits of one turn, its start and its checkpoints, add up to at most its bound.
TEST(QueryPriorityTest, ATurnsCheckpointsShareItsBound) {
  QueryPriority p;
  QueryPriority::Scope forever(&p);
  QueryPriority::IngestTurn other(&p, milliseconds(5'000));
  const auto start = Clock::now();
  QueryPriority::IngestTurn t(&p, milliseconds(120));  // waits out part of its bound
  for (int i = 0; i < 50; ++i) t.Checkpoint();         // and the rest, not 50 x 120 ms
  const auto took = Clock::now() - start;
  EXPECT_TRUE(t.waited());
  EXPECT_GE(took, milliseconds(120));
  EXPECT_LT(took, milliseconds(3'000));
  EXPECT_EQ(p.ingest_batches_active(), 2);
  const auto before = Clock::now();
  t.Checkpoint();
  EXPECT_LT(Clock::now() - before, milliseconds(20));
}

// A flush's writer and its encode helper share one BackgroundYield: both wait while a query
// runs, and their waits together stay within the job's budget (each counted).
TEST(QueryPriorityTest, BackgroundYieldIsSharedByTwoThreads) {
  QueryPriority p;
  auto query = std::make_unique<QueryPriority::Scope>(&p);
  BackgroundYield y(&p, milliseconds(30'000));
  std::atomic<int> started{0}, done{0};
  auto job = [&] {
    ++started;
    y.Yield();
    ++done;
  };
  auto a = std::async(std::launch::async, job);
  auto b = std::async(std::launch::async, job);
  while (started.load() < 2) std::this_thread::sleep_for(milliseconds(1));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(done.load(), 0) << "a thread of the job ran on while a query was running";
  query.reset();
  a.get();
  b.get();
  EXPECT_EQ(done.load(), 2);
  EXPECT_EQ(p.stats().background_waits, 2u);
  QueryPriority::Scope forever(&p);
  BackgroundYield small(&p, milliseconds(60));
  auto c = std::async(std::launch::async, [&] {
    for (int i = 0; i < 20; ++i) small.Yield();
  });
  for (int i = 0; i < 20; ++i) small.Yield();
  c.get();
  EXPECT_LT(small.waited(), milliseconds(2 * 60 + 2 * 1'000));  // the budget, plus slack
  EXPECT_GE(small.waited(), milliseconds(60));
}

}  // namespace
}  // namespace vigia

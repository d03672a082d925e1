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

}  // namespace
}  // namespace vigia

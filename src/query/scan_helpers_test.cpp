#include "query/scan_helpers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <thread>
#include <vector>

namespace vigia {
namespace {

using namespace std::chrono_literals;

// Waits up to 10 s for `cond`.
template <typename F>
bool Eventually(F cond) {
  for (auto end = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < end;
       std::this_thread::sleep_for(1ms)) {
    if (cond()) return true;
  }
  return cond();
}

// As the engine uses it: the slots share a queue of items, so every item is done exactly
// once whether or not helpers join, with many callers at once.
TEST(ScanHelpersTest, EveryItemIsDoneOnceWithManyCallers) {
  ScanHelpers pool(2);
  constexpr int kCallers = 6, kRuns = 150, kItems = 64;
  std::vector<std::thread> callers;
  std::atomic<int> wrong{0};
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&] {
      for (int run = 0; run < kRuns; ++run) {
        std::vector<std::atomic<int>> done(kItems);
        std::atomic<int> next{0};
        std::vector<int> per_slot(3, 0);  // each slot writes only its own entry
        pool.Run(2, [&](size_t slot) {
          for (int i; (i = next.fetch_add(1)) < kItems;) {
            done[static_cast<size_t>(i)].fetch_add(1);
            ++per_slot[slot];
          }
        });
        int total = 0;
        for (auto& d : done) {
          if (d.load() != 1) wrong.fetch_add(1);
        }
        for (int n : per_slot) total += n;
        if (total != kItems) wrong.fetch_add(1);
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// An idle helper takes the offered slot while the caller is still in its own.
TEST(ScanHelpersTest, AnIdleHelperRunsTheOfferedSlot) {
  ScanHelpers pool(1);
  std::atomic<bool> helper_ran{false};
  pool.Run(1, [&](size_t slot) {
    if (slot == 1) {
      helper_ran = true;
      return;
    }
    EXPECT_TRUE(Eventually([&] { return helper_ran.load(); }));
  });
  EXPECT_TRUE(helper_ran.load());
  EXPECT_EQ(pool.slots_run(), 1u);
}

// Run returns only after a slot a helper took has returned.
TEST(ScanHelpersTest, RunWaitsForTakenSlots) {
  ScanHelpers pool(1);
  std::atomic<bool> started{false}, finished{false};
  pool.Run(1, [&](size_t slot) {
    if (slot == 1) {
      started = true;
      std::this_thread::sleep_for(50ms);
      finished = true;
      return;
    }
    ASSERT_TRUE(Eventually([&] { return started.load(); }));
  });
  EXPECT_TRUE(finished.load());
}

// The point of the pool: with every helper busy, a caller does its work alone and returns
// without waiting for a helper to become free; its untaken slot never runs.
TEST(ScanHelpersTest, ACallerDoesNotWaitForABusyHelper) {
  ScanHelpers pool(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> busy{false};
  std::thread occupant([&] {
    pool.Run(1, [&](size_t slot) {
      if (slot == 1) {
        busy = true;
        released.wait();  // holds the only helper
        return;
      }
      ASSERT_TRUE(Eventually([&] { return busy.load(); }));
    });
  });
  ASSERT_TRUE(Eventually([&] { return busy.load(); }));
  std::atomic<int> slot1_runs{0};
  auto second = std::async(std::launch::async, [&] {
    pool.Run(1, [&](size_t slot) {
      if (slot == 1) slot1_runs.fetch_add(1);
    });
  });
  const bool returned = second.wait_for(5s) == std::future_status::ready;
  release.set_value();
  occupant.join();
  second.wait();
  EXPECT_TRUE(returned) << "Run waited for a helper that was busy elsewhere";
  // The withdrawn slot stays withdrawn once the helper is free again.
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(slot1_runs.load(), 0);
}

// A Job offers its slots only when the caller asks: a short scan wakes no helper, and a
// helper joins a scan that asked midway.
TEST(ScanHelpersTest, AJobOffersItsSlotsOnlyWhenAsked) {
  ScanHelpers pool(1);
  std::atomic<int> helper_runs{0};
  const std::function<void(size_t)> fn = [&](size_t slot) {
    if (slot == 1) helper_runs.fetch_add(1);
  };
  {
    ScanHelpers::Job job(&pool, 1, &fn);
    fn(0);
    std::this_thread::sleep_for(20ms);  // time enough for an offered slot to be taken
    EXPECT_FALSE(job.offered());
    job.Finish();
  }
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(helper_runs.load(), 0);
  EXPECT_EQ(pool.slots_run(), 0u);

  std::atomic<bool> helper_ran{false};
  ScanHelpers::Job* asked = nullptr;
  const std::function<void(size_t)> midway = [&](size_t slot) {
    if (slot == 1) {
      helper_ran = true;
      return;
    }
    asked->OfferSlots();
    asked->OfferSlots();  // once is enough: the second does nothing
    EXPECT_TRUE(Eventually([&] { return helper_ran.load(); }));
  };
  ScanHelpers::Job job(&pool, 1, &midway);
  asked = &job;
  midway(0);
  job.Finish();
  EXPECT_TRUE(job.offered());
  EXPECT_TRUE(helper_ran.load());
  EXPECT_EQ(pool.slots_run(), 1u);
}

TEST(ScanHelpersTest, NoExtraSlotsRunsInlineOnly) {
  ScanHelpers pool(2);
  int calls = 0;
  pool.Run(0, [&](size_t slot) {
    EXPECT_EQ(slot, 0u);
    ++calls;
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(pool.slots_run(), 0u);
}

}  // namespace
}  // namespace vigia

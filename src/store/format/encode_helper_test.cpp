// EncodeHelper: every task of a job runs exactly once, on the helper thread and on the
// caller; jobs follow one another; a writer destroyed with a job in flight does not hang.
#include "store/format/encode_helper.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace vigia {
namespace {

TEST(EncodeHelperTest, EveryTaskRunsOnceOnEitherThread) {
  EncodeHelper h;
  const auto caller = std::this_thread::get_id();
  for (size_t n : {0, 1, 2, 5, 40}) {
    SCOPED_TRACE(n);
    std::vector<std::atomic<int>> runs(n);
    std::vector<std::thread::id> where(n);
    h.Start(n, [&](size_t i) {
      runs[i].fetch_add(1);
      where[i] = std::this_thread::get_id();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    });
    // The caller's own work meanwhile: the helper takes tasks without it.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    h.Finish();
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(runs[i].load(), 1) << i;
    if (n >= 5) {
      size_t on_helper = 0;
      for (size_t i = 0; i < n; ++i) on_helper += where[i] != caller;
      EXPECT_GT(on_helper, 0u);
      // Tasks left when Finish was called ran on the caller too.
      if (n == 40) {
        EXPECT_LT(on_helper, n);
      }
    }
  }
  EXPECT_GT(h.helper_tasks(), 0u);
  h.Finish();  // no job: returns at once
}

// The helper runs at its owner's priority: a flush's helper is no more important than the
// flush (the owner here lowers itself first, as SetThreadRole does).
TEST(EncodeHelperTest, TheHelperThreadHasItsOwnersNiceValue) {
  auto nice_of_this_thread = [] {
    return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
  };
  int owner = -100, helper = -100;
  std::thread t([&] {
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)),
                std::min(19, nice_of_this_thread() + 2));
    owner = nice_of_this_thread();
    EncodeHelper h;
    // The caller waits before Finish, so the helper takes the task.
    h.Start(1, [&](size_t) { helper = nice_of_this_thread(); });
    for (int i = 0; i < 200 && h.helper_tasks() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    h.Finish();
    EXPECT_EQ(h.helper_tasks(), 1u);
  });
  t.join();
  EXPECT_EQ(helper, owner);
}

TEST(EncodeHelperTest, DestroyedWithAJobInFlightDropsTheRest) {
  std::atomic<int> ran{0};
  {
    EncodeHelper h;
    h.Start(1000, [&](size_t) {
      ran.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    // Destroyed once the job is surely in flight: a fixed 3 ms sleep lost the race to a
    // helper thread started late under ASan with two test binaries at once (make test,
    // 2026-12-06: ran == 0).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ran.load() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  EXPECT_GT(ran.load(), 0);
  EXPECT_LT(ran.load(), 1000);
}

}  // namespace
}  // namespace vigia

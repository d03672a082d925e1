#include "common/thread_priority.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <thread>

namespace vigia {
namespace {

int ThreadNice() {
  return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
}

// Each role lowers only its own thread's priority, by its nice value (capped at 19), and
// names the thread; the thread that called nothing keeps the process's priority.
TEST(ThreadPriorityTest, ARoleLowersItsOwnThreadOnly) {
  const int before = ThreadNice();
  for (ThreadRole role :
       {ThreadRole::kMerge, ThreadRole::kFlush, ThreadRole::kIngest, ThreadRole::kRefill}) {
    int seen = -100;
    char name[16] = {};
    std::thread t([&] {
      SetThreadRole(role);
      seen = ThreadNice();
      pthread_getname_np(pthread_self(), name, sizeof(name));
    });
    t.join();
    int expected = before + NiceOf(role);
    if (expected > 19) expected = 19;
    EXPECT_EQ(seen, expected);
    EXPECT_EQ(std::strncmp(name, "vigia-", 6), 0) << name;
    EXPECT_EQ(ThreadNice(), before);
  }
}

// Background work waits for queries, merges most: the order of the weights is the point. A
// flush is level with ingest, not below it: under full ingest the appends wait for it
// (docs/ingest-performance.md, round eight).
TEST(ThreadPriorityTest, MergesYieldMoreThanFlushesAndIngest) {
  EXPECT_GT(NiceOf(ThreadRole::kMerge), NiceOf(ThreadRole::kFlush));
  EXPECT_EQ(NiceOf(ThreadRole::kFlush), NiceOf(ThreadRole::kIngest));
  EXPECT_GT(NiceOf(ThreadRole::kIngest), 0);
  // A refill is as patient as a merge: queries sent right after a restart go first.
  EXPECT_GE(NiceOf(ThreadRole::kRefill), NiceOf(ThreadRole::kMerge));
}

}  // namespace
}  // namespace vigia

// ConfigureServerHeap honours VIGIA_HEAP_TUNING=off; ReleaseFreeHeap trims only when the tuning
// is on and resident memory is above the threshold (or when forced); ReleaseFreeHeapIfDue gives
// the kept heap back once nothing asked for a trim for a while.
#include "common/heap_tuning.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>

#include "common/limits.h"

namespace vigia {
namespace {

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

TEST(HeapTuningTest, ResidentMemoryIsReadable) {
  const uint64_t rss = ResidentMemoryBytes();
  EXPECT_GT(rss, 0u);
  EXPECT_LT(rss, uint64_t{1} << 40);
}

TEST(HeapTuningTest, OffLeavesTheAllocatorAlone) {
  ::setenv("VIGIA_HEAP_TUNING", "off", 1);
  EXPECT_FALSE(ConfigureServerHeap());
  ReleaseFreeHeap(/*force=*/true);
  ReleaseFreeHeapIfDue(SteadyNowNs() + int64_t{3600} * 1'000'000'000);
  EXPECT_EQ(GetHeapReleaseStats().releases, 0u);
  EXPECT_EQ(GetHeapReleaseStats().skipped, 0u);
  ::unsetenv("VIGIA_HEAP_TUNING");
}

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
void FreeABigBlock() {
  auto big = std::make_unique<char[]>(16u << 20);
  for (size_t i = 0; i < (16u << 20); i += 4096) big[i] = 1;
}

// Times are this test's own steady-clock values, an hour ahead of now and increasing.
TEST(HeapTuningTest, TrimsAboveTheThresholdKeepsBelowItAndGivesBackWhenIdle) {
  ASSERT_TRUE(ConfigureServerHeap());
  const HeapReleaseStats s0 = GetHeapReleaseStats();
  const int64_t ms = 1'000'000;
  const int64_t idle = int64_t{limits::kHeapIdleReleaseMs} * ms;
  const int64_t check = int64_t{limits::kHeapOverBudgetCheckMs} * ms;
  int64_t t = SteadyNowNs() + int64_t{3600} * 1000 * ms;

  // Under the threshold (the default, 768 MiB, far above this test's few MB): kept.
  ASSERT_LT(ResidentMemoryBytes(), limits::kHeapReleaseAboveRssBytes);
  FreeABigBlock();
  ReleaseFreeHeap(false, t);
  EXPECT_EQ(GetHeapReleaseStats().releases, s0.releases);
  EXPECT_EQ(GetHeapReleaseStats().skipped, s0.skipped + 1);
  ReleaseFreeHeapIfDue(t + ms);  // nothing due right after
  EXPECT_EQ(GetHeapReleaseStats().releases, s0.releases);

  // Once nothing asked for a trim for kHeapIdleReleaseMs, the kept heap goes back, once.
  ReleaseFreeHeapIfDue(t + idle + ms);
  EXPECT_EQ(GetHeapReleaseStats().releases, s0.releases + 1);
  ReleaseFreeHeapIfDue(t + idle + 2 * ms);
  EXPECT_EQ(GetHeapReleaseStats().releases, s0.releases + 1);

  // Forced: trims whatever the threshold.
  t += idle + 3 * ms;
  FreeABigBlock();
  ReleaseFreeHeap(true, t);
  EXPECT_EQ(GetHeapReleaseStats().releases, s0.releases + 2);

  // Over the threshold (1 byte): a release trims, and so does the periodic check once the last
  // trim is kHeapOverBudgetCheckMs old — not sooner.
  SetHeapReleaseThreshold(1);
  t += ms;
  FreeABigBlock();
  ReleaseFreeHeap(false, t);
  EXPECT_EQ(GetHeapReleaseStats().releases, s0.releases + 3);
  ReleaseFreeHeapIfDue(t + check / 2);
  EXPECT_EQ(GetHeapReleaseStats().releases, s0.releases + 3);
  ReleaseFreeHeapIfDue(t + check + ms);
  EXPECT_EQ(GetHeapReleaseStats().releases, s0.releases + 4);
  ReleaseFreeHeapIfDue(t + check + 2 * ms);
  EXPECT_EQ(GetHeapReleaseStats().releases, s0.releases + 4);
  EXPECT_GE(GetHeapReleaseStats().total_ms, 0.0);
  SetHeapReleaseThreshold(limits::kHeapReleaseAboveRssBytes);
}
#endif

}  // namespace
}  // namespace vigia

// ConfigureServerHeap honours VIGIA_HEAP_TUNING=off, and ReleaseFreeHeap trims only when the
// tuning is on (bench/mixed_load.sh compares the two on the same binary).
#include "common/heap_tuning.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

namespace vigia {
namespace {

TEST(HeapTuningTest, OffLeavesTheAllocatorAloneAndOnTrimsAfterBigFrees) {
  ::setenv("VIGIA_HEAP_TUNING", "off", 1);
  EXPECT_FALSE(ConfigureServerHeap());
  ReleaseFreeHeap();
  EXPECT_EQ(GetHeapReleaseStats().releases, 0u);

  ::unsetenv("VIGIA_HEAP_TUNING");
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_TRUE(ConfigureServerHeap());
  {
    auto big = std::make_unique<char[]>(64u << 20);
    big[0] = 1;
  }
  ReleaseFreeHeap();
  EXPECT_EQ(GetHeapReleaseStats().releases, 1u);
  EXPECT_GE(GetHeapReleaseStats().total_ms, 0.0);
#endif
}

}  // namespace
}  // namespace vigia

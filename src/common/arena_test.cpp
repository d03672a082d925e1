#include "common/arena.h"

#include <gtest/gtest.h>

#include <string>

namespace vigia {
namespace {

TEST(ArenaTest, CopiesStayIntactAcrossBlocks) {
  Arena a(256);
  std::vector<std::pair<std::string, std::string_view>> copies;
  for (int i = 0; i < 200; ++i) {
    std::string s(static_cast<size_t>(i % 97), static_cast<char>('a' + i % 26));
    copies.emplace_back(s, a.Copy(s));
  }
  for (const auto& [want, got] : copies) EXPECT_EQ(got, want);
}

TEST(ArenaTest, ResetReusesStandardBlocksAndDropsBigOnes) {
  Arena a(1024);
  for (int i = 0; i < 10; ++i) a.Allocate(200);  // standard blocks
  a.Allocate(5000);                              // a dedicated big block
  const size_t before = a.MemoryUsage();
  EXPECT_GE(before, 5000u + 1024u);
  a.Reset();
  EXPECT_LT(a.MemoryUsage(), before);  // the big block went away
  const size_t kept = a.MemoryUsage();
  // Refilling the same amount reuses the kept blocks: no growth.
  for (int i = 0; i < 10; ++i) a.Allocate(200);
  EXPECT_EQ(a.MemoryUsage(), kept);
  // And a big allocation after Reset still works, with the kept blocks still usable.
  std::string_view big = a.Copy(std::string(3000, 'x'));
  std::string_view small = a.Copy("after");
  EXPECT_EQ(big, std::string(3000, 'x'));
  EXPECT_EQ(small, "after");
}

TEST(ArenaTest, MovedFromArenaIsEmptyAndUsable) {
  Arena a(128);
  a.Copy("hello");
  a.Reset();
  a.Copy("world");
  Arena b(std::move(a));
  EXPECT_GT(b.MemoryUsage(), 0u);
  EXPECT_EQ(a.MemoryUsage(), 0u);  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(a.Copy("again"), "again");
}

}  // namespace
}  // namespace vigia

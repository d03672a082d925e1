// HotColumns: names stay hot for the TTL after their last read, the least recently read go
// beyond the bound, and the timestamps are tracked apart. (What the engine records is checked
// in fresh_data_warmer_test: the dashboard query's three names, not the others.)
#include "query/hot_columns.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/limits.h"

namespace vigia {
namespace {

constexpr int64_t kTtlNs = limits::kHotColumnTtlMs * int64_t{1'000'000};

TEST(HotColumnsTest, NamesStayHotForTheTtlAfterTheirLastRead) {
  HotColumns hot;
  const std::vector<std::string> a = {"kind", "service"};
  const std::vector<std::string> b = {"service"};
  hot.Note(a, false, 1000);
  hot.Note(b, false, 1000 + kTtlNs / 2);
  EXPECT_EQ(hot.Names(1000 + kTtlNs / 2), (std::vector<std::string>{"service", "kind"}));
  EXPECT_EQ(hot.Names(1000 + kTtlNs), (std::vector<std::string>{"service", "kind"}));
  EXPECT_EQ(hot.Names(1001 + kTtlNs), (std::vector<std::string>{"service"}));
  EXPECT_TRUE(hot.Names(1001 + kTtlNs + kTtlNs / 2).empty());
}

TEST(HotColumnsTest, TimestampsAreTrackedApart) {
  HotColumns hot;
  const std::vector<std::string> none;
  EXPECT_FALSE(hot.ReadsTime(0));
  hot.Note(none, false, 10);
  EXPECT_FALSE(hot.ReadsTime(10));
  hot.Note(none, true, 20);
  EXPECT_TRUE(hot.ReadsTime(20 + kTtlNs));
  EXPECT_FALSE(hot.ReadsTime(21 + kTtlNs));
  EXPECT_TRUE(hot.Names(20).empty());
  hot.Clear();
  EXPECT_FALSE(hot.ReadsTime(20));
}

TEST(HotColumnsTest, BeyondTheBoundTheLeastRecentlyReadGo) {
  HotColumns hot;
  for (size_t i = 0; i < limits::kHotColumnsMax + 3; ++i) {
    const std::vector<std::string> one = {"f" + std::to_string(i)};
    hot.Note(one, false, static_cast<int64_t>(i));
  }
  const std::vector<std::string> names = hot.Names(100);
  ASSERT_EQ(names.size(), limits::kHotColumnsMax);
  EXPECT_EQ(names.front(), "f" + std::to_string(limits::kHotColumnsMax + 2));
  EXPECT_EQ(names.back(), "f3");
}

}  // namespace
}  // namespace vigia

// HotColumns: a name is hot from its second read within the TTL, stays hot for the TTL after
// its last read, the least recently read go beyond the bound, and the timestamps are tracked
// apart. (What the engine records is checked
// in fresh_data_warmer_test: the dashboard query's three names, not the others.)
#include "query/hot_columns.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/limits.h"

namespace vigia {
namespace {

constexpr int64_t kTtlNs = limits::kHotColumnTtlMs * int64_t{1'000'000};

TEST(HotColumnsTest, ANameReadOnceIsNotHot) {
  HotColumns hot;
  const std::vector<std::string> a = {"msg"};
  hot.Note(a, false, 1000);
  EXPECT_TRUE(hot.Names(1000).empty());
  EXPECT_TRUE(hot.Names(1000 + kTtlNs / 2).empty());
  // Read again within the TTL: hot from then on.
  hot.Note(a, false, 1000 + kTtlNs);
  EXPECT_EQ(hot.Names(1000 + kTtlNs), a);
}

TEST(HotColumnsTest, ASecondReadAfterTheTtlStartsOver) {
  HotColumns hot;
  const std::vector<std::string> a = {"msg"};
  hot.Note(a, false, 1000);
  hot.Note(a, false, 1001 + kTtlNs);  // the first read is forgotten by now
  EXPECT_TRUE(hot.Names(1001 + kTtlNs).empty());
  hot.Note(a, false, 2000 + kTtlNs);
  EXPECT_EQ(hot.Names(2000 + kTtlNs), a);
  // A hot name read again after its TTL ran out is a first read again.
  hot.Note(a, false, 2001 + 2 * kTtlNs);
  EXPECT_TRUE(hot.Names(2001 + 2 * kTtlNs).empty());
}

TEST(HotColumnsTest, NamesStayHotForTheTtlAfterTheirLastRead) {
  HotColumns hot;
  const std::vector<std::string> a = {"kind", "service"};
  const std::vector<std::string> b = {"service"};
  hot.Note(a, false, 0);
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
  hot.Note(none, false, 15);
  EXPECT_FALSE(hot.ReadsTime(15));
  hot.Note(none, true, 20);
  EXPECT_FALSE(hot.ReadsTime(20));  // read once
  hot.Note(none, true, 30);
  EXPECT_TRUE(hot.ReadsTime(30 + kTtlNs));
  EXPECT_FALSE(hot.ReadsTime(31 + kTtlNs));
  EXPECT_TRUE(hot.Names(30).empty());
  hot.Clear();
  EXPECT_FALSE(hot.ReadsTime(30));
}

TEST(HotColumnsTest, BeyondTheBoundTheLeastRecentlyReadGo) {
  HotColumns hot;
  const size_t n = 2 * limits::kHotColumnsMax + 3;
  for (size_t i = 0; i < n; ++i) {
    const std::vector<std::string> one = {"f" + std::to_string(i)};
    hot.Note(one, false, static_cast<int64_t>(2 * i));
    hot.Note(one, false, static_cast<int64_t>(2 * i + 1));
  }
  // At most kHotColumnsMax hot names, the most recently read first.
  const std::vector<std::string> names = hot.Names(1000);
  ASSERT_EQ(names.size(), limits::kHotColumnsMax);
  EXPECT_EQ(names.front(), "f" + std::to_string(n - 1));
  EXPECT_EQ(names.back(), "f" + std::to_string(n - limits::kHotColumnsMax));
  // Twice that many are remembered: the oldest were forgotten, and a read of one of them is a
  // first read again, while one still remembered is hot on its next read.
  const std::vector<std::string> f0 = {"f0"};
  hot.Note(f0, false, 2000);
  EXPECT_EQ(hot.Names(2000).front(), names.front());
  const std::vector<std::string> kept = {"f" + std::to_string(n - 2 * limits::kHotColumnsMax + 1)};
  hot.Note(kept, false, 2001);
  EXPECT_EQ(hot.Names(2001).front(), kept[0]);
}

}  // namespace
}  // namespace vigia

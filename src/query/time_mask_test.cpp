#include "query/time_mask.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "query/test_rng.h"

namespace vigia {
namespace {

using Rng = TestRng;

TEST(MaskRowsTest, AppendsExactlyTheSetRowsInOrder) {
  Rng rng{11};
  for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 64, 1000, 32768}) {
    for (int density : {0, 1, 50, 100}) {
      std::vector<uint8_t> m(n);
      for (uint8_t& b : m) b = static_cast<int>(rng.Next() % 100) < density ? 1 : 0;
      std::vector<uint32_t> want = {7};  // appended after what is there
      for (size_t r = 0; r < n; ++r) {
        if (m[r]) want.push_back(static_cast<uint32_t>(r));
      }
      std::vector<uint32_t> got = {7};
      AppendMaskRows(m.data(), n, &got);
      EXPECT_EQ(got, want) << n << " " << density;
    }
  }
}

TEST(SortedRunsTest, RunsStartWhereTimestampsGoBack) {
  std::vector<uint32_t> starts;
  const std::vector<int64_t> one = {5, 5, 6, 9};
  EXPECT_TRUE(FindSortedRuns(one.data(), one.size(), 8, &starts));
  EXPECT_EQ(starts, std::vector<uint32_t>({0}));
  const std::vector<int64_t> three = {5, 7, 1, 2, 2, 0};
  EXPECT_TRUE(FindSortedRuns(three.data(), three.size(), 8, &starts));
  EXPECT_EQ(starts, std::vector<uint32_t>({0, 2, 5}));
  EXPECT_TRUE(FindSortedRuns(three.data(), 0, 8, &starts));
  EXPECT_TRUE(starts.empty());
  // More runs than allowed: none, so the caller tests every row.
  EXPECT_TRUE(FindSortedRuns(three.data(), three.size(), 3, &starts));
  EXPECT_FALSE(FindSortedRuns(three.data(), three.size(), 2, &starts));
  EXPECT_TRUE(starts.empty());
}

// The run starts are exactly where a row-by-row walk finds a step back, whether a step falls
// inside a group of 16 rows the scan tests at once, on its edge or in the tail; and the limit
// on runs is applied as the walk would apply it.
TEST(SortedRunsTest, StartsMatchARowByRowWalk) {
  Rng rng{5};
  std::vector<uint32_t> starts;
  for (int round = 0; round < 3000; ++round) {
    const size_t n = rng.Pick(300);
    std::vector<int64_t> ts(n);
    const size_t backs = rng.Pick(8);  // about this many steps back
    int64_t t = 0;
    for (size_t r = 0; r < n; ++r) {
      t += static_cast<int64_t>(rng.Pick(3));
      if (n > 0 && rng.Pick(n) < backs) t -= static_cast<int64_t>(1 + rng.Pick(50));
      ts[r] = t;
    }
    std::vector<uint32_t> want;
    for (size_t r = 0; r < n; ++r) {
      if (r == 0 || ts[r] < ts[r - 1]) want.push_back(static_cast<uint32_t>(r));
    }
    const size_t max_runs = 1 + rng.Pick(10);
    const bool fits = want.size() <= max_runs;
    EXPECT_EQ(FindSortedRuns(ts.data(), n, max_runs, &starts), fits) << "round " << round;
    EXPECT_EQ(starts, fits ? want : std::vector<uint32_t>()) << "round " << round;
  }
}

// Against a row-by-row test: blocks of 1-5 sorted runs (as a block of several services and
// kinds), random ranges including empty ones and ones beyond either end.
TEST(SortedRunsTest, SpansHoldExactlyTheRowsInRange) {
  Rng rng{11};
  std::vector<uint32_t> starts;
  std::vector<RowSpan> spans;
  for (int round = 0; round < 2000; ++round) {
    std::vector<int64_t> ts;
    const size_t runs = 1 + rng.Pick(5);
    for (size_t i = 0; i < runs; ++i) {
      std::vector<int64_t> run(rng.Pick(40));
      for (auto& t : run) t = static_cast<int64_t>(rng.Pick(100));
      std::sort(run.begin(), run.end());
      ts.insert(ts.end(), run.begin(), run.end());
    }
    ASSERT_TRUE(FindSortedRuns(ts.data(), ts.size(), 64, &starts));
    const int64_t lo = static_cast<int64_t>(rng.Pick(110)) - 5;
    const int64_t hi = lo + static_cast<int64_t>(rng.Pick(60));
    const size_t rows = TimeRangeSpans(ts.data(), ts.size(), starts, lo, hi, &spans);
    std::vector<uint8_t> got(ts.size(), 0);
    size_t counted = 0;
    uint32_t last_end = 0;
    for (const RowSpan& s : spans) {
      ASSERT_LT(s.begin, s.end) << "round " << round;
      ASSERT_GE(s.begin, last_end) << "round " << round;  // in row order, apart
      last_end = s.end;
      for (size_t r = s.begin; r < s.end; ++r) got[r] = 1;
      counted += s.end - s.begin;
    }
    std::vector<uint8_t> want(ts.size());
    SetTimeRange(ts.data(), ts.size(), lo, hi, want.data());
    EXPECT_EQ(got, want) << "round " << round;
    EXPECT_EQ(rows, counted);
  }
}

}  // namespace
}  // namespace vigia

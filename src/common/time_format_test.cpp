#include "common/time_format.h"

#include <gtest/gtest.h>

#include <limits>

namespace vigia {
namespace {

TEST(TimeFormatTest, RoundTripsRfc3339) {
  auto ts = ParseRfc3339("2026-11-22T10:01:02.123456789Z");
  ASSERT_TRUE(ts.has_value());
  EXPECT_EQ(FormatRfc3339(*ts), "2026-11-22T10:01:02.123456789Z");
}

TEST(TimeFormatTest, FormatsEveryPrecisionAndEpochSide) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(FormatRfc3339(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(FormatRfc3339(1'796'000'000'123'456'789, 3), "2026-11-30T00:53:20.123Z");
  EXPECT_EQ(FormatRfc3339(1'796'000'000'000'000'007, 12), "2026-11-30T00:53:20.000000007Z");
  // Each output parses back to the time it came from (to the digits kept).
  for (int64_t ts = -5'000'000'000'000'000'000; ts < 9'000'000'000'000'000'000;
       ts += 123'456'789'012'345'677) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(ts)), ts) << FormatRfc3339(ts);
  }
}

TEST(TimeFormatTest, ParsesOffsetsAndSpaces) {
  EXPECT_EQ(ParseRfc3339("2024-01-01T02:00:00+02:00"), ParseRfc3339("2024-01-01T00:00:00Z"));
  EXPECT_EQ(ParseRfc3339("2024-01-01 00:00:00"), ParseRfc3339("2024-01-01T00:00:00Z"));
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:01Z"), 1000000000LL);
}

TEST(TimeFormatTest, RejectsGarbage) {
  EXPECT_FALSE(ParseRfc3339("yesterday").has_value());
  EXPECT_FALSE(ParseRfc3339("2024-13-01T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2024-01-01T00:00:00Zjunk").has_value());
}

TEST(TimeFormatTest, EpochMagnitudes) {
  EXPECT_EQ(EpochToNanos(1700000000), 1700000000000000000LL);
  EXPECT_EQ(EpochToNanos(1700000000000), 1700000000000000000LL);
  EXPECT_EQ(EpochToNanos(1700000000000000), 1700000000000000000LL);
  EXPECT_EQ(EpochToNanos(1700000000000000000), 1700000000000000000LL);
  EXPECT_EQ(EpochToNanos(-1700000000), -1700000000000000000LL);
}

// Found by the NDJSON fuzzer under UBSan: seconds, milliseconds or microseconds beyond
// 2262 overflowed int64 nanoseconds. They saturate now; the year range is refused.
TEST(TimeFormatTest, OutOfRangeTimesNeitherOverflowNorWrap) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(EpochToNanos(99'999'999'999), kMax);  // seconds, year ~5138
  EXPECT_EQ(EpochToNanos(-99'999'999'999), kMin);
  EXPECT_EQ(EpochToNanos(99'999'999'999'999), kMax);      // milliseconds
  EXPECT_EQ(EpochToNanos(99'999'999'999'999'999), kMax);  // microseconds
  EXPECT_EQ(EpochToNanos(kMin), kMin);                    // nanoseconds, |v| not representable
  EXPECT_EQ(EpochToNanos(kMax), kMax);
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59Z").has_value());
  EXPECT_FALSE(ParseRfc3339("0001-01-01T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("2263-01-01T00:00:00Z").has_value());
  EXPECT_TRUE(ParseRfc3339("2262-04-10T00:00:00Z").has_value());
  EXPECT_EQ(ParseRfc3339("2262-04-11T23:47:16.854775807Z"), kMax);
  EXPECT_FALSE(ParseRfc3339("2262-04-11T23:47:16.854775808Z").has_value());
  EXPECT_TRUE(ParseRfc3339("1677-09-22T00:00:00Z").has_value());
}

}  // namespace
}  // namespace vigia

#include "common/time_format.h"

#include <gtest/gtest.h>

namespace vigia {
namespace {

TEST(TimeFormatTest, RoundTripsRfc3339) {
  auto ts = ParseRfc3339("2026-11-22T10:01:02.123456789Z");
  ASSERT_TRUE(ts.has_value());
  EXPECT_EQ(FormatRfc3339(*ts), "2026-11-22T10:01:02.123456789Z");
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
}

}  // namespace
}  // namespace vigia

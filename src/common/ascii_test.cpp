#include "common/ascii.h"

#include <gtest/gtest.h>

namespace vigia::ascii {
namespace {

TEST(AsciiTest, HexValueReadsBothCases) {
  EXPECT_EQ(HexValue('0'), 0);
  EXPECT_EQ(HexValue('9'), 9);
  EXPECT_EQ(HexValue('a'), 10);
  EXPECT_EQ(HexValue('f'), 15);
  EXPECT_EQ(HexValue('A'), 10);
  EXPECT_EQ(HexValue('F'), 15);
  for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0', '\xff'}) EXPECT_EQ(HexValue(c), -1) << c;
}

// Canonical names (part directories, hashes) are lowercase: "part-00000000000000AB" is not
// the name of part 0xab.
TEST(AsciiTest, LowerHexValueRejectsUppercase) {
  EXPECT_EQ(LowerHexValue('7'), 7);
  EXPECT_EQ(LowerHexValue('c'), 12);
  for (char c : {'A', 'C', 'F', 'g', '-'}) EXPECT_EQ(LowerHexValue(c), -1) << c;
}

TEST(AsciiTest, EveryCharacterAgreesWithIsHexDigit) {
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    EXPECT_EQ(HexValue(c) >= 0, IsHexDigit(c)) << i;
    EXPECT_EQ(LowerHexValue(c) >= 0, IsHexDigit(c) && !(c >= 'A' && c <= 'F')) << i;
  }
}

}  // namespace
}  // namespace vigia::ascii

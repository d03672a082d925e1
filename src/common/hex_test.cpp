#include "common/hex.h"

#include <gtest/gtest.h>

#include <array>

namespace vigia::hex {
namespace {

TEST(HexTest, EncodesTwoLowercaseDigitsPerByte) {
  EXPECT_EQ(Encode(std::string_view("")), "");
  EXPECT_EQ(Encode(std::string_view("\x00\x0f\xa5\xff", 4)), "000fa5ff");
  const std::array<uint8_t, 3> b{0xde, 0xad, 0x01};
  EXPECT_EQ(Encode(std::span<const uint8_t>(b)), "dead01");
  std::string s = "id=";
  AppendTo("\x7f", &s);
  EXPECT_EQ(s, "id=7f");
}

TEST(HexTest, EveryByteRoundTripsInBothCases) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  const std::string lower = Encode(all);
  std::string upper = lower;
  for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
  std::string out;
  ASSERT_TRUE(Decode(lower, Case::kLowerOnly, &out));
  EXPECT_EQ(out, all);
  ASSERT_TRUE(Decode(upper, Case::kEither, &out));
  EXPECT_EQ(out, all);
  EXPECT_FALSE(Decode(upper, Case::kLowerOnly, &out));
}

TEST(HexTest, RefusesOddLengthsAndNonDigits) {
  std::string out = "kept?";
  EXPECT_TRUE(Decode("", Case::kEither, &out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(Decode("abc", Case::kEither, &out));
  EXPECT_FALSE(Decode("0g", Case::kEither, &out));
  EXPECT_FALSE(Decode("g0", Case::kEither, &out));
  EXPECT_FALSE(Decode("0 ", Case::kEither, &out));
  EXPECT_FALSE(Decode("Ab", Case::kLowerOnly, &out));
}

TEST(HexTest, DecodeIntoNeedsExactlyTheRightLength) {
  std::array<uint8_t, 2> b{};
  EXPECT_TRUE(DecodeInto("BEef", Case::kEither, b));
  EXPECT_EQ(b[0], 0xbe);
  EXPECT_EQ(b[1], 0xef);
  EXPECT_FALSE(DecodeInto("beef00", Case::kEither, b));
  EXPECT_FALSE(DecodeInto("bee", Case::kEither, b));
  EXPECT_FALSE(DecodeInto("BEEF", Case::kLowerOnly, b));
}

}  // namespace
}  // namespace vigia::hex

#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace vigia {
namespace {

TEST(Crc32c, KnownVectors) {
  // RFC 3720 B.4 test vectors.
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c::Value(zeros), 0x8a9136aau);
  std::string ones(32, '\xff');
  EXPECT_EQ(crc32c::Value(ones), 0x62a8ab43u);
  std::string inc(32, '\0');
  for (int i = 0; i < 32; ++i) inc[i] = static_cast<char>(i);
  EXPECT_EQ(crc32c::Value(inc), 0x46dd794eu);
  EXPECT_EQ(crc32c::Value(std::string_view("123456789")), 0xe3069283u);
}

TEST(Crc32c, HardwareAndSoftwareAgreeAndExtendComposes) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string s(rng() % 3000, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    uint32_t whole = crc32c::Value(s);
    EXPECT_EQ(whole, crc32c::ExtendSoftware(0, s.data(), s.size()));
    size_t cut = s.empty() ? 0 : rng() % s.size();
    uint32_t part = crc32c::Extend(0, s.data(), cut);
    EXPECT_EQ(whole, crc32c::Extend(part, s.data() + cut, s.size() - cut));
  }
}

TEST(Crc32c, MaskRoundTripsAndChangesValue) {
  for (uint32_t v : {0u, 1u, 0xdeadbeefu, 0xffffffffu}) {
    EXPECT_EQ(crc32c::Unmask(crc32c::Mask(v)), v);
    EXPECT_NE(crc32c::Mask(v), v);
  }
}

TEST(Crc32c, DetectsSingleBitFlips) {
  std::string s(1000, 'x');
  uint32_t base = crc32c::Value(s);
  for (size_t i = 0; i < s.size(); i += 37) {
    std::string t = s;
    t[i] ^= 0x10;
    EXPECT_NE(crc32c::Value(t), base) << i;
  }
}

}  // namespace
}  // namespace vigia

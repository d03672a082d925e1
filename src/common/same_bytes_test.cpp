#include "common/same_bytes.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace vigia {
namespace {

// SameBytes against memcmp for every length through the inline paths (< 8, 8..16, 17..64)
// and past them, with the strings equal, differing at each position, and at different
// offsets in their buffers (the word loads are unaligned).
TEST(SameBytes, AgreesWithMemcmpAtEveryLengthAndPosition) {
  for (size_t n = 0; n <= 100; ++n) {
    for (size_t offset = 0; offset < 3; ++offset) {
      std::string a(offset + n + 8, 'x');
      std::string b(n + 8, 'y');
      for (size_t i = 0; i < n; ++i) a[offset + i] = b[i] = static_cast<char>('a' + (i * 7) % 26);
      std::string_view va(a.data() + offset, n);
      std::string_view vb(b.data(), n);
      ASSERT_TRUE(SameBytes(va, vb)) << "n=" << n << " offset=" << offset;
      ASSERT_TRUE(SameBytes(va, va));
      for (size_t i = 0; i < n; ++i) {
        const char saved = b[i];
        b[i] = static_cast<char>(saved ^ 0x20);
        ASSERT_FALSE(SameBytes(va, vb)) << "n=" << n << " differs at " << i;
        ASSERT_FALSE(SameBytes(vb, va));
        b[i] = saved;
      }
      if (n > 0) {
        ASSERT_FALSE(SameBytes(va, vb.substr(0, n - 1))) << "lengths differ";
      }
    }
  }
}

// Bytes past the end of either view never decide: the views below share their first n bytes
// and differ right after them.
TEST(SameBytes, ReadsNoByteOutsideTheViews) {
  for (size_t n = 0; n <= 70; ++n) {
    std::string a(n, 'q'), b(n, 'q');
    a += "AAAAAAAA";
    b += "BBBBBBBB";
    EXPECT_TRUE(SameBytes(std::string_view(a.data(), n), std::string_view(b.data(), n))) << n;
  }
}

}  // namespace
}  // namespace vigia

// SameBytes: equality of two short strings without a call to memcmp. Field names, services,
// kinds and most dictionary values are under 16 bytes, and the flush, the merge and the
// column encoders compare them several times per row; views of one dictionary entry (the
// merge's source columns) share their pointer and compare in one step.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace vigia {

inline bool SameBytes(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (p == q) return true;
  if (n >= 8 && n <= 16) {
    uint64_t x0, y0, x1, y1;  // two overlapping 8-byte words cover 8..16 bytes
    std::memcpy(&x0, p, 8);
    std::memcpy(&y0, q, 8);
    std::memcpy(&x1, p + n - 8, 8);
    std::memcpy(&y1, q + n - 8, 8);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  }
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) {
      if (p[i] != q[i]) return false;
    }
    return true;
  }
  return std::memcmp(p, q, n) == 0;
}

}  // namespace vigia

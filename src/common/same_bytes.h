// SameBytes: equality of two short strings without a call to memcmp. Field names, services,
// kinds and most dictionary values are under 16 bytes, and the flush, the merge, the column
// encoders and the per-event observers (field pickers, the memtable's column builder, ECS
// paths) compare them several times per row or event; views of one dictionary entry (the
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
  auto word = [](const char* s) {
    uint64_t w;
    std::memcpy(&w, s, 8);
    return w;
  };
  if (n >= 8 && n <= 16) {  // two overlapping 8-byte words cover 8..16 bytes
    return ((word(p) ^ word(q)) | (word(p + n - 8) ^ word(q + n - 8))) == 0;
  }
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) {
      if (p[i] != q[i]) return false;
    }
    return true;
  }
  if (n <= 64) {  // dotted names and paths: words, then the last (overlapping) word
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (word(p + i) != word(q + i)) return false;
    }
    return word(p + n - 8) == word(q + n - 8);
  }
  return std::memcmp(p, q, n) == 0;
}

}  // namespace vigia

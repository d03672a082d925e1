#include "store/format/bloom.h"

#include <xxhash.h>

#include <algorithm>

namespace vigia {
namespace {

bool IsTokenByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

}  // namespace

uint64_t BloomValueHash(std::string_view value) { return XXH3_64bits(value.data(), value.size()); }

uint64_t BloomTokenHash(std::string_view token) {
  char buf[256];
  if (token.size() <= sizeof(buf)) {
    for (size_t i = 0; i < token.size(); ++i) buf[i] = Lower(token[i]);
    return XXH3_64bits(buf, token.size());
  }
  std::string s(token);
  for (char& c : s) c = Lower(c);
  return XXH3_64bits(s.data(), s.size());
}

void ForEachToken(std::string_view text, const std::function<void(std::string_view)>& fn) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsTokenByte(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && IsTokenByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) fn(text.substr(start, i - start));
  }
}

bool ContainsToken(std::string_view text, std::string_view token) {
  bool found = false;
  ForEachToken(text, [&](std::string_view t) {
    if (!found && EqualsIgnoreAsciiCase(t, token)) found = true;
  });
  return found;
}

namespace {

// Sorts the hashes: std::sort below a few thousand, else one in-place scatter by the top
// kTopBits bits (American flag sort) and a sort of each bucket. A block's msg column adds
// a few hundred thousand token hashes, and std::sort of those was a tenth of a merge's CPU;
// buckets of ~100 uniform hashes sort in cache. Same result as std::sort.
void SortHashes(std::vector<uint64_t>* v) {
  constexpr int kTopBits = 11;
  constexpr size_t kBuckets = size_t{1} << kTopBits;
  constexpr int kShift = 64 - kTopBits;
  std::vector<uint64_t>& h = *v;
  if (h.size() < 4 * kBuckets) {
    std::sort(h.begin(), h.end());
    return;
  }
  std::vector<size_t> next(kBuckets, 0), end(kBuckets);
  for (uint64_t x : h) ++next[x >> kShift];
  size_t at = 0;
  for (size_t b = 0; b < kBuckets; ++b) {
    const size_t n = next[b];
    next[b] = at;
    at += n;
    end[b] = at;
  }
  for (size_t b = 0; b < kBuckets; ++b) {
    while (next[b] < end[b]) {
      uint64_t x = h[next[b]];
      size_t d = x >> kShift;
      while (d != b) {  // carry x to its bucket, picking up what was there
        std::swap(x, h[next[d]++]);
        d = x >> kShift;
      }
      h[next[b]++] = x;
    }
  }
  size_t first = 0;
  for (size_t b = 0; b < kBuckets; ++b) {
    std::sort(h.begin() + static_cast<ptrdiff_t>(first),
              h.begin() + static_cast<ptrdiff_t>(end[b]));
    first = end[b];
  }
}

}  // namespace

std::string BloomBuilder::Finish(int bits_per_key) {
  SortHashes(&hashes_);
  hashes_.erase(std::unique(hashes_.begin(), hashes_.end()), hashes_.end());
  size_t bits = std::max<size_t>(64, hashes_.size() * static_cast<size_t>(bits_per_key));
  size_t bytes = (bits + 7) / 8;
  bits = bytes * 8;
  // k = bits_per_key * ln 2, the optimum, clamped.
  const int k = std::clamp((bits_per_key * 69 + 50) / 100, 1, 30);
  std::string filter(1 + bytes, '\0');
  filter[0] = static_cast<char>(k);
  for (uint64_t h : hashes_) {
    uint64_t h1 = h & 0xffffffffu, h2 = (h >> 32) | 1;
    for (int i = 0; i < k; ++i) {
      uint64_t bit = (h1 + static_cast<uint64_t>(i) * h2) % bits;
      filter[1 + bit / 8] = static_cast<char>(filter[1 + bit / 8] | (1 << (bit % 8)));
    }
  }
  hashes_.clear();
  return filter;
}

bool BloomMayContain(std::string_view filter, uint64_t h) {
  if (filter.size() < 2) return true;
  const int k = static_cast<unsigned char>(filter[0]);
  const uint64_t bits = (filter.size() - 1) * 8;
  uint64_t h1 = h & 0xffffffffu, h2 = (h >> 32) | 1;
  for (int i = 0; i < k; ++i) {
    uint64_t bit = (h1 + static_cast<uint64_t>(i) * h2) % bits;
    if (((static_cast<unsigned char>(filter[1 + bit / 8]) >> (bit % 8)) & 1) == 0) return false;
  }
  return true;
}

}  // namespace vigia

#include "store/format/varint_batch.h"

#include <array>
#include <cstring>

namespace vigia {
namespace {

// What 8 input bytes hold, by their continuation bits (bit i = byte i's top bit): `count`
// whole varints of 1 or 2 bytes from the start, taking `consumed` bytes; varint k starts at
// bit `shift[k]` and has a second byte when `two[k]` is all ones. count 0: the first varint
// is 3+ bytes long.
struct Window {
  uint8_t count = 0;
  uint8_t consumed = 0;
  std::array<uint8_t, 8> shift{};
  std::array<uint64_t, 8> two{};
};

constexpr std::array<Window, 256> MakeWindows() {
  std::array<Window, 256> t{};
  for (unsigned m = 0; m < 256; ++m) {
    Window w;
    unsigned pos = 0;
    while (pos < 8) {
      if (((m >> pos) & 1) == 0) {  // a 1-byte varint
        w.shift[w.count] = static_cast<uint8_t>(8 * pos);
        w.two[w.count++] = 0;
        pos += 1;
        continue;
      }
      // A second byte that ends it, within the window.
      if (pos + 1 >= 8 || ((m >> (pos + 1)) & 1) != 0) break;
      w.shift[w.count] = static_cast<uint8_t>(8 * pos);
      w.two[w.count++] = ~uint64_t{0};
      pos += 2;
    }
    w.consumed = static_cast<uint8_t>(pos);
    t[m] = w;
  }
  return t;
}

constexpr std::array<Window, 256> kWindows = MakeWindows();

// One varint with no bounds check. REQUIRES: at least 10 bytes at p.
inline const uint8_t* DecodeOne(const uint8_t* p, uint64_t* out) {
  uint64_t b = *p++;
  uint64_t r = b & 0x7f;
  for (int shift = 7; (b & 0x80) != 0; shift += 7) {
    if (shift >= 70) return nullptr;  // more than 10 bytes: malformed
    b = *p++;
    r |= (b & 0x7f) << shift;
  }
  *out = r;
  return p;
}

// One varint, checking every byte against end.
inline const uint8_t* DecodeOneChecked(const uint8_t* p, const uint8_t* end, uint64_t* out) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= end) return nullptr;
    const uint64_t b = *p++;
    r |= (b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = r;
      return p;
    }
  }
  return nullptr;
}

// Mostly short varints (continuation bytes under 45 % of a sample): the window table pays.
bool ShortVarints(const uint8_t* p, const uint8_t* end) {
  const size_t len = static_cast<size_t>(end - p) < 256 ? static_cast<size_t>(end - p) : 256;
  size_t continued = 0;
  for (size_t i = 0; i < len; ++i) continued += p[i] >> 7;
  return continued * 20 < len * 9;
}

}  // namespace

const uint8_t* DecodeVarints(const uint8_t* p, const uint8_t* end, size_t n, uint64_t* out) {
  size_t i = 0;
  if (n >= 64 && ShortVarints(p, end)) {
    // 16 bytes left: the 8-byte load stays inside, and so does a 10-byte varint decoded alone.
    while (i + 8 <= n && end - p >= 16) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      const uint64_t high = w & 0x8080808080808080ull;
      if (high == 0) {
        for (int k = 0; k < 8; ++k) out[i + k] = (w >> (8 * k)) & 0xff;
        i += 8;
        p += 8;
        continue;
      }
      // The 8 top bits gathered into one byte (bit k from byte k).
      const Window& win = kWindows[(high * 0x0002040810204081ull) >> 56];
      if (win.count == 0) {
        p = DecodeOne(p, &out[i++]);
        if (p == nullptr) return nullptr;
        continue;
      }
      // All 8 slots are written (i + 8 <= n); only `count` of them are kept.
      for (int k = 0; k < 8; ++k) {
        const uint64_t b = w >> win.shift[k];
        out[i + k] = (b & 0x7f) | ((b >> 1) & 0x3f80 & win.two[k]);
      }
      i += win.count;
      p += win.consumed;
    }
  }
  for (; i < n && end - p >= 10; ++i) {
    p = DecodeOne(p, &out[i]);
    if (p == nullptr) return nullptr;
  }
  for (; i < n; ++i) {
    p = DecodeOneChecked(p, end, &out[i]);
    if (p == nullptr) return nullptr;
  }
  return p;
}

}  // namespace vigia

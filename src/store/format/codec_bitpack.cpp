#include "store/format/codec_bitpack.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <utility>

namespace vigia {
namespace {

int Width(uint64_t all_bits) { return 64 - std::countl_zero(all_bits); }

size_t FrameBytes(size_t count, int width) { return (count * static_cast<size_t>(width) + 7) / 8; }

// Decodes `count` values of W bits from p. REQUIRES: W <= 56 and 8 readable bytes at
// p + FrameBytes(count, W) - 1 (every value is read with one unaligned 8-byte load). Eight
// values span exactly W bytes, so in groups of eight every offset and shift is a constant.
template <int W>
void UnpackFast(const char* p, size_t count, uint64_t* out) {
  constexpr uint64_t kMask = (uint64_t{1} << W) - 1;
  size_t i = 0;
  for (; i + 8 <= count; i += 8, p += W) {
    for (size_t k = 0; k < 8; ++k) {
      uint64_t word;
      std::memcpy(&word, p + (k * W) / 8, 8);
      out[i + k] = (word >> ((k * W) % 8)) & kMask;
    }
  }
  for (size_t k = 0; i < count; ++i, ++k) {
    uint64_t word;
    std::memcpy(&word, p + (k * W) / 8, 8);
    out[i] = (word >> ((k * W) % 8)) & kMask;
  }
}

using UnpackFn = void (*)(const char*, size_t, uint64_t*);

template <size_t... W>
constexpr std::array<UnpackFn, sizeof...(W)> MakeUnpackers(std::index_sequence<W...>) {
  return {&UnpackFast<static_cast<int>(W)>...};
}

// kUnpack[w] for widths 0..56 (0 is never called: a zero-width frame has no bytes).
constexpr auto kUnpack = MakeUnpackers(std::make_index_sequence<57>());

// Any width up to 64, one value at a time from a buffer padded with 8 zero bytes.
void UnpackWide(const char* p, size_t count, int width, uint64_t* out) {
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  const size_t w = static_cast<size_t>(width);
  for (size_t i = 0; i < count; ++i) {
    const size_t bit = i * w;
    const unsigned shift = bit & 7;
    uint64_t lo, hi;
    std::memcpy(&lo, p + (bit >> 3), 8);
    std::memcpy(&hi, p + (bit >> 3) + 8, 8);
    const uint64_t v = shift == 0 ? lo : (lo >> shift) | (hi << (64 - shift));
    out[i] = v & mask;
  }
}

}  // namespace

size_t PackedFramesSize(std::span<const uint64_t> values) {
  size_t bytes = 0;
  for (size_t f = 0; f < values.size(); f += kBitpackFrame) {
    const size_t count = std::min(kBitpackFrame, values.size() - f);
    uint64_t all = 0;
    for (size_t i = 0; i < count; ++i) all |= values[f + i];
    bytes += 1 + FrameBytes(count, Width(all));
  }
  return bytes;
}

void PackFrames(std::span<const uint64_t> values, std::string* out) {
  for (size_t f = 0; f < values.size(); f += kBitpackFrame) {
    const size_t count = std::min(kBitpackFrame, values.size() - f);
    uint64_t all = 0;
    for (size_t i = 0; i < count; ++i) all |= values[f + i];
    const int width = Width(all);
    out->push_back(static_cast<char>(width));
    if (width == 0) continue;
    const size_t start = out->size();
    out->resize(start + FrameBytes(count, width));
    char* dst = out->data() + start;
    // A 64-bit accumulator: full words go out whole, the tail byte by byte.
    uint64_t acc = 0;
    int fill = 0;
    for (size_t i = 0; i < count; ++i) {
      const uint64_t v = values[f + i];
      acc |= v << fill;
      if (fill + width >= 64) {
        std::memcpy(dst, &acc, 8);
        dst += 8;
        acc = fill == 0 ? 0 : v >> (64 - fill);
        fill = fill + width - 64;
      } else {
        fill += width;
      }
    }
    for (; fill > 0; fill -= 8, acc >>= 8) *dst++ = static_cast<char>(acc);
  }
}

bool UnpackFrames(ByteReader* in, size_t n, uint64_t* out) {
  for (size_t f = 0; f < n; f += kBitpackFrame) {
    const size_t count = std::min(kBitpackFrame, n - f);
    uint8_t width;
    if (!in->GetU8(&width) || width > 64) return false;
    if (width == 0) {
      std::fill_n(out + f, count, uint64_t{0});
      continue;
    }
    const size_t bytes = FrameBytes(count, width);
    // Where the input holds 8 bytes past the frame, the loads read it in place; otherwise
    // (the chunk's last frames, widths above 56) from a zero-padded copy.
    const bool in_place = width <= 56 && in->remaining() >= bytes + 8;
    std::string_view frame;
    if (!in->GetBytes(bytes, &frame)) return false;
    if (in_place) {
      kUnpack[width](frame.data(), count, out + f);
      continue;
    }
    char padded[kBitpackFrame * 8 + 16] = {};
    std::memcpy(padded, frame.data(), bytes);
    UnpackWide(padded, count, width, out + f);
  }
  return true;
}

}  // namespace vigia

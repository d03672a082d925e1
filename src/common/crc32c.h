// CRC32C (Castagnoli): the checksum of WAL records. Hardware-accelerated with the SSE4.2
// crc32 instruction when the CPU has it (checked once at run time), else slicing-by-8 in
// software; both give identical results.
//
// Masked(): a CRC stored next to the data it covers is masked (rotated + offset, as LevelDB
// does) so that a CRC computed over a region that itself contains CRCs does not degenerate.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigia::crc32c {

// Extends `crc` (the CRC of some prefix) with `n` more bytes at `data`.
uint32_t Extend(uint32_t crc, const void* data, size_t n);

inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

inline constexpr uint32_t kMaskDelta = 0xa282ead8u;

inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

// True when Extend() uses the SSE4.2 instruction on this machine.
bool IsHardwareAccelerated();

// The portable implementation, exposed so tests can compare both paths.
uint32_t ExtendSoftware(uint32_t crc, const void* data, size_t n);

}  // namespace vigia::crc32c

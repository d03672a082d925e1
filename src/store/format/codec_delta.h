// Integer codec: encodes a block of int64 values as a constant, as offsets from the minimum,
// as deltas or as deltas-of-deltas — whichever is smallest — each divided by the greatest
// common divisor of the steps (millisecond timestamps stored in nanoseconds cost no more than
// millisecond integers) and written as (zigzag) LEB128 varints, or — since part format 3 —
// bit-packed in frames of 128 (codec_bitpack.h), or as a small dictionary of distinct values
// with bit-packed codes (status codes). The part writer runs zstd over the result
// (codec_zstd.h), which mops up the remaining redundancy.
//
// The packed modes decode several times faster than varints (no branch per byte), so the
// writer takes one whenever it is at most a quarter larger than the best varint mode
// (kPackedSlack); cold scans spend most of their time decoding integer columns.
//
// Arithmetic is modular (uint64), so any int64 sequence round-trips exactly, including
// INT64_MIN/INT64_MAX neighbours.
//
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "store/format/codec_bytes.h"

namespace vigia {

enum class IntEncoding : uint8_t {
  kConstant = 0,    // one value repeated
  kOffset = 1,      // (v - min) / scale
  kDelta = 2,       // (v[i] - v[i-1]) / scale, zigzag
  kDeltaDelta = 3,  // second differences / scale, zigzag (regular timestamps)
  // Part format 3:
  kOffsetPacked = 4,  // kOffset's values bit-packed
  kDeltaPacked = 5,   // kDelta's values bit-packed (timestamps)
  kDictPacked = 6,    // up to kIntDictMax distinct values, bit-packed codes (status)
};

// The modes a writer may use: parts of format version 1 and 2 know only the varint ones.
enum class IntModes : uint8_t { kVarintOnly, kWithPacked };

// Most distinct values of a kDictPacked chunk: codes of at most 8 bits.
inline constexpr size_t kIntDictMax = 256;

// Appends the encoding of `values` to `out`. Returns the encoding chosen.
IntEncoding EncodeInts(std::span<const int64_t> values, std::string* out,
                       IntModes modes = IntModes::kWithPacked);

// Is `enc` one of the bit-packed modes (whose chunks keep zstd only when it pays well)?
bool IsPackedIntEncoding(IntEncoding enc);

// Decodes exactly `n` values (the caller knows n from the block header) and appends them to
// `out`. Returns false on malformed or truncated input.
bool DecodeInts(ByteReader* in, size_t n, std::vector<int64_t>* out);

}  // namespace vigia

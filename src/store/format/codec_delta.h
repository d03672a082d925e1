// Integer codec: encodes a block of int64 values as a constant, as offsets from the minimum,
// as deltas or as deltas-of-deltas — whichever is smallest — each divided by the greatest
// common divisor of the steps (millisecond timestamps stored in nanoseconds cost no more than
// millisecond integers) and written as (zigzag) LEB128 varints. The part writer runs zstd over
// the result (codec_zstd.h), which mops up the remaining redundancy.
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
};

// Appends the encoding of `values` to `out`. Returns the encoding chosen.
IntEncoding EncodeInts(std::span<const int64_t> values, std::string* out);

// Decodes exactly `n` values (the caller knows n from the block header) and appends them to
// `out`. Returns false on malformed or truncated input.
bool DecodeInts(ByteReader* in, size_t n, std::vector<int64_t>* out);

}  // namespace vigia

// Float codec: a block of doubles is stored as decimal integers when every value is exactly
// m / 10^k for a small k (durations like 12.5 or 0.375 ms, prices), through the integer codec
// (codec_delta.h); otherwise as raw IEEE-754 bit patterns. Both round-trip bit-exactly
// (NaN payloads and -0.0 force the raw form).
//
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "store/format/codec_bytes.h"
#include "store/format/codec_delta.h"

namespace vigia {

enum class FloatEncoding : uint8_t {
  kDecimal = 0,  // u8 k, then EncodeInts(m) with v == m / 10^k
  kRaw = 1,      // n fixed64 bit patterns
};

// `modes` as for EncodeInts; *mantissas (if given) receives the int encoding of a decimal block.
FloatEncoding EncodeFloats(std::span<const double> values, std::string* out,
                           IntModes modes = IntModes::kWithPacked,
                           IntEncoding* mantissas = nullptr);
// Decodes exactly `n` values, appending to `out`; false on malformed input.
bool DecodeFloats(ByteReader* in, size_t n, std::vector<double>* out);

}  // namespace vigia

// Bit-packed frames: the fixed-width layout of the integer codec's packed modes
// (codec_delta.h). n unsigned values are cut into frames of kBitpackFrame values (the last
// one shorter); a frame is one u8 width b (0..64: the bits of its largest value) then its
// values, b bits each, least significant bit first, in ceil(count * b / 8) bytes.
//
// Why: a LEB128 varint costs a branch per byte and its length is data, so a decoder cannot
// know where value i starts without reading the ones before it. A frame of fixed-width values
// decodes each one from its position alone (one load, one shift, one mask), which is several
// times faster than the batched varint read (varint_batch.h) on the mixed 1-2 byte steps of a
// timestamp column. Per-frame widths keep one large value from widening the whole chunk.
//
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "store/format/codec_bytes.h"

namespace vigia {

// Values per frame: 128 keeps the width byte under 1 % of a frame of 8-bit values, and a
// frame's values in two cache lines' worth of output.
inline constexpr size_t kBitpackFrame = 128;

// Bytes PackFrames appends for `values`.
size_t PackedFramesSize(std::span<const uint64_t> values);

// Appends the frames of `values` to `out`.
void PackFrames(std::span<const uint64_t> values, std::string* out);

// Reads the frames of exactly n values into out[0..n). False when the input ends early or a
// width is above 64 (out is then partly written). Every byte it reads is inside `in`.
bool UnpackFrames(ByteReader* in, size_t n, uint64_t* out);

}  // namespace vigia

// Batched LEB128 decoding: n varints at once, for the integer columns (codec_delta.h), whose
// chunks hold tens of thousands of small varints. One varint at a time costs a branch per
// byte, and where 1- and 2-byte varints mix (the steps of a block's timestamps: half of
// them need a second byte) that branch mispredicts at every other value: decoding `_time`
// was the largest single cost of a cold scan grouped by time.
//
// So where the input mixes short varints, DecodeVarints reads 8 bytes at a time: their 8
// continuation bits index a 256-entry table that says how many whole varints of 1 or 2 bytes
// the 8 bytes hold and where each starts, and those are decoded without a branch. Eight
// bytes of 1-byte varints are widened at once. A longer varint is decoded alone. Where most
// varints are longer (3+ bytes: byte counts, ids), the table would decode only one or two
// per look-up, so a sample of the first 256 bytes picks the plain loop instead.
//
// Results equal n calls of ByteReader::GetVarint, malformed input included.
//
// Thread-safety: stateless functions (the table is a constant), thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigia {

// Decodes n varints from [p, end) into out[0..n). Returns the position after the last one,
// or nullptr when one is longer than 10 bytes or the input ends first (out is then partly
// written).
const uint8_t* DecodeVarints(const uint8_t* p, const uint8_t* end, size_t n, uint64_t* out);

}  // namespace vigia

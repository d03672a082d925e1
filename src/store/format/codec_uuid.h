// Hex-id codec: a block whose strings all share one "hex shape" — same length, dashes at the
// same positions, every other character a lowercase (or every one an uppercase) hex digit —
// is stored as packed nibbles: a UUID (36 chars) costs 16 bytes, a 32-hex trace id 16 bytes,
// a 16-hex span id 8 bytes. Random ids do not compress, so this is the floor for them.
//
// Layout: u8 length (<= 64), fixed64 dash mask (bit i set = '-' at position i), u8 upper,
// then per value ceil(hex_digits / 2) bytes, high nibble first.
//
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/arena.h"
#include "store/format/codec_bytes.h"

namespace vigia {

// True when every value has the same hex shape (and there is at least one value).
bool IsHexShaped(std::span<const std::string_view> values);

// REQUIRES: IsHexShaped(values).
void EncodeHexIds(std::span<const std::string_view> values, std::string* out);

// Decodes exactly `n` values into strings allocated in `arena`. False on malformed input.
bool DecodeHexIds(ByteReader* in, size_t n, Arena* arena, std::vector<std::string_view>* out);

// DecodeHexIds for the values at indexes `at` only (of the `n` stored; any order, repeats
// allowed), appended in `at` order: the input is checked as DecodeHexIds checks it, but the
// other values are never expanded. False on malformed input or an index >= n.
bool DecodeHexIdsAt(ByteReader* in, size_t n, std::span<const uint32_t> at, Arena* arena,
                    std::vector<std::string_view>* out);

}  // namespace vigia

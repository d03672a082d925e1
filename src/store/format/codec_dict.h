// Dictionary codec for low-cardinality strings (service, level, route, method, browser...):
// the distinct values once, then one fixed-width index per value (0 bytes when the block
// holds a single distinct value, 1 byte up to 256 entries, 2 bytes up to 65536).
//
// Layout: varint entry_count, entries (varint length + bytes), u8 index_width, indexes (LE).
//
// Thread-safety: thread-safe; EncodeDict keeps its hash table per thread between calls (up to
// ~0.7 MiB for a 32,768-row block; ReleaseLargeScratch bounds it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/format/codec_bytes.h"

namespace vigia {

// Most entries a dictionary block may hold (2-byte indexes).
inline constexpr size_t kMaxDictEntries = 65536;

// Appends the dictionary encoding of `values` to `out` and returns true, or returns false
// without touching `out` when the values have more than `max_entries` distinct strings, or
// when more than 7/8 of the first 1024+ values are distinct (a high-cardinality column:
// giving up early keeps unique ids from costing a full hash pass per block).
// REQUIRES: max_entries <= kMaxDictEntries.
bool EncodeDict(std::span<const std::string_view> values, size_t max_entries, std::string* out);

// Decodes exactly `n` values; the views point into the reader's underlying buffer, which
// the caller keeps alive. False on malformed input (including out-of-range indexes).
bool DecodeDict(ByteReader* in, size_t n, std::vector<std::string_view>* out);

// Decodes exactly `n` values in dictionary form: the entries into *entries (replaced) and
// one index per value appended to *codes. Same validation as DecodeDict.
bool DecodeDictCodes(ByteReader* in, size_t n, std::vector<std::string_view>* entries,
                     std::vector<uint16_t>* codes);

}  // namespace vigia

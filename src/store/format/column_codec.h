// Column block codec: turns the values of one column within one block into the stored bytes
// of a "column chunk" and back. The encoding is chosen by content (docs/storage-format.md):
//   presence  all-present flag, or a bitmap of present rows
//   strings   dictionary (constant = 1 entry; low cardinality), packed hex ids
//             (codec_uuid.h), or raw lengths + bytes
//   ints      codec_delta.h (constant / offset / delta / delta-of-delta, gcd-scaled)
//   floats    codec_float.h (decimal ints or raw bits)
//   bools     bitmap of values
// and the whole chunk is then framed with zstd when that pays (codec_zstd.h). See
// docs/storage-format.md for the byte layout.
//
// Thread-safety: stateless functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/arena.h"
#include "store/format/codec_delta.h"
#include "store/format/column_vector.h"

namespace vigia {

enum class StringEncoding : uint8_t { kDict = 0, kHex = 1, kRaw = 2 };

// The values of one column in one block: `rows` lists (ascending) the block rows that have
// the field; the value array of the column's type holds one value per entry of `rows`.
struct ColumnChunkInput {
  ColumnType type = ColumnType::kNull;
  uint32_t num_rows = 0;  // rows in the block
  std::span<const uint32_t> rows;
  std::span<const int64_t> ints;  // kInt, and kBool as 0/1
  std::span<const double> floats;
  std::span<const std::string_view> strings;
};

// What the metadata records about an encoded chunk.
struct ColumnChunkSummary {
  uint8_t encoding = 0;  // StringEncoding / IntEncoding / FloatEncoding of the values
  bool has_minmax = false;
  int64_t min_int = 0, max_int = 0;     // kInt
  double min_float = 0, max_float = 0;  // kFloat (NaN excluded)
};

// Appends the stored (framed) chunk to `out`.
// REQUIRES: rows is non-empty, ascending, < num_rows; value span of `type` has rows.size().
// `int_modes`: kWithPacked for parts of format version 3 and later (part_meta.h).
void EncodeColumnChunk(const ColumnChunkInput& in, int zstd_level, IntModes int_modes,
                       std::string* out, ColumnChunkSummary* summary);

// Decodes a stored chunk into `out` (which gets num_rows slots; out->name is left alone).
// `raw` receives the unframed bytes and must outlive `out` (string views point into it, or
// into `arena`). Returns false when the chunk is malformed.
bool DecodeColumnChunk(std::string_view stored, ColumnType type, uint32_t num_rows,
                       std::string* raw, Arena* arena, ColumnVector* out);

// DecodeColumnChunk for the block rows `rows` only (ascending, each < num_rows): `out` gets
// rows.size() slots, slot i holding row rows[i] (strings in flat form, copied into *text,
// which must outlive `out`). The chunk is checked as DecodeColumnChunk checks it — framing,
// presence, every length, dictionary index and value count, no trailing bytes — but the
// other rows' values are not materialized: no view per row, no hex id expanded, no spread
// over the block's rows, and an uncompressed chunk is not copied (a compressed one is
// unframed into *scratch, which is only grown). What a query returning a few whole rows of
// a block decodes of its other columns (query/part_block_reader.h). *present_count receives
// how many of the block's rows have the field. False when the chunk is malformed or `rows`
// is not ascending within the block.
bool DecodeColumnChunkRows(std::string_view stored, ColumnType type, uint32_t num_rows,
                           std::span<const uint32_t> rows, std::string* scratch, std::string* text,
                           ColumnVector* out, size_t* present_count);

}  // namespace vigia

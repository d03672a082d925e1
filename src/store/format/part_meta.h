// PartMeta: everything a reader needs to know about a part without touching its data — the
// content of the part's metadata file (file_names.h kPartMetaFile). Loaded whole at open.
//
// A part has columns (name + physical type; column 0 is always kTimeColumn, an int present
// in every row) and blocks of consecutive rows. Each block has one chunk per column present
// in it (columns absent from a whole block have no chunk: free nulls), with the chunk's
// offset/size/xxhash64 in the data file, its value count, min/max, and its bloom filter's
// offset/size/xxhash64 in the bloom file. See docs/storage-format.md for the byte layout.
//
// Thread-safety: value type; immutable once loaded, safe to share between threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/format/bloom.h"
#include "store/format/column_vector.h"

namespace vigia {

// Version of the part format this code writes (docs/storage-format.md). Version 2 added the
// chunks' value counts, version 3 the bit-packed int modes (codec_delta.h); older parts are
// still read.
inline constexpr uint32_t kPartFormatVersion = 3;
inline constexpr uint32_t kPartFormatVersionOldest = 1;

// One distinct value of a string chunk and the number of its rows holding it.
struct ChunkValueCount {
  std::string value;
  uint32_t count = 0;
};

struct ColumnMeta {
  std::string name;
  ColumnType type = ColumnType::kNull;
  BloomKind bloom = BloomKind::kNone;
  uint64_t values = 0;        // rows where present, whole part
  uint64_t stored_bytes = 0;  // chunk bytes in the data file, whole part
  uint64_t bloom_bytes = 0;
};

struct ChunkMeta {
  uint32_t column = 0;  // index into PartMeta::columns
  uint32_t values = 0;  // rows of the block where present
  uint8_t encoding = 0;
  uint64_t offset = 0;  // in the data file
  uint32_t size = 0;
  uint64_t checksum = 0;  // XXH64(seed 0) of the stored bytes
  bool has_minmax = false;
  int64_t min_int = 0, max_int = 0;     // kInt columns
  double min_float = 0, max_float = 0;  // kFloat columns
  uint64_t bloom_offset = 0;            // in the bloom file; bloom_size 0 = no filter
  uint32_t bloom_size = 0;
  uint64_t bloom_checksum = 0;
  // String chunks with at most limits::kChunkValueCountsMax distinct values (each at most
  // kChunkValueCountMaxBytes long): every value with its row count (the counts sum to
  // `values`), in first-seen order. Empty = not recorded (other chunks, version 1 parts).
  std::vector<ChunkValueCount> value_counts;
};

struct BlockMeta {
  uint64_t first_row = 0;
  uint32_t num_rows = 0;
  int64_t min_ts = 0, max_ts = 0;
  std::vector<ChunkMeta> chunks;  // sorted by column index; chunk 0 is the _time column

  // A binary search: a query checks a block's chunks of its filter's columns for each block
  // of every part, and a linear walk over a block's ~40 chunk entries (128 bytes each) was
  // most of what a warm query spent before reading any block. The order is checked by
  // DecodePartMeta and kept by the writer.
  const ChunkMeta* FindChunk(uint32_t column) const {
    auto it = std::lower_bound(chunks.begin(), chunks.end(), column,
                               [](const ChunkMeta& c, uint32_t col) { return c.column < col; });
    return it != chunks.end() && it->column == column ? &*it : nullptr;
  }
};

struct PartMeta {
  uint32_t format_version = kPartFormatVersion;
  uint64_t rows = 0;
  int64_t min_ts = 0, max_ts = 0;
  // Highest WAL sequence whose events are in this part (opaque to the part layer; the Store
  // uses it to know which WAL segments are covered). Merges keep the max of their inputs.
  uint64_t wal_seq = 0;
  // Names of the parts (same partition) this part replaces: a merge output lists its inputs,
  // so that after a crash between the rename and the deletion of the inputs, opening the
  // partition deletes the inputs instead of serving their rows twice.
  std::vector<std::string> replaces;
  std::vector<ColumnMeta> columns;
  std::vector<BlockMeta> blocks;
  uint64_t data_bytes = 0;
  uint64_t bloom_bytes = 0;

  // Index of column (name, type), or -1.
  int FindColumn(std::string_view name, ColumnType type) const {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i].type == type && columns[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }
};

// Serializes `meta` (magic, version, body, trailing XXH64 of everything before it).
std::string EncodePartMeta(const PartMeta& meta);
// Parses and validates a metadata file's content. `what` names the part in errors.
Result<PartMeta> DecodePartMeta(std::string_view data, std::string_view what);

}  // namespace vigia

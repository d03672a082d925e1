// PartBlockReader: the columnar engine's access to one part for one query — decides from
// metadata and bloom filters whether a block can hold a matching row (QueryPlan::prune), and
// decodes only the chunks of the columns the query reads (through the process-wide
// ChunkCache, so warm queries skip decoding). Built on PartReader's public
// chunk API, so the engine chooses the block order and spreads blocks over threads itself.
//
// Every byte read is checksummed by PartReader; a bad chunk or bloom yields Corruption
// naming the part, the column and the block. Bloom filters are cached like chunks, a column's
// filters of 64 blocks as one entry (bloom_group.h), and the pruning rules themselves are the
// store's (PartReader::ChunkMayMatch).
//
// Thread-safety: immutable after construction; MayMatch/Read may run on many threads at once
// (each with its own DecodedBlock).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/block_view.h"
#include "query/bloom_group.h"
#include "query/chunk_cache.h"
#include "query/query_plan.h"
#include "store/format/part_reader.h"

namespace vigia {

// A block's decoded columns (shared with the chunk cache) and a view over them.
struct DecodedBlock {
  std::shared_ptr<const CachedChunk> ts;  // null when read without timestamps
  std::vector<std::shared_ptr<const CachedChunk>> chunks;
  std::vector<uint32_t> col_index;  // part column index of each chunk
  BlockView view;
  std::vector<size_t> view_order;  // BuildView's scratch, kept with the block for reuse
};

// The other wanted columns of a block (those ReadRest adds) for some of its rows only: what
// a query returning whole rows needs of a block where the filter matched.
struct BlockRows {
  std::vector<uint32_t> rows;  // block rows, ascending (set by the caller)
  std::vector<std::shared_ptr<const CachedChunk>> chunks;
  std::vector<uint32_t> col_index;  // part column index of each chunk
  // Per chunk: 1 = a whole chunk (from the chunk cache, or decoded to be kept), indexed by
  // block row; 0 = one slot per entry of `rows` (DecodeColumnChunkRows).
  std::vector<uint8_t> whole;
};

// Reads and decodes a whole chunk of `part` into *e as the chunk cache keeps it: the column
// (typed as the part's metadata says) and, for the `_time` chunk, its sorted runs
// (CachedChunk::time_runs) unless !time_runs (a chunk the cache will not keep, read by a query
// whose time range covers the whole block). The one decode both the queries (PartBlockReader)
// and the fresh-data warmer use, so a chunk the warmer cached serves a time range as one a
// query cached does. *e may be a recycled chunk: every field set here is reset first.
Status ReadCachedChunk(const PartReader& part, size_t block, const ChunkMeta& c, CachedChunk* e,
                       uint64_t* bytes_read, bool time_runs = true);

class PartBlockReader {
 public:
  // REQUIRES: `reader` and `plan` outlive this object.
  PartBlockReader(const PartReader& reader, const QueryPlan& plan);

  size_t num_blocks() const { return reader_.meta().blocks.size(); }
  const PartReader& reader() const { return reader_; }
  // Does the block's time range intersect the plan's?
  bool InTimeRange(size_t block) const;
  // The block's chunks of the columns named `field` (any type): *count of them, the first
  // returned (nullptr when none).
  const ChunkMeta* FieldChunk(size_t block, const std::string& field, size_t* count) const;
  // False only when no row of the block can match (time, min/max, absent columns, blooms).
  // Bloom filters come through `memo` (the calling thread's; bloom_group.h).
  Result<bool> MayMatch(size_t block, BloomMemo* memo, uint64_t* bytes_read) const;
  // Decodes the block's timestamps (unless !with_ts: view.ts is null then) and the columns the
  // filter reads into *out (reset first). !ts_runs: the caller will not cut the block by time,
  // so the timestamps' runs need not be found unless the chunk is kept in the cache.
  Status ReadFilterColumns(size_t block, DecodedBlock* out, uint64_t* bytes_read,
                           bool with_ts = true, bool ts_runs = true) const;
  // Adds the other wanted columns (late materialization: only blocks with a matching row).
  Status ReadRest(size_t block, DecodedBlock* out, uint64_t* bytes_read) const;
  // The same columns as ReadRest for out->rows only (out's chunks are replaced). A chunk the
  // cache holds whole is used whole. Otherwise only the rows' values are decoded (no UUID
  // column's hex expansion, no view per string, no spread over the block's rows), and
  // what the cache keeps on a second read (chunk_cache.h) depends on how many rows:
  //  - few (rows x kFewRowsDivisor <= the block's rows: a needle, a rare word): those
  //    rows' values, under a RowsKey. Keeping whole chunks there would make a query's
  //    second run fill the cache with every row of ~45 columns of each block to return one
  //    or two of them (seconds of fresh pages at 10M events, for a warm run no faster);
  //  - more: the whole chunk, decoded again and kept, as LoadChunk does.
  Status ReadRestRows(size_t block, BlockRows* out, uint64_t* bytes_read) const;
  // See ReadRestRows.
  static constexpr size_t kFewRowsDivisor = 16;

 private:
  // `columns`: the part's columns named leaf.column (nullptr when none).
  Result<bool> LeafMayMatch(size_t block, const PruneLeaf& leaf,
                            const std::vector<uint32_t>* columns, BloomMemo* memo,
                            uint64_t* bytes_read) const;
  Status ReadColumns(size_t block, uint8_t which, DecodedBlock* out, uint64_t* bytes_read) const;
  // The decoded chunk, from the cache or read (bytes_read counts only what is read).
  Result<std::shared_ptr<const CachedChunk>> LoadChunk(size_t block, const ChunkMeta& c,
                                                       uint64_t* bytes_read,
                                                       bool time_runs = true) const;
  // Decodes the whole chunk: into new memory kept by the cache under `key` (admit), or into
  // a recycled chunk dropped after use.
  Result<std::shared_ptr<const CachedChunk>> DecodeChunk(size_t block, const ChunkMeta& c,
                                                         const std::string& key, bool admit,
                                                         uint64_t* bytes_read,
                                                         bool time_runs = true) const;
  static void BuildView(DecodedBlock* out, uint32_t num_rows);

  const PartReader& reader_;
  const QueryPlan& plan_;
  // Per prune clause and leaf of the plan: the part's columns of the leaf's field (nullptr
  // when none), looked up once per query, not per block.
  std::vector<std::vector<const std::vector<uint32_t>*>> leaf_columns_;
  // Per column index: 0 = not read, 1 = read after filtering, 2 = read for the filter.
  std::vector<uint8_t> wanted_;
};

}  // namespace vigia

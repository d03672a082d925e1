// PartWriter: writes one immutable columnar part from rows given in sort-key order.
//
// The part is built in a temporary directory (tmp-<seq>), one block of rows at a time (so a
// merge streams in bounded memory), then its files are fsynced and the directory renamed to
// its final name — the rename is the commit point: a crash at any earlier step leaves only a
// tmp- directory, which PartitionSet::Open deletes. All I/O goes through Env so that tests can
// inject a crash at every step.
//
// Rows are sorted by (service, kind, ts) — RowKey below — so that alike values sit together
// in blocks (long dictionary runs, tight delta ranges, sharp per-block min/max).
//
// Thread-safety: externally synchronized (one thread drives a writer). With
// PartWriterOptions::encode_threads = 2 the writer encodes blocks on a helper thread of its
// own too (encode_helper.h), joined before Finish returns and by the destructor.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/arena.h"
#include "common/env.h"
#include "common/limits.h"
#include "common/status.h"
#include "event/event.h"
#include "store/format/bloom.h"
#include "store/format/column_codec.h"
#include "store/format/encode_helper.h"
#include "store/format/part_meta.h"

namespace vigia {

struct PartWriterOptions {
  Env* env = nullptr;  // nullptr = Env::Default()
  uint32_t block_rows = limits::kPartBlockRows;
  int zstd_level = limits::kPartZstdLevel;
  int bloom_bits_per_key = limits::kBloomBitsPerKey;             // BloomKind::kTokens
  int bloom_value_bits_per_key = limits::kBloomValueBitsPerKey;  // BloomKind::kValues
  uint64_t wal_seq = 0;               // recorded in the metadata (PartMeta::wal_seq)
  std::vector<std::string> replaces;  // recorded in the metadata (PartMeta::replaces)
  // Format version of the metadata written: kPartFormatVersion; tests write version 1 parts
  // (no value counts) to check that they are still read and answer alike.
  uint32_t format_version = kPartFormatVersion;
  // Where background writers (merges, flushes) give way to running queries
  // (common/query_priority.h BackgroundYield): called before each column chunk is encoded,
  // on whichever thread encodes it (the helper's too, so it must be thread-safe with
  // encode_threads = 2), and every limits::kPartWriterYieldRows rows given to Add/AddWithKey. A
  // chunk takes about a millisecond to encode; a block (32k rows, tens of chunks) was too coarse a
  // point for queries of 5-30 ms (issue 20, round twelve).
  std::function<void()> yield_point;
  // Threads that encode the blocks of rows given by Add/AddWithKey. 1: the calling thread,
  // when a block is full. 2: also a helper thread (encode_helper.h), so that while the
  // calling thread transposes block N+1's rows the helper encodes block N's chunks, and
  // both encode the chunks left when block N+1 is full (the memtable flush: one flush ran
  // on one core while appends waited for it, issue 20 round eight). The part is byte for
  // byte the one a single thread writes; blocks are written in order on the calling
  // thread, which also makes every error the writer's. At most one block more in memory
  // (the one being encoded). The helper runs at the calling thread's priority and calls
  // yield_point before each chunk it encodes. The columnar input
  // (BeginBlock/AddChunk/EndBlock) always encodes on the calling thread.
  int encode_threads = 1;
};

// The sort key of a row: (service, kind, ts); absent strings sort first.
struct RowKey {
  std::string_view service;
  std::string_view kind;
  int64_t ts = 0;
};
RowKey RowKeyOf(int64_t ts, std::span<const Field> fields);
// <0, 0, >0 like strcmp.
int CompareRowKeys(const RowKey& a, const RowKey& b);

// Which bloom filter a column gets (by name and type): tokens for msg and error.* text,
// exact values for high-cardinality ids (request_id, trace_id, span_id, user_id, session_id,
// ip, entity_id, fingerprint), none otherwise.
BloomKind BloomKindFor(std::string_view name, ColumnType type);

class PartWriter {
 public:
  // Creates `tmp_dir` (deleting a leftover of the same name) and its files.
  static Result<std::unique_ptr<PartWriter>> Create(std::string tmp_dir, PartWriterOptions options);
  // Deletes the temporary directory unless Finish() succeeded.
  ~PartWriter();

  // Adds one row. REQUIRES: RowKeyOf(ts, fields) >= the previous row's key (a violation
  // returns InvalidArgument and the writer stays failed). A field name repeated within one
  // event (against the event.h invariant) keeps its first value; see
  // dropped_duplicate_fields().
  Status Add(int64_t ts, std::span<const Field> fields);
  // Add() for a caller that already holds the row's key (the flush sort and the merge heap
  // compute it anyway): the fields are not scanned for service and kind a second time.
  // REQUIRES: key == RowKeyOf(key.ts, fields); key >= the previous row's key.
  Status AddWithKey(const RowKey& key, std::span<const Field> fields);

  // Columnar input (the merge, merge.h): a block given column by column instead of row by
  // row. BeginBlock takes the block's timestamps, one per row (1..block_rows() rows, rows in
  // RowKey order: the caller's guarantee, not checked here); AddChunk one column's values
  // (`in.rows` ascending, non-empty), columns in ascending column index — a new (name, type)
  // takes the next index, so giving the columns in the order they first appear in the
  // part's rows and field order makes the part the row path would have written from the
  // same rows; EndBlock encodes nothing more and appends the block. Blocks are the caller's:
  // Finish does not split or pad them. REQUIRES: no row added by Add/AddWithKey since the
  // last block boundary; string views in `in` live until the AddChunk call returns.
  Status BeginBlock(std::span<const int64_t> ts);
  Status AddChunk(std::string_view name, ColumnType type, const ColumnChunkInput& in);
  Status EndBlock();

  // Writes the last block and the metadata, fsyncs, renames the temporary directory to
  // `final_dir` and fsyncs its parent. REQUIRES: at least one row was added.
  Result<PartMeta> Finish(const std::string& final_dir);

  uint64_t rows() const { return meta_.rows + fill_->rows + (encoding_ ? encoding_->rows : 0); }
  uint32_t block_rows() const { return opt_.block_rows; }
  uint64_t dropped_duplicate_fields() const { return dropped_duplicate_fields_; }

  // The row path's block buffers (column builders, timestamps: ~10 MB per 32k-row block)
  // outlive a writer: the next writer that adds rows reuses them instead of faulting fresh
  // pages in for its first two blocks (a new writer per memtable flush). At most one
  // writer's two blocks are kept; this frees them once no writer has used them for
  // kBatchPoolIdleReleaseMs (the store's maintenance thread calls it); returns whether it
  // freed any. Thread-safe.
  static bool ReleaseIdleBlockBuffers();

 private:
  struct ColumnBuilder {
    std::vector<uint32_t> rows;
    std::vector<int64_t> ints;
    std::vector<double> floats;
    std::vector<std::string_view> strings;
  };
  // One block of rows transposed into columns (the row path).
  struct BlockRows {
    uint32_t rows = 0;
    std::vector<int64_t> ts;
    std::vector<ColumnBuilder> builders;  // indexed like meta_.columns
    std::vector<uint32_t> touched;        // columns with values in this block
    Arena arena;                          // the strings' bytes
    void Clear();
  };
  // One chunk of the block being encoded on two threads: what to encode, and the result.
  struct ChunkTask {
    uint32_t col = 0;
    ColumnType type = ColumnType::kNull;
    BloomKind bloom = BloomKind::kNone;
    uint64_t weight = 0;  // a guess at its encoding time: the larger ones are taken first
    ChunkMeta meta;       // offsets placed when the block is written
    bool has_bloom = false;
    std::string data, blooms;  // reused across blocks
  };
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  // The column field position `position` of the previous row used: rows of one block
  // mostly share their layout, so a byte compare usually replaces the hash lookup.
  struct Predicted {
    std::string_view name;  // a key of by_name_ (node-stable)
    ColumnType type = ColumnType::kNull;
    uint32_t col = 0;
  };

  PartWriter(std::string tmp_dir, PartWriterOptions options);
  // Before the first row: the blocks a finished writer left (ReleaseIdleBlockBuffers).
  void AdoptRecycledBlocks();
  // In the destructor: this writer's blocks, cleared, for the next writer.
  void RecycleBlocks();
  // The blocks finished writers left (defined in part_writer.cpp).
  struct BlockStash;
  static BlockStash& Stash();
  uint32_t ResolveColumn(std::string_view name, ColumnType type);
  uint32_t ResolveColumnAt(size_t position, std::string_view name, ColumnType type);
  Status FlushBlock();
  // encode_threads = 2: writes the block in flight (its chunks encoded here too, see
  // EncodeHelper::Finish), then hands the filled block to the helper and the other slot
  // becomes the one filled.
  Status FlushBlockOnTwoThreads();
  // Waits for the block in flight to be encoded and writes it; Ok when there is none.
  Status WriteEncodedBlock();
  // A chunk of the block in flight (runs on either thread; reads only that block, tasks_,
  // all_rows_ and constants).
  void EncodeTask(size_t task);
  ColumnChunkInput InputOf(const BlockRows& b, uint32_t col, ColumnType type) const;
  // Encoding one block, shared by both inputs: StartBlock (the _time chunk), EncodeChunk per
  // column in ascending index, FinishBlock (append to the files, metadata).
  void StartBlock(std::span<const int64_t> ts);
  void EncodeChunk(uint32_t col, const ColumnChunkInput& in);
  // Adds an encoded chunk, placed at data_base in the data file (bloom_base in the bloom
  // file), to block_ and to its column's totals.
  void AddChunkMeta(ChunkMeta c, bool has_bloom, uint64_t data_base, uint64_t bloom_base);
  Status FinishBlock();

  std::string tmp_dir_;
  PartWriterOptions opt_;
  Env* env_;
  std::unique_ptr<WritableFile> data_;
  std::unique_ptr<WritableFile> bloom_;
  Status failed_;
  bool finished_ = false;
  uint64_t dropped_duplicate_fields_ = 0;

  PartMeta meta_;
  // name -> column index per ColumnType (-1 = none yet).
  std::unordered_map<std::string, std::array<int32_t, 5>, NameHash, std::equal_to<>> by_name_;

  // The block being filled (fill_) and, with encode_threads = 2, the one being encoded
  // (encoding_, nullptr when none): the two slots of blocks_.
  BlockRows blocks_[2];
  BlockRows* fill_ = &blocks_[0];
  BlockRows* encoding_ = nullptr;
  std::vector<ChunkTask> tasks_;           // encoding_'s chunks in column order
  std::vector<uint32_t> task_order_;       // tasks_ indices, heaviest first
  std::unique_ptr<EncodeHelper> helper_;   // encode_threads = 2
  std::vector<Predicted> predicted_;       // by field position, see Predicted
  std::string block_data_, block_blooms_;  // FlushBlock's output buffers, reused
  std::vector<uint32_t> all_rows_;         // FlushBlock's 0..n-1 row list, reused
  BlockMeta block_;                        // the block being encoded
  bool in_block_ = false;                  // between BeginBlock and EndBlock
  uint32_t rows_since_yield_ = 0;          // rows added since the last yield_point call
  bool have_last_key_ = false;
  std::string last_service_, last_kind_;
  int64_t last_ts_ = 0;
};

// One event of a batch.
struct RowRef {
  const EventBatch* batch = nullptr;
  uint32_t event = 0;
};

// Sorts `rows` by RowKey (stable) and writes them as one part (tmp_dir -> final_dir).
// REQUIRES: rows is not empty; the batches outlive the call.
Result<PartMeta> WritePartFromRows(std::vector<RowRef> rows, const std::string& tmp_dir,
                                   const std::string& final_dir, PartWriterOptions options);

// WritePartFromRows over every event of `batches`.
Result<PartMeta> WritePartFromBatches(std::span<const EventBatch* const> batches,
                                      const std::string& tmp_dir, const std::string& final_dir,
                                      PartWriterOptions options);

}  // namespace vigia

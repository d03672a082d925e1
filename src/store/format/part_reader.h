// PartReader: an open, immutable part — its metadata in memory and its data and bloom files
// open for positional reads — and the scan over it (part_scan.h).
//
// Every byte read is checked: chunk and bloom checksums (xxhash64), structural decoding, file
// sizes at open. Any mismatch, truncation or missing file yields Status::Corruption naming
// the part directory (and the column and block), never a crash. A read that fails after open
// (corruption, or an I/O error of the data or bloom file) also marks the reader corrupt and
// reports the part once to the DegradedParts sink given at open, so the store can list it in
// /health/ready and stop merging it.
//
// The files stay open for the reader's lifetime, so a snapshot holding a reader can keep
// scanning after a merge or retention deleted the directory (POSIX unlink semantics).
//
// Thread-safety: thread-safe (all methods const; reads use pread).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "event/event.h"
#include "store/format/degraded_parts.h"
#include "store/format/part_meta.h"
#include "store/format/part_scan.h"

namespace vigia {

// What block pruning asks of one chunk: "may it hold a value satisfying this?". The rules
// (min/max, value and token blooms) live in PartReader::ChunkMayMatch only; PartReader::Scan
// and the query engine (query/part_block_reader.h) both prune through it.
struct ChunkProbe {
  enum class Op : uint8_t {
    kValues,  // one of `values`: numbers by min/max, strings by the value or token bloom
    kRange,   // a number in [lo, hi] (min/max)
    kTokens,  // a string holding every one of `tokens` as a word (token bloom)
  };
  Op op = Op::kValues;
  std::span<const ScanValue> values;
  double lo = 0, hi = 0;
  std::span<const std::string> tokens;
  // kRange: non-numeric chunks may match too (VQL compares those values as text).
  bool range_includes_text = false;
};

// Answers "may the chunk's bloom filter hold this hash?" (loading the filter as it likes).
using BloomLookup = std::function<Result<bool>(uint64_t hash)>;

class PartReader {
 public:
  // May chunk `c` of column `cm` hold a value satisfying `probe`? `bloom_has` is called
  // only when the chunk has a bloom filter and the rules need it. JSON-null columns hold
  // nothing.
  static Result<bool> ChunkMayMatch(const ColumnMeta& cm, const ChunkMeta& c,
                                    const ChunkProbe& probe, const BloomLookup& bloom_has);

  // Opens the part in directory `dir` (reads and validates meta.bin; opens data and bloom).
  // `degraded` (optional) receives the part when a later read finds it corrupt; shared
  // because snapshots may keep the reader alive longer than the set that opened it.
  static Result<std::shared_ptr<PartReader>> Open(
      Env* env, const std::string& dir, std::shared_ptr<DegradedParts> degraded = nullptr);

  const PartMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  // Bytes of the part's three files.
  uint64_t disk_bytes() const { return meta_.data_bytes + meta_.bloom_bytes + meta_size_; }
  // True once a read of this part failed its checks (see above).
  bool corrupt() const { return corrupt_.load(std::memory_order_relaxed); }

  // Calls `sink` with one batch per block that survives pruning (in block order) until the
  // blocks run out or `sink` returns an error (which Scan returns). Adds to *stats if given.
  Status Scan(const ScanSpec& spec, const std::function<Status(ColumnBatch&)>& sink,
              ScanStats* stats) const;

  // Appends the rows of block `block` to `out` as events (fields in column order; the
  // _time column becomes ts_ns). Strings are copied into out->arena().
  Status ReadBlockEvents(size_t block, EventBatch* out) const;
  // All rows of the part, in part order.
  Result<EventBatch> ReadAllEvents() const;

  // Reads and checks one chunk of a block: checksum and full decode. Used by Scan and by
  // store_check. `col` must have a chunk in the block.
  Status ReadChunk(size_t block, const ChunkMeta& chunk, ColumnBatch* storage, ColumnVector* out,
                   uint64_t* bytes_read) const;
  // ReadChunk for block rows `rows` only (ascending): *out gets one slot per wanted row (see
  // DecodeColumnChunkRows), its strings copied into a buffer of *storage. Checksum and checks
  // as ReadChunk; the other rows' values are not materialized.
  Status ReadChunkRows(size_t block, const ChunkMeta& chunk, std::span<const uint32_t> rows,
                       ColumnBatch* storage, ColumnVector* out, uint64_t* bytes_read) const;
  // The indexes of the columns named `name` (one per stored type, never column 0), or
  // nullptr when the part has none.
  const std::vector<uint32_t>* ColumnsNamed(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &it->second;
  }
  // Reads and checks one chunk's bloom filter (empty when it has none).
  Status ReadBloom(size_t block, const ChunkMeta& chunk, std::string* filter,
                   uint64_t* bytes_read) const;

 private:
  PartReader() = default;
  Status Corrupt(size_t block, uint32_t column, std::string_view why) const;
  // Marks the reader corrupt, reports it to the sink once, and returns `st`.
  Status Degrade(Status st) const;
  // Reads chunk `chunk` of `block` into *stored (grown as needed) and checks its length and
  // checksum: the stored bytes, or the error (reported through Corrupt/Degrade).
  Result<std::string_view> ReadStoredChunk(size_t block, const ChunkMeta& chunk,
                                           std::string* stored, uint64_t* bytes_read) const;
  // Can any row of `block` satisfy `p`? Consults min/max and bloom filters.
  Result<bool> BlockMayMatch(size_t block, const ScanPredicate& p, bool* used_bloom,
                             uint64_t* bytes_read) const;

  Env* env_ = nullptr;
  std::string dir_;
  PartMeta meta_;
  uint64_t meta_size_ = 0;
  std::unique_ptr<RandomAccessFile> data_;
  std::unique_ptr<RandomAccessFile> bloom_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_name_;  // name -> column indexes
  std::shared_ptr<DegradedParts> degraded_;
  mutable std::atomic<bool> corrupt_{false};
};

}  // namespace vigia

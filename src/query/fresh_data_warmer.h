// FreshDataWarmer: the store's FreshDataListener (store/store.h) on the query engine's side.
// It does, ahead of the queries, the work the first query to read fresh data would otherwise
// do while it is timed — for the field names recent queries read (hot_columns.h) only:
//
//  * memtable: when a batch is appended, its MemtableBlock (memtable_block.h) is made and
//    its hot columns built, on the appending thread before the batch is readable. Under
//    full-speed ingest a dashboard query found ~7 new 20,000-event batches since its last
//    run and built their columns itself, on its one memtable thread.
//  * parts: when a flush or a merge writes a part, the chunks of its hot columns (and the
//    timestamps when a recent query read them per row) and their bloom filters are decoded
//    into the chunk cache (chunk_cache.h) on the flush or merge thread, before the part is
//    published. Without it the first queries after every flush and merge decoded the new
//    part cold — twice, since the cache keeps a chunk on its second read — and a merged part
//    is millions of rows. The chunks are the ones PartBlockReader would decode (the same
//    PartReader::ReadChunk), under the same keys; the cache's byte bound holds as for any
//    Put, and a part replaced by a merge drops its entries at once (ChunkCache::ErasePart).
//
// Either half can be turned off (the server reads VIGIA_FRESH_DATA_WARM: off, memtable,
// parts; both by default) for before/after measurements.
//
// Thread-safety: thread-safe (the caches it fills are).
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace vigia {

class ChunkCache;
class HotColumns;
class MemtableBlockCache;

class FreshDataWarmer final : public FreshDataListener {
 public:
  struct Options {
    bool memtable = true;  // build appended batches' hot columns
    bool parts = true;     // decode fresh parts' hot chunks into the chunk cache
    // nullptr = the process-wide ones the engine uses.
    HotColumns* hot = nullptr;
    MemtableBlockCache* blocks = nullptr;
    ChunkCache* chunks = nullptr;
  };
  explicit FreshDataWarmer(Options options);

  // The options VIGIA_FRESH_DATA_WARM asks for (unset or anything else: both halves).
  static Options FromEnvironment();

  void BatchAppending(const std::shared_ptr<const EventBatch>& batch) override;
  void PartWritten(const PartReader& part) override;
  void PartRetired(const std::string& part_dir) override;

 private:
  const Options opt_;
  HotColumns& hot_;
  MemtableBlockCache& blocks_;
  ChunkCache& chunks_;
};

}  // namespace vigia

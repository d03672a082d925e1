// ChunkCache: decoded column chunks of parts kept between queries (LRU, bounded in bytes),
// so a warm query does not decompress and decode the same blocks again — decoding is most of
// a scan's CPU time. Parts are immutable and their directory names are never reused
// (part-<seq> with a growing seq), so (part dir, block, column) identifies a chunk's content
// forever; entries of dropped or merged parts simply age out.
//
// Entries are shared: a query holds the chunks of the block it is working on even if the
// cache evicts them meanwhile.
//
// Admission on the second read (Lookup): a decoded chunk is kept only when its key was looked
// up before. The first read of a chunk decodes it into recycled memory (chunk_pool.h) and
// drops it after use; the second read decodes it into new memory and keeps it. Filling the
// cache means faulting in fresh pages, which on this class of machine costs more than the
// decoding itself, so a query run once (a cold start, an ad-hoc scan over a long range) runs
// ~1.7x faster and does not push the dashboards' working set out; a query run again pays the
// fill once and is warm from its third run. Linux's page cache (inactive list first), InnoDB's
// midpoint insertion and TinyLFU's doorkeeper admit on second use for the same reasons. The
// doorkeeper is a set of key hashes, forgotten at once when it reaches
// limits::kChunkCacheDoorkeeperKeys. VIGIA_CHUNK_CACHE_ADMIT=first in the environment keeps
// every chunk on its first read instead (before/after measurements).
//
// Thread-safety: thread-safe (one mutex; held only for map/list updates, never while
// decoding).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "query/chunk_cache_stats.h"
#include "store/format/part_scan.h"

namespace vigia {

// One decoded chunk and the storage its string views point into — or, under a
// BloomGroupKey, the checked bloom filters of one column over a group of blocks
// (query/bloom_group.h: so warm block pruning neither reads nor checksums); or, under a
// RowsKey, the values of some rows of a chunk only (`rows`: the block rows, one slot of `col`
// each).
struct CachedChunk {
  ColumnBatch storage;  // buffers + arena only
  ColumnVector col;
  std::string bloom;                    // a bloom group's filters, end to end
  std::vector<uint32_t> bloom_offsets;  // a bloom group's: block i's filter is [i], [i + 1])
  std::vector<uint32_t> group_chunks;   // a bloom group's: block i's chunk index (bloom_group.h)
  std::vector<uint32_t> rows;
  size_t bytes = 0;  // approximate memory held
  // The `_time` chunk (part column 0) only: the first row of each run of non-decreasing
  // timestamps (time_mask.h FindSortedRuns). Rows are sorted by (service, kind, ts), so a
  // block holds one run per service and kind in it; the engine finds a time range's rows by
  // a binary search in each run instead of testing every row. Empty for other chunks and
  // for a `_time` chunk of more than limits::kMaxTimeRunsPerBlock runs.
  std::vector<uint32_t> time_runs;
};

class ChunkCache {
 public:
  explicit ChunkCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The process-wide cache (limits::kQueryChunkCacheBytes unless SetCapacity was called).
  static ChunkCache& Default();

  static std::string Key(const std::string& part_dir, size_t block, uint32_t column);
  static std::string BloomGroupKey(const std::string& part_dir, uint32_t column, size_t group);
  // The key of some rows' values of the chunk under `chunk_key` (a Key): a query returning a
  // few whole rows of a block keeps those, not every row of its columns. Different row sets
  // may share a key (a hash): a hit is used only if its `rows` are the ones wanted.
  static std::string RowsKey(const std::string& chunk_key, std::span<const uint32_t> rows);

  // nullptr on a miss.
  std::shared_ptr<const CachedChunk> Get(const std::string& key);
  // Get() for a decoded chunk: on a miss, *admit says whether the caller should Put the chunk
  // it decodes (its key was looked up before, or admission on first read is on); a miss that
  // does not admit remembers the key for next time. Always false with a zero capacity.
  std::shared_ptr<const CachedChunk> Lookup(const std::string& key, bool* admit);
  // Keep chunks on their first read (true) or their second (false, the default).
  void SetAdmitOnFirstRead(bool first);
  // Inserts (or replaces) and evicts least recently used entries beyond the capacity.
  // Chunks bigger than a quarter of the capacity are not kept.
  void Put(const std::string& key, std::shared_ptr<const CachedChunk> chunk);

  // Drops every entry of the part in `part_dir` (chunks and blooms): a part replaced by a
  // merge is read by no new query, and its entries would otherwise hold memory until the LRU
  // end reaches them. Queries still holding its chunks keep them. O(entries).
  void ErasePart(const std::string& part_dir);
  // Entries held (tests).
  size_t entries() const;

  size_t bytes() const;
  size_t capacity() const;

  // What /v1/stats and /metrics show of it (one lock, one consistent view); hits and misses
  // count Get and Lookup calls.
  ChunkCacheStats stats() const;
  // Changes the bound (the server's query.cache_bytes), evicting down to it at once; the
  // doorkeeper forgets the keys it saw.
  void SetCapacity(size_t capacity_bytes);

 private:
  void EvictLocked();  // REQUIRES: mu_ held

  struct Entry {
    std::string key;
    std::shared_ptr<const CachedChunk> chunk;
  };
  mutable std::mutex mu_;
  size_t capacity_;                                                    // guarded by mu_
  size_t bytes_ = 0;                                                   // guarded by mu_
  std::list<Entry> lru_;                                               // front = newest
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;  // guarded by mu_
  std::unordered_set<size_t> seen_;  // guarded by mu_; hashes of keys looked up, not kept
  bool admit_first_ = false;         // guarded by mu_
  uint64_t hits_ = 0;                // guarded by mu_
  uint64_t misses_ = 0;              // guarded by mu_
  uint64_t evictions_ = 0;           // guarded by mu_
};

// Approximate memory of a decoded chunk (vectors plus string storage).
size_t ChunkMemory(const CachedChunk& c);

}  // namespace vigia

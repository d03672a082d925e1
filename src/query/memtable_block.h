// MemtableBlock: the columnar form of one memtable EventBatch — its timestamps and one
// ColumnVector per (field name, type) in first-appearance order — so the columnar engine
// filters and aggregates the newest events with the same kernels as part blocks instead of
// looking fields up row by row (EventRowAccessor). A live server's memtable holds up to
// limits::kMemtableFlushBytes of events (~180k), and every dashboard, alert and KPI query
// reads them, so this scan is hot.
//
// Memtable batches are immutable once inserted, so a batch's block is built once, on the
// first query that needs it, and cached (MemtableBlockCache) until the batch is freed
// (flushed into a part and no longer held by any snapshot) and the cache next sweeps: a
// block is as big as its batch, so the cache sweeps before each new entry and every 64 hits.
//
// String values are views into the batch's arena: a MemtableBlock is valid only while its
// EventBatch lives. The engine holds the batch through its StoreSnapshot while it uses the
// block; the cache itself holds the batch only weakly.
//
// Semantics equal EventRowAccessor's: a field present with a JSON null reads as null (a
// kNull column), and when an event repeats a field name the first occurrence wins.
//
// Thread-safety: MemtableBlock is immutable after Build and safe to read from many threads;
// MemtableBlockCache is thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "event/event.h"
#include "query/block_view.h"
#include "store/format/column_vector.h"

namespace vigia {

class MemtableBlock {
 public:
  // REQUIRES: `batch` outlives every use of the returned block's view.
  static std::unique_ptr<MemtableBlock> Build(const EventBatch& batch);

  const BlockView& view() const { return view_; }
  size_t num_rows() const { return ts_.size(); }
  int64_t min_ts() const { return min_ts_; }
  int64_t max_ts() const { return max_ts_; }
  // Approximate heap bytes held (string bytes stay in the batch's arena).
  size_t MemoryUsage() const { return bytes_; }

 private:
  MemtableBlock() = default;

  std::vector<int64_t> ts_;
  std::deque<ColumnVector> columns_;  // deque: views keep pointing at them while adding
  BlockView view_;
  int64_t min_ts_ = 0, max_ts_ = 0;
  size_t bytes_ = 0;
};

class MemtableBlockCache {
 public:
  // The process-wide cache the engine uses.
  static MemtableBlockCache& Default();

  // The block of `batch`, built on the first call (concurrent callers for the same batch
  // wait for one build).
  std::shared_ptr<const MemtableBlock> Get(const std::shared_ptr<const EventBatch>& batch);

  // Entries currently cached (for tests).
  size_t size() const;

 private:
  struct Entry {
    std::weak_ptr<const EventBatch> batch;  // identifies the entry beyond address reuse
    std::once_flag built;
    std::shared_ptr<const MemtableBlock> block;
  };
  // Drops the entries of freed batches. REQUIRES: mu_ held.
  void SweepLocked();

  mutable std::mutex mu_;
  std::unordered_map<const EventBatch*, std::shared_ptr<Entry>> entries_;  // guarded by mu_
  // Hits (Gets of an existing entry) after which a Get sweeps even without a new entry, so the
  // blocks of batches flushed while no new batch arrives are freed by the next queries.
  static constexpr uint32_t kSweepEvery = 64;
  uint32_t hits_since_sweep_ = 0;  // guarded by mu_
};

}  // namespace vigia

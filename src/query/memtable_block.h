// MemtableBlock: the columnar form of one memtable EventBatch — its timestamps and one
// ColumnVector per (field name, type) — so the columnar engine filters and aggregates the
// newest events with the same kernels as part blocks instead of looking fields up row by row
// (EventRowAccessor). A live server's memtable holds up to limits::kMemtableMaxBytes of events
// (~440k), and every dashboard, alert and KPI query reads them, so this scan is hot.
//
// Columns are built on demand, per field name: a query asks for the names it reads
// (View(batch, names, ...): its filter's, and its stats' when it aggregates) and the block
// builds the ones it does not have yet in one pass over the batch, then keeps them for the
// next query. A dense column per name takes ~17 bytes per event (presence + value), so a
// block of every field name (Build: ~770 B/event on the benchmark's mix, as big as the batch)
// cost the server 350 MB at a full memtable (heaptrack, issue 20); the few names the
// dashboards and rules read take a tenth of it, and no query pays to build the rest.
//
// Memtable batches are immutable once inserted, so what a block built stays valid; the block
// is cached (MemtableBlockCache) until the batch is freed (flushed into a part and no longer
// held by any snapshot) and the cache next sweeps: it sweeps before each new entry and every
// 64 hits.
//
// A string column with few distinct values (at most limits::kMemtableDictMaxEntries, and at
// most half the rows: service, kind, level, route...) is built in dictionary form, as a part's
// dictionary chunk decodes, so the filter and group-by kernels decide once per value instead
// of comparing or hashing a string per row (a dashboard's `count() by (service)` over a full
// memtable hashed ~400k strings per query); the others stay one view per row.
//
// The server builds the columns its recent queries read when a batch is appended, before the
// batch is readable (fresh_data_warmer.h), so queries mostly find them built.
//
// String values are views into the batch's arena: a MemtableBlock is valid only while its
// EventBatch lives. The engine holds the batch through its StoreSnapshot while it uses the
// block; the cache itself holds the batch only weakly.
//
// Semantics equal EventRowAccessor's: a field present with a JSON null reads as null (a
// kNull column), and when an event repeats a field name the first occurrence wins.
//
// Thread-safety: MemtableBlock is thread-safe: View builds under the block's mutex and a
// built column never changes (a view stays valid while the block lives). MemtableBlockCache
// is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "event/event.h"
#include "query/block_view.h"
#include "store/format/column_vector.h"

namespace vigia {

class MemtableBlock {
 public:
  // A block with the batch's timestamps and no column yet (View builds them).
  static std::unique_ptr<MemtableBlock> Create(const EventBatch& batch);
  // A block with every field's column built, view() over all of them (tests, tools).
  // REQUIRES: `batch` outlives every use of the returned block's view.
  static std::unique_ptr<MemtableBlock> Build(const EventBatch& batch);

  // Fills *out with the timestamps and the columns of `names` (a name no event has is left
  // out, as an absent column of a part block is), building those not built yet.
  // REQUIRES: `batch` is the batch the block was made of, and outlives *out.
  void View(const EventBatch& batch, std::span<const std::string> names, BlockView* out) const;

  // The view of every column (only for blocks made by Build).
  const BlockView& view() const { return full_view_; }
  size_t num_rows() const { return ts_.size(); }
  int64_t min_ts() const { return min_ts_; }
  int64_t max_ts() const { return max_ts_; }
  // Approximate heap bytes held (string bytes stay in the batch's arena); grows as columns
  // are built.
  size_t MemoryUsage() const { return bytes_.load(std::memory_order_relaxed); }
  // Field names built so far (tests).
  size_t built_names() const;

 private:
  explicit MemtableBlock(const EventBatch& batch);
  // Builds the columns of `names` (every name of the batch when all) in one pass.
  // REQUIRES: mu_ held; none of `names` built yet.
  void BuildLocked(const EventBatch& batch, const std::vector<std::string_view>& names,
                   bool all) const;

  std::vector<int64_t> ts_;
  int64_t min_ts_ = 0, max_ts_ = 0;
  BlockView full_view_;  // Build only

  mutable std::mutex mu_;
  // deque: views keep pointing at built columns while more are added.
  mutable std::deque<ColumnVector> columns_;  // guarded by mu_ (a built column is immutable)
  // Column indexes of every name built (empty: no event has it).
  mutable std::unordered_map<std::string, std::vector<uint32_t>> built_;  // guarded by mu_
  mutable std::atomic<size_t> bytes_{0};
};

class MemtableBlockCache {
 public:
  // The process-wide cache the engine uses.
  static MemtableBlockCache& Default();

  // The block of `batch`, made on the first call (concurrent callers for the same batch get
  // the same block; its columns are built by View).
  std::shared_ptr<const MemtableBlock> Get(const std::shared_ptr<const EventBatch>& batch);

  // Entries currently cached (for tests).
  size_t size() const;

 private:
  struct Entry {
    std::weak_ptr<const EventBatch> batch;  // identifies the entry beyond address reuse
    std::once_flag created;
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
